// Contracts the decoder's forward pass uses but does not implement: the KV cache and per-projection adapters (LoRA).
import type { Tensor } from '../../webgpu';

/** Keys/values of earlier tokens, per layer; implemented by generate/kv-cache. */
export interface AttentionCache {
  /** Tokens already cached; the default position of the next token. */
  readonly length: number;
  readonly batch: number;
  /**
   * Appends one layer's new keys/values [batch, seq, kvHeads, headDim]; returns buffers whose first `length` rows
   * (axis 1) are all keys/values so far; rows past `length` (preallocated room) must not be attended.
   */
  extend(layer: number, keys: Tensor, values: Tensor): { keys: Tensor; values: Tensor; length: number };
  /** Called once after every layer extended: the cache now holds `added` more tokens. */
  advance(added: number): void;
}

/**
 * Adds to a projection's base output: y = base(x) + delta(path, x). LoRA implements it; a forward without an
 * adapter is the base model with the same weights (GRPO's reference policy).
 */
export interface ProjectionAdapter {
  /** The addend for the projection at module path `path` (e.g. `model.layers.0.self_attn.q_proj`), or null. */
  delta(path: string, x: Tensor): Tensor | null;
}

export interface ForwardInput {
  /** Token ids, i32 [batch, seq]; may be omitted when prefixEmbeddings carry the whole input. */
  inputIds?: Tensor;
  /** Embeddings placed before the tokens (a VLM's vision features), f32 [batch, prefix, dim]. */
  prefixEmbeddings?: Tensor;
  /**
   * Position ids, i32 [sections, batch, total] (or [batch, total] / [total] with one section), total = prefix + seq.
   * Default: cache length + 0, 1, 2, ... shared by every section.
   */
  positions?: Tensor;
  /** Extended in place with this call's keys/values; attention sees the cached tokens first. */
  cache?: AttentionCache;
  /** LoRA (or any projection adapter); omit for the base model. */
  adapter?: ProjectionAdapter;
  /** Return logits only for positions >= logitsFrom (default 0): decoding needs the last one only. */
  logitsFrom?: number;
  /**
   * Under a tape, keep only each layer's input and recompute the layer in backward (gradient checkpointing): long
   * GRPO responses fit in memory at the cost of a second forward. Not with a cache (the re-run would extend it).
   */
  checkpointLayers?: boolean;
  /**
   * Sees each layer's rotated queries [batch, seq, heads, headDim] and keys [batch, seq, kvHeads, headDim] (this
   * call's tokens, before the cache): for auxiliary losses on where attention looks.
   */
  attentionTap?: (layer: number, q: Tensor, k: Tensor) => void;
}

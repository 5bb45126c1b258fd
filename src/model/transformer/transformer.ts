// The Qwen2-style decoder-only policy: weights by HF name, projections behind Linear, forward with cache and adapters.
import {
  add,
  cast,
  checkpoint,
  concat,
  embedding,
  full,
  linear,
  reshape,
  rmsNorm,
  scope,
  slice,
  zeros,
} from '../../webgpu';
import type { Backend, Tensor } from '../../webgpu';
import type { TransformerConfig } from './config';
import { pointerIdSlot, ropeSectionsOf, tokenShiftSlot, validateTransformerConfig } from './config';
import { decoderLayer, applyProjection } from './decoder-layer';
import type { LayerContext } from './decoder-layer';
import { ForwardInputError, ModelWeightError } from './errors';
import { DenseLinear, quantizeLinear } from './linear';
import type { Linear, QuantizeOptions } from './linear';
import {
  EMBED_TOKENS,
  FINAL_NORM,
  LM_HEAD,
  POINTER_GATE,
  expectedWeights,
  linearPaths,
  tokenShiftName,
} from './names';
import { pointerAttention, pointerLogProbs } from './pointer';
import type { PointerLook } from './pointer';
import { consecutivePositions } from './positions';
import type { ForwardInput } from './types';

export class Transformer {
  /** Non-linear weights (embedding table, norms) by HF name. */
  private readonly tensors = new Map<string, Tensor>();
  /** Every projection (and the untied LM head) by module path. */
  private readonly linears = new Map<string, Linear>();

  /**
   * Takes ownership of `weights` (HF names, shapes of `expectedWeights`); projections become dense Linears.
   * Throws ModelWeightError when a weight is missing, misshapen or unexpected.
   */
  constructor(
    readonly config: TransformerConfig,
    weights: ReadonlyMap<string, Tensor>,
  ) {
    validateTransformerConfig(config);
    checkWeights(config, weights);
    const linearSet = new Set(linearPaths(config));
    for (const path of linearSet) {
      const weight = weights.get(`${path}.weight`) as Tensor;
      this.linears.set(path, new DenseLinear(weight, weights.get(`${path}.bias`) ?? null));
    }
    for (const [name, tensor] of weights) {
      const path = name.slice(0, name.lastIndexOf('.'));
      if (!linearSet.has(path)) this.tensors.set(name, tensor);
    }
  }

  get backend(): Backend {
    return this.tensorAt(EMBED_TOKENS).backend;
  }

  tensorAt(name: string): Tensor {
    const tensor = this.tensors.get(name);
    if (!tensor) throw new ModelWeightError(name, 'not a tensor of this model');
    return tensor;
  }

  linearAt(path: string): Linear {
    const found = this.linears.get(path);
    if (!found) throw new ModelWeightError(path, 'not a linear module of this model');
    return found;
  }

  /** Module paths of every Linear, in layer order. */
  get linearPaths(): string[] {
    return [...this.linears.keys()];
  }

  /** Swaps one projection (quantising, merging LoRA); the old Linear is the caller's to dispose. */
  replaceLinear(path: string, replacement: Linear): Linear {
    const old = this.linearAt(path);
    if (old.inFeatures !== replacement.inFeatures || old.outFeatures !== replacement.outFeatures) {
      throw new ModelWeightError(
        path,
        `replacement is [${replacement.outFeatures}, ${replacement.inFeatures}]`,
      );
    }
    this.linears.set(path, replacement);
    return old;
  }

  /** Every dense f32 tensor by HF name (quantised projections are left out: they are not f32 parameters). */
  namedTensors(): Map<string, Tensor> {
    const named = new Map(this.tensors);
    for (const [path, layer] of this.linears) {
      if (layer instanceof DenseLinear) named.set(`${path}.weight`, layer.weight);
      if (layer.bias) named.set(`${path}.bias`, layer.bias);
    }
    return named;
  }

  /** Marks every dense tensor trainable (full fine-tuning) or frozen (the LoRA case, the default). */
  setTrainable(trainable: boolean): void {
    for (const tensor of this.namedTensors().values()) tensor.requiresGrad = trainable;
  }

  /** Packs the projections `select` accepts (default: all but the LM head) as frozen q8/q4/f16 weights. */
  async quantize(
    options: QuantizeOptions,
    select: (path: string) => boolean = (p) => p !== LM_HEAD,
  ): Promise<void> {
    for (const [path, layer] of this.linears) {
      if (!(layer instanceof DenseLinear) || !select(path)) continue;
      const packed = await quantizeLinear(layer, options);
      this.linears.set(path, packed);
      layer.weight.dispose();
    }
  }

  /**
   * Logits f32 [batch, total − logitsFrom, vocab] for the prefix embeddings followed by the tokens; with a pointer
   * config, the mixture's log-probabilities (normalised logits: every softmax-based consumer reads them unchanged).
   */
  forward(input: ForwardInput): Tensor {
    return scope(() => {
      const embedded = this.embedInputs(input);
      const [batch, total] = embedded.shape as [number, number];
      const start = input.cache?.length ?? 0;
      if (start + total > this.config.maxPositions) {
        throw new ForwardInputError(
          'inputIds',
          `${start + total} positions exceed maxPositions ${this.config.maxPositions}`,
        );
      }
      if (input.cache && input.cache.batch !== batch) {
        throw new ForwardInputError('cache', `holds batch ${input.cache.batch}, input has ${batch}`);
      }
      const positions =
        input.positions ??
        consecutivePositions(start, batch, total, ropeSectionsOf(this.config).length, this.backend);
      const pointerIds = this.config.pointer ? this.pointerIds(input, batch, total) : null;
      let look: PointerLook | null = null;
      const pointerTap = (seen: PointerLook): void => void (look = seen);
      let x = this.shiftTokens(embedded, input.cache);
      for (let layer = 0; layer < this.config.layers; layer++) {
        const tap = layer === this.config.pointer?.layer ? pointerTap : undefined;
        x = this.runLayer(layer, x, positions, input, tap);
      }
      input.cache?.advance(total);
      const from = this.logitsFrom(input, total);
      const hidden = this.finalHidden(x, from);
      const logits = this.lmHead(hidden, input);
      if (!pointerIds || !look || !this.config.pointer) return logits;
      const attention = pointerAttention(this.config, this.config.pointer, look, from);
      return pointerLogProbs(logits, hidden, attention, pointerIds, {
        weight: this.tensorAt(`${POINTER_GATE}.weight`),
        bias: this.tensorAt(`${POINTER_GATE}.bias`),
      });
    });
  }

  /**
   * f32 [batch, positions so far]: the token id of every position the pointer may copy (−1 for prefix embeddings),
   * this call's appended to the cache's.
   */
  private pointerIds(input: ForwardInput, batch: number, total: number): Tensor {
    const backend = this.backend;
    const tokens = input.inputIds ? cast(input.inputIds, 'f32') : null;
    const prefixLength = total - (tokens?.shape[1] ?? 0);
    const prefix = prefixLength > 0 ? full([batch, prefixLength], -1, { backend }) : null;
    const own = tokens && prefix ? concat([prefix, tokens], 1) : ((tokens ?? prefix) as Tensor);
    if (!input.cache) return own;
    const slot = reshape(own, [batch, total, 1, 1]);
    const { keys, length } = input.cache.extend(pointerIdSlot(this.config), slot, slot);
    return reshape(slice(keys, [0, 0, 0, 0], [batch, length, 1, 1]), [batch, length]);
  }

  private runLayer(
    layer: number,
    x: Tensor,
    positions: Tensor,
    input: ForwardInput,
    pointerTap?: (look: PointerLook) => void,
  ): Tensor {
    // The pointer layer is never checkpointed: its tap must see the one forward whose attention the output mixes in.
    if (!input.checkpointLayers || pointerTap) {
      return decoderLayer({ ...this.layerContext(layer, positions, input), pointerTap }, x);
    }
    if (input.cache) throw new ForwardInputError('checkpointLayers', 'cannot be combined with a KV cache');
    if (input.attentionTap)
      throw new ForwardInputError(
        'checkpointLayers',
        'cannot be combined with an attention tap (it would see the re-run)',
      );
    // positions is created inside this forward, so it must be a checkpoint input to survive until backward.
    const [out] = checkpoint(
      (h, pos) => [decoderLayer(this.layerContext(layer, pos as Tensor, input), h as Tensor)],
      [x, positions],
    );
    return out as Tensor;
  }

  private layerContext(layer: number, positions: Tensor, input: ForwardInput): LayerContext {
    return {
      config: this.config,
      layer,
      linearAt: (path) => this.linearAt(path),
      tensorAt: (name) => this.tensorAt(name),
      positions,
      cache: input.cache,
      adapter: input.adapter,
      attentionTap: input.attentionTap,
    };
  }

  private embedInputs(input: ForwardInput): Tensor {
    const tokens = input.inputIds ? embedding(this.tensorAt(EMBED_TOKENS), input.inputIds) : null;
    const prefix = input.prefixEmbeddings ?? null;
    if (tokens && tokens.rank !== 3)
      throw new ForwardInputError('inputIds', `must be [batch, seq], got rank ${tokens.rank - 1}`);
    if (prefix && (prefix.rank !== 3 || prefix.shape[2] !== this.config.dim)) {
      throw new ForwardInputError('prefixEmbeddings', `must be [batch, prefix, ${this.config.dim}]`);
    }
    if (tokens && prefix) return concat([prefix, tokens], 1);
    const only = tokens ?? prefix;
    if (!only) throw new ForwardInputError('inputIds', 'neither token ids nor prefix embeddings were given');
    return only;
  }

  /**
   * x + Σ_k W_k · x[t − k] for k = 1..tokenShift; positions before the sequence start contribute zeros. With a cache,
   * the earlier positions' embeddings come from its extra slot, so decoding one token sees the same inputs as a
   * full forward.
   */
  private shiftTokens(x: Tensor, cache: ForwardInput['cache']): Tensor {
    const shifts = this.config.tokenShift ?? 0;
    if (shifts === 0) return x;
    const [batch, total, dim] = x.shape as [number, number, number];
    const history = cache
      ? this.cachedHistory(x, cache, shifts)
      : concat([zeros([batch, shifts, dim], { backend: x.backend }), x], 1);
    let shifted = x;
    for (let k = 1; k <= shifts; k++) {
      const earlier = slice(history, [0, shifts - k, 0], [batch, total, dim]);
      shifted = add(shifted, linear(earlier, this.tensorAt(tokenShiftName(k))));
    }
    return shifted;
  }

  /** [batch, shifts + total, dim]: the `shifts` embeddings before this call's (zeros before the start), then x. */
  private cachedHistory(x: Tensor, cache: NonNullable<ForwardInput['cache']>, shifts: number): Tensor {
    const [batch, total, dim] = x.shape as [number, number, number];
    const slot = reshape(x, [batch, total, 1, dim]);
    const { keys, length } = cache.extend(tokenShiftSlot(this.config), slot, slot);
    const from = Math.max(0, length - total - shifts);
    const past = reshape(slice(keys, [0, from, 0, 0], [batch, length - from, 1, dim]), [
      batch,
      length - from,
      dim,
    ]);
    const missing = shifts + total - (length - from);
    return missing === 0 ? past : concat([zeros([batch, missing, dim], { backend: x.backend }), past], 1);
  }

  private logitsFrom(input: ForwardInput, total: number): number {
    const from = input.logitsFrom ?? 0;
    if (!Number.isInteger(from) || from < 0 || from >= total) {
      throw new ForwardInputError('logitsFrom', `${from} is outside 0..${total - 1}`);
    }
    return from;
  }

  /** The final norm of positions from..total − 1: slicing first keeps the vocab-sized head to the rows asked for. */
  private finalHidden(x: Tensor, from: number): Tensor {
    const kept = from === 0 ? x : slice(x, [0, from, 0], [-1, -1, -1]);
    return rmsNorm(kept, this.tensorAt(FINAL_NORM), this.config.rmsNormEps);
  }

  private lmHead(hidden: Tensor, input: ForwardInput): Tensor {
    if (this.config.tiedEmbeddings) return linear(hidden, this.tensorAt(EMBED_TOKENS));
    return applyProjection(this.linearAt(LM_HEAD), LM_HEAD, hidden, input.adapter);
  }

  /** Frees every weight (dense and packed). */
  dispose(): void {
    for (const tensor of this.tensors.values()) tensor.dispose();
    for (const layer of this.linears.values()) layer.dispose();
    this.tensors.clear();
    this.linears.clear();
  }
}

function checkWeights(config: TransformerConfig, weights: ReadonlyMap<string, Tensor>): void {
  const expected = expectedWeights(config);
  for (const [name, shape] of expected) {
    const tensor = weights.get(name);
    if (!tensor) throw new ModelWeightError(name, 'missing');
    if (
      tensor.dtype !== 'f32' ||
      tensor.shape.length !== shape.length ||
      tensor.shape.some((d, i) => d !== shape[i])
    ) {
      throw new ModelWeightError(
        name,
        `expected f32 [${shape.join(', ')}], got ${tensor.dtype} [${tensor.shape.join(', ')}]`,
      );
    }
  }
  for (const name of weights.keys()) {
    if (!expected.has(name)) throw new ModelWeightError(name, 'not part of this architecture');
  }
}

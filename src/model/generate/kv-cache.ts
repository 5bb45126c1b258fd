// The KV cache: per-layer key/value buffers [batch, capacity, kvHeads, headDim] filled in place, shareable across a group.
import { broadcastTo, embedding, fromArray, keep, reshape, scope, writeSlice, zeros } from '../../webgpu';
import type { Tensor } from '../../webgpu';
import type { AttentionCache, TransformerConfig } from '../transformer';
import { ForwardInputError, cacheSlots } from '../transformer';

/** One layer's buffers; rows [0, length) along axis 1 hold tokens, the rest is room to write into. */
interface LayerEntry {
  keys: Tensor;
  values: Tensor;
}

/**
 * Each step writes its keys/values into the layer's buffers (`writeSlice`) and attention reads the filled prefix
 * (`kvLength`), so a decode step copies only its own rows. Buffers grow by doubling up to `maxLength` rather than
 * being allocated at `maxLength` up front: a Qwen2 config's 32k positions would reserve gigabytes for a short
 * rollout, while doubling copies each token O(1) times amortised. Inference only: `writeSlice` refuses tapes.
 */
export class KvCache implements AttentionCache {
  private entries: (LayerEntry | null)[];
  private cachedLength = 0;

  constructor(
    readonly layers: number,
    private rows: number,
    readonly maxLength: number,
  ) {
    this.entries = Array.from({ length: layers }, () => null);
  }

  get length(): number {
    return this.cachedLength;
  }

  get batch(): number {
    return this.rows;
  }

  /** Rows the layer's buffers hold (filled or not); 0 before its first extend. */
  /** An empty cache with a slot for every layer of `config` (and its token-shift history), up to its max positions. */
  static forModel(config: TransformerConfig, batch = 1): KvCache {
    return new KvCache(cacheSlots(config), batch, config.maxPositions);
  }

  capacity(layer: number): number {
    return (this.entries[layer]?.keys.shape[1] as number | undefined) ?? 0;
  }

  extend(layer: number, keys: Tensor, values: Tensor): { keys: Tensor; values: Tensor; length: number } {
    const needed = this.cachedLength + (keys.shape[1] as number);
    if (needed > this.maxLength) {
      throw new ForwardInputError('cache', `${needed} tokens exceed the cache's ${this.maxLength}`);
    }
    const entry = this.reserve(layer, keys, needed);
    writeSlice(entry.keys, keys, 1, this.cachedLength);
    writeSlice(entry.values, values, 1, this.cachedLength);
    return { keys: entry.keys, values: entry.values, length: needed };
  }

  advance(added: number): void {
    this.cachedLength += added;
  }

  /** A new cache holding this batch-1 cache's tokens repeated `batch` times: one prefill shared by a group. */
  expand(batch: number): KvCache {
    if (this.rows !== 1)
      throw new ForwardInputError('cache', `only a batch-1 cache expands, this one has ${this.rows}`);
    const expanded = new KvCache(this.layers, batch, this.maxLength);
    expanded.cachedLength = this.cachedLength;
    expanded.entries = this.entries.map((entry) => {
      if (!entry) return null;
      const grow = (t: Tensor): Tensor => keep(broadcastTo(t, [batch, ...t.shape.slice(1)]));
      return { keys: grow(entry.keys), values: grow(entry.values) };
    });
    return expanded;
  }

  /** Keeps only the given batch rows, in that order (finished sequences leave a group's batch). */
  selectRows(rows: readonly number[]): void {
    if (rows.length === this.rows && rows.every((row, i) => row === i)) return;
    this.entries = this.entries.map((entry) => {
      if (!entry) return null;
      const kept = scope(() => {
        const ids = fromArray(rows, [rows.length], { backend: entry.keys.backend, dtype: 'i32' });
        return { keys: gatherBatchRows(entry.keys, ids), values: gatherBatchRows(entry.values, ids) };
      });
      disposeEntry(entry);
      return { keys: keep(kept.keys), values: keep(kept.values) };
    });
    this.rows = rows.length;
  }

  dispose(): void {
    for (const entry of this.entries) if (entry) disposeEntry(entry);
    this.entries = this.entries.map(() => null);
  }

  /** The layer's buffers with room for `needed` rows: reallocated at twice that (capped) when short. */
  private reserve(layer: number, like: Tensor, needed: number): LayerEntry {
    const old = this.entries[layer] ?? null;
    if (old && this.capacity(layer) >= needed) return old;
    const [batch, , heads, headDim] = like.shape as [number, number, number, number];
    const shape = [batch, Math.min(this.maxLength, 2 * needed), heads, headDim];
    const options = { backend: like.backend, dtype: like.dtype };
    const grown = { keys: keep(zeros(shape, options)), values: keep(zeros(shape, options)) };
    if (old) {
      // Copying whole old buffers (filled or not) is one write each; they fit since the new capacity is larger.
      writeSlice(grown.keys, old.keys, 1, 0);
      writeSlice(grown.values, old.values, 1, 0);
      disposeEntry(old);
    }
    this.entries[layer] = grown;
    return grown;
  }
}

/** Rows of the batch axis picked by ids, as one gather over [batch, everything else]. */
function gatherBatchRows(t: Tensor, ids: Tensor): Tensor {
  const [batch, ...rest] = t.shape as [number, ...number[]];
  const flat = reshape(t, [batch, t.size / batch]);
  return reshape(embedding(flat, ids), [ids.size, ...rest]);
}

function disposeEntry(entry: LayerEntry): void {
  entry.keys.dispose();
  entry.values.dispose();
}

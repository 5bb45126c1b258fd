// The KV cache: per-layer keys/values [batch, length, kvHeads, headDim], grown per step, shareable across a group.
import { broadcastTo, concat, embedding, fromArray, keep, reshape, scope } from '../../webgpu';
import type { Tensor } from '../../webgpu';
import type { AttentionCache } from '../transformer';
import { ForwardInputError } from '../transformer';

interface LayerEntry {
  keys: Tensor;
  values: Tensor;
}

/**
 * Grows by concatenation: the engine has no in-place row write yet, so a preallocated buffer would cost the same
 * copy per step (see docs/model.md). `maxLength` bounds the growth.
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

  extend(layer: number, keys: Tensor, values: Tensor): { keys: Tensor; values: Tensor } {
    const added = keys.shape[1] as number;
    if (this.cachedLength + added > this.maxLength) {
      throw new ForwardInputError(
        'cache',
        `${this.cachedLength + added} tokens exceed the cache's ${this.maxLength}`,
      );
    }
    const old = this.entries[layer] ?? null;
    const next: LayerEntry = old
      ? { keys: keep(concat([old.keys, keys], 1)), values: keep(concat([old.values, values], 1)) }
      : { keys: keep(keys), values: keep(values) };
    if (old) disposeEntry(old);
    this.entries[layer] = next;
    return next;
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

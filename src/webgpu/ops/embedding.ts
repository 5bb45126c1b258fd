// Embedding lookup (rows gathered by i32 ids, backward scatter-adds) and its transpose, the row scatter-add.
import { recordOp } from '../autograd';
import { ShapeError } from '../errors';
import type { Tensor } from '../tensor';
import { backendOf, expectDType, expectRank, wrap } from './common';

/** table [vocab, dim], ids i32 of any shape → [...ids.shape, dim]. */
export function embedding(table: Tensor, ids: Tensor): Tensor {
  expectDType('embedding', table, 'f32', 'table');
  expectDType('embedding', ids, 'i32', 'ids');
  expectRank('embedding', table, 2, 'table');
  const backend = backendOf('embedding', table, ids);
  const [vocab, dim] = table.shape as [number, number];
  const y = wrap(backend, backend.gatherRows(table.storage, ids.storage, dim), [...ids.shape, dim]);
  recordOp('embedding', [table], [y], [ids], ([dy], [savedIds]) => {
    if (!dy || !savedIds) return [null];
    return [wrap(backend, backend.scatterAddRows(savedIds.storage, dy.storage, vocab, dim), table.shape)];
  });
  return y;
}

/**
 * The transpose of embedding: out [rows, cols] with out[ids[i]] += src[i] (repeated ids add up), ids i32 [n] in
 * 0..rows − 1, src f32 [n, cols]; backward gathers the gradient's rows. Pointer decoding puts attention on token ids
 * with it.
 */
export function scatterRows(ids: Tensor, src: Tensor, rows: number): Tensor {
  expectDType('scatterRows', ids, 'i32', 'ids');
  expectDType('scatterRows', src, 'f32', 'src');
  expectRank('scatterRows', ids, 1, 'ids');
  expectRank('scatterRows', src, 2, 'src');
  const backend = backendOf('scatterRows', ids, src);
  const [n, cols] = src.shape as [number, number];
  if (ids.size !== n) throw new ShapeError('scatterRows', `${ids.size} ids for ${n} source rows`);
  const y = wrap(backend, backend.scatterAddRows(ids.storage, src.storage, rows, cols), [rows, cols]);
  recordOp('scatterRows', [src], [y], [ids], ([dy], [savedIds]) => {
    if (!dy || !savedIds) return [null];
    return [wrap(backend, backend.gatherRows(dy.storage, savedIds.storage, cols), [n, cols])];
  });
  return y;
}

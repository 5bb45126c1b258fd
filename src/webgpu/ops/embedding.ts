// Embedding lookup: rows of a table gathered by i32 ids; backward scatter-adds into the table gradient.
import { recordOp } from '../autograd';
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

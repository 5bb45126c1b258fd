// Grouped-query attention widened to more key/value heads without changing what the model computes.
import { concat, scope, slice } from '../../webgpu';
import type { Tensor } from '../../webgpu';
import type { TransformerConfig } from './config';
import { ModelConfigError } from './errors';
import { projectionPath } from './names';

/**
 * The k/v projection weights and biases of `from` rewritten for `to`, which differs only in more KV heads: every new
 * KV head starts as a copy of the old head its query heads used, so the forward is unchanged and training can then
 * let the copies part. Returns the new tensors by name (the old ones are the caller's to free).
 */
export function expandKvHeads(
  weights: ReadonlyMap<string, Tensor>,
  from: TransformerConfig,
  to: TransformerConfig,
): Map<string, Tensor> {
  const factor = to.kvHeads / from.kvHeads;
  if (!Number.isInteger(factor) || factor < 1 || to.heads !== from.heads || to.headDim !== from.headDim) {
    throw new ModelConfigError('kvHeads', `cannot widen ${from.kvHeads} KV heads to ${to.kvHeads}`);
  }
  const expanded = new Map<string, Tensor>();
  for (let layer = 0; layer < from.layers; layer++) {
    for (const projection of ['k_proj', 'v_proj'] as const) {
      for (const part of ['weight', 'bias']) {
        const name = `${projectionPath(layer, projection)}.${part}`;
        const old = weights.get(name);
        if (old) expanded.set(name, repeatHeads(old, from.kvHeads, from.headDim, factor));
      }
    }
  }
  return expanded;
}

/**
 * Rows [heads · headDim, …] → [heads · factor · headDim, …], head i repeated factor times in place: query head h of
 * `heads · factor` groups then reads new head ⌊h / (queries per new head)⌋, the copy of the old head it read.
 */
function repeatHeads(rows: Tensor, heads: number, headDim: number, factor: number): Tensor {
  return scope(() => {
    const rest = rows.shape.slice(1);
    const parts: Tensor[] = [];
    for (let i = 0; i < heads; i++) {
      const head = slice(rows, [i * headDim, ...rest.map(() => 0)], [headDim, ...rest]);
      for (let copy = 0; copy < factor; copy++) parts.push(head);
    }
    return concat(parts, 0);
  });
}

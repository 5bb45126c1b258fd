// Global-norm gradient clipping computed on the device: no host read, so a GPU step never stalls on it.
import { full } from '../creation';
import type { Tensor } from '../tensor';
import { add, div, minimum, mul, sqrt, square } from '../ops/elementwise';
import { sum } from '../ops/reduce';
import { scope } from '../scope';

/** sqrt(sum of squares of every gradient), a scalar tensor. */
export function globalNorm(grads: readonly Tensor[]): Tensor {
  return scope(() => {
    let total: Tensor = full([], 0, { backend: grads[0]?.backend });
    for (const g of grads) total = add(total, sum(square(g)));
    return sqrt(total);
  });
}

/**
 * The factor min(1, maxNorm / (norm + 1e-6)) as a 1-element tensor, and the norm itself (for logging). Multiply the
 * gradients by the factor, or hand it to AdamW, which fuses it into the update.
 */
export function clipFactor(grads: readonly Tensor[], maxNorm: number): { factor: Tensor; norm: Tensor } {
  return scope(() => {
    const norm = globalNorm(grads);
    const backend = norm.backend;
    const ratio = div(full([], maxNorm, { backend }), add(norm, 1e-6));
    return { factor: minimum(ratio, full([], 1, { backend })), norm };
  });
}

/** Returns clipped copies of the gradients (global norm at most maxNorm) and the norm before clipping. */
export function clipGradNorm(grads: readonly Tensor[], maxNorm: number): { grads: Tensor[]; norm: Tensor } {
  return scope(() => {
    const { factor, norm } = clipFactor(grads, maxNorm);
    const clipped = grads.map((g) => mul(g, factor));
    return { grads: clipped, norm };
  });
}

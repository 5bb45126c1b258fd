// WGSL for the in-place AdamW step (decoupled decay, bias correction, clip factor read from a device scalar).
import type { Kernel } from '../pipelines';
import { perElement } from './common.wgsl';

/** Params: 0 count, 1 lr, 2 beta1, 3 beta2, 4 eps, 5 weight decay, 6 bias correction 1, 7 bias correction 2. */
export const adamwKernel: Kernel = {
  key: 'adamw',
  source: () =>
    perElement(
      [
        ['param', 'f32', 'read_write'],
        ['grad', 'f32', 'read'],
        ['m', 'f32', 'read_write'],
        ['v', 'f32', 'read_write'],
        ['gradScale', 'f32', 'read'],
      ],
      `let lr = pf(1u);
  let g = grad[i] * gradScale[0];
  let mi = pf(2u) * m[i] + (1.0 - pf(2u)) * g;
  let vi = pf(3u) * v[i] + (1.0 - pf(3u)) * g * g;
  m[i] = mi;
  v[i] = vi;
  let decayed = param[i] * (1.0 - lr * pf(5u));
  param[i] = decayed - (lr * (mi / pf(6u))) / (sqrt(vi / pf(7u)) + pf(4u));`,
    ),
};

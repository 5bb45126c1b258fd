// Reference in-place AdamW update (decoupled weight decay, bias correction, gradient pre-scale for clipping).
import type { AdamWHyper } from '../../backend';
import type { FloatArray } from './arrays';
import { at } from './arrays';

export function adamwKernel(
  param: FloatArray,
  grad: FloatArray,
  m: FloatArray,
  v: FloatArray,
  gradScale: number,
  hyper: AdamWHyper,
): void {
  const { lr, beta1, beta2, eps, weightDecay, biasCorrection1, biasCorrection2 } = hyper;
  for (let i = 0; i < param.length; i++) {
    const g = at(grad, i) * gradScale;
    const mi = beta1 * at(m, i) + (1 - beta1) * g;
    const vi = beta2 * at(v, i) + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    // Decay first, as torch.optim.AdamW does: p <- p (1 - lr wd) - lr mhat / (sqrt(vhat) + eps).
    const decayed = at(param, i) * (1 - lr * weightDecay);
    param[i] = decayed - (lr * (mi / biasCorrection1)) / (Math.sqrt(vi / biasCorrection2) + eps);
  }
}

// Host side of the in-place AdamW update.
import type { AdamWHyper, Storage } from '../../../backend';
import type { GpuContext } from '../context';
import { adamwKernel } from '../kernels/adamw.wgsl';
import { Params } from '../params';

export function adamwUpdate(
  ctx: GpuContext,
  storages: { param: Storage; grad: Storage; m: Storage; v: Storage; gradScale: Storage },
  h: AdamWHyper,
): void {
  const { param, grad, m, v, gradScale } = storages;
  const params = new Params()
    .u32(param.size)
    .f32(h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.biasCorrection1, h.biasCorrection2);
  const bound = [param, grad, m, v, gradScale].map((s) => ctx.use(s, 'f32'));
  ctx.runElements(adamwKernel, params, bound, param.size);
}

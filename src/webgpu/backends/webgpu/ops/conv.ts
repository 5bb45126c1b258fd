// Host side of the direct 2-D convolution kernels (forward, input gradient, weight gradient).
import type { Conv2dSpec, Storage } from '../../../backend';
import type { GpuContext } from '../context';
import type { Kernel } from '../pipelines';
import { conv2dBackwardInputKernel, conv2dBackwardWeightKernel, conv2dKernel } from '../kernels/conv.wgsl';
import { Params } from '../params';
import type { GpuStorage } from '../storage';

function run(
  ctx: GpuContext,
  kernel: Kernel,
  first: Storage,
  second: Storage,
  outSize: number,
  s: Conv2dSpec,
): GpuStorage {
  const out = ctx.alloc('f32', outSize);
  const params = new Params().u32(
    ...[outSize, s.batch, s.cIn, s.height, s.width, s.cOut, s.kh, s.kw],
    ...[s.strideH, s.strideW, s.padH, s.padW, s.outH, s.outW],
  );
  ctx.runElements(kernel, params, [ctx.use(first, 'f32'), ctx.use(second, 'f32'), out], outSize);
  return out;
}

export function conv2d(ctx: GpuContext, x: Storage, weight: Storage, s: Conv2dSpec): GpuStorage {
  return run(ctx, conv2dKernel, x, weight, s.batch * s.cOut * s.outH * s.outW, s);
}

export function conv2dBackwardInput(
  ctx: GpuContext,
  dy: Storage,
  weight: Storage,
  s: Conv2dSpec,
): GpuStorage {
  return run(ctx, conv2dBackwardInputKernel, dy, weight, s.batch * s.cIn * s.height * s.width, s);
}

export function conv2dBackwardWeight(ctx: GpuContext, x: Storage, dy: Storage, s: Conv2dSpec): GpuStorage {
  return run(ctx, conv2dBackwardWeightKernel, x, dy, s.cOut * s.cIn * s.kh * s.kw, s);
}

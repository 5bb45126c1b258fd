// Host side of RMSNorm / LayerNorm forward and backward, with two-pass (atomics-free) weight gradients.
import type { NormGrads, Storage } from '../../../backend';
import type { GpuContext } from '../context';
import {
  layerNormBackwardKernel,
  layerNormKernel,
  normWeightGradKernel,
  rmsNormBackwardKernel,
  rmsNormKernel,
} from '../kernels/norm.wgsl';
import type { Kernel } from '../pipelines';
import { Params } from '../params';
import type { GpuStorage } from '../storage';
import { reduce } from './rows';

/** Rows per thread in the first weight-gradient pass. */
const CHUNK_ROWS = 32;

export function rmsNorm(
  ctx: GpuContext,
  x: Storage,
  weight: Storage,
  rows: number,
  cols: number,
  eps: number,
): GpuStorage {
  const out = ctx.alloc('f32', rows * cols);
  const inputs = [ctx.use(x, 'f32'), ctx.use(weight, 'f32')];
  ctx.runRows(rmsNormKernel, new Params().u32(rows, cols).f32(eps), [...inputs, out], rows);
  return out;
}

export function layerNorm(
  ctx: GpuContext,
  x: Storage,
  weight: Storage,
  bias: Storage,
  rows: number,
  cols: number,
  eps: number,
): GpuStorage {
  const out = ctx.alloc('f32', rows * cols);
  const inputs = [ctx.use(x, 'f32'), ctx.use(weight, 'f32'), ctx.use(bias, 'f32')];
  ctx.runRows(layerNormKernel, new Params().u32(rows, cols).f32(eps), [...inputs, out], rows);
  return out;
}

/** Σ over rows of dy x̂ and dy: per-chunk partial sums, then a reduce over the chunks. */
function weightGrads(
  ctx: GpuContext,
  x: GpuStorage,
  dy: GpuStorage,
  stats: GpuStorage,
  rows: number,
  cols: number,
): { dWeight: GpuStorage; dBias: GpuStorage } {
  const chunks = Math.max(1, Math.ceil(rows / CHUNK_ROWS));
  const partW = ctx.alloc('f32', chunks * cols);
  const partB = ctx.alloc('f32', chunks * cols);
  const params = new Params().u32(chunks * cols, cols, rows, CHUNK_ROWS);
  ctx.runElements(normWeightGradKernel, params, [x, dy, stats, partW, partB], chunks * cols);
  if (chunks === 1) return { dWeight: partW, dBias: partB };
  const spec = { outer: 1, axis: chunks, inner: cols };
  const grads = { dWeight: reduce(ctx, 'sum', partW, spec), dBias: reduce(ctx, 'sum', partB, spec) };
  ctx.free(partW);
  ctx.free(partB);
  return grads;
}

function normBackward(
  ctx: GpuContext,
  kernel: Kernel,
  storages: { x: Storage; weight: Storage; dy: Storage },
  rows: number,
  cols: number,
  eps: number,
  needWeightGrad: boolean,
): { dx: GpuStorage; dWeight?: GpuStorage; dBias?: GpuStorage } {
  const [x, weight, dy] = [
    ctx.use(storages.x, 'f32'),
    ctx.use(storages.weight, 'f32'),
    ctx.use(storages.dy, 'f32'),
  ];
  const dx = ctx.alloc('f32', rows * cols);
  const stats = ctx.alloc('f32', 2 * rows);
  ctx.runRows(kernel, new Params().u32(rows, cols).f32(eps), [x, weight, dy, dx, stats], rows);
  if (!needWeightGrad) {
    ctx.free(stats);
    return { dx };
  }
  const grads = weightGrads(ctx, x, dy, stats, rows, cols);
  ctx.free(stats);
  return { dx, ...grads };
}

export function rmsNormBackward(
  ctx: GpuContext,
  x: Storage,
  weight: Storage,
  dy: Storage,
  rows: number,
  cols: number,
  eps: number,
  needWeightGrad: boolean,
): NormGrads {
  const grads = normBackward(ctx, rmsNormBackwardKernel, { x, weight, dy }, rows, cols, eps, needWeightGrad);
  // RMSNorm has no bias: the shared pass computed Σ dy anyway; drop it.
  if (grads.dBias) ctx.free(grads.dBias);
  return grads.dWeight ? { dx: grads.dx, dWeight: grads.dWeight } : { dx: grads.dx };
}

export function layerNormBackward(
  ctx: GpuContext,
  x: Storage,
  weight: Storage,
  dy: Storage,
  rows: number,
  cols: number,
  eps: number,
  needWeightGrad: boolean,
): NormGrads {
  return normBackward(ctx, layerNormBackwardKernel, { x, weight, dy }, rows, cols, eps, needWeightGrad);
}

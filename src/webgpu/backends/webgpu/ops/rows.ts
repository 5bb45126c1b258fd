// Host side of reduce and the row-wise softmax family (softmax, log-prob gather, entropy and their backwards).
import type { ReduceSpec, Storage } from '../../../backend';
import type { GpuContext } from '../context';
import type { Kernel } from '../pipelines';
import {
  entropyBackwardKernel,
  entropyKernel,
  logSoftmaxGatherBackwardKernel,
  logSoftmaxGatherKernel,
  reduceLoopKernel,
  reduceTreeKernel,
  softmaxBackwardKernel,
  softmaxKernel,
} from '../kernels/rows.wgsl';
import { Params } from '../params';
import type { GpuStorage } from '../storage';

/** A workgroup per output pays off once the axis is long and there are too few outputs to fill the device. */
function useTree(spec: ReduceSpec): boolean {
  const outputs = spec.outer * spec.inner;
  return spec.axis >= 1024 || (spec.axis >= 64 && outputs < 256);
}

export function reduce(ctx: GpuContext, op: 'sum' | 'max', x: Storage, spec: ReduceSpec): GpuStorage {
  const input = ctx.use(x, 'f32');
  const outputs = spec.outer * spec.inner;
  const out = ctx.alloc('f32', outputs);
  const params = new Params().u32(outputs, spec.axis, spec.inner, op === 'max' ? 1 : 0).f32(-Infinity);
  if (useTree(spec)) ctx.runRows(reduceTreeKernel, params, [input, out], outputs);
  else ctx.runElements(reduceLoopKernel, params, [input, out], outputs);
  return out;
}

/** Row params: rows, cols, flag, -Infinity. */
function rowParams(rows: number, cols: number, flag = false): Params {
  return new Params().u32(rows, cols, flag ? 1 : 0).f32(-Infinity);
}

function perRow(
  ctx: GpuContext,
  kernel: Kernel,
  inputs: readonly GpuStorage[],
  outSize: number,
  rows: number,
  cols: number,
  flag = false,
): GpuStorage {
  const out = ctx.alloc('f32', outSize);
  ctx.runRows(kernel, rowParams(rows, cols, flag), [...inputs, out], rows);
  return out;
}

export function softmax(ctx: GpuContext, x: Storage, rows: number, cols: number, log: boolean): GpuStorage {
  return perRow(ctx, softmaxKernel, [ctx.use(x, 'f32')], rows * cols, rows, cols, log);
}

export function softmaxBackward(
  ctx: GpuContext,
  y: Storage,
  dy: Storage,
  rows: number,
  cols: number,
  log: boolean,
): GpuStorage {
  const inputs = [ctx.use(y, 'f32'), ctx.use(dy, 'f32')];
  return perRow(ctx, softmaxBackwardKernel, inputs, rows * cols, rows, cols, log);
}

export function logSoftmaxGather(
  ctx: GpuContext,
  logits: Storage,
  ids: Storage,
  rows: number,
  cols: number,
): GpuStorage {
  const inputs = [ctx.use(logits, 'f32'), ctx.use(ids, 'i32')];
  return perRow(ctx, logSoftmaxGatherKernel, inputs, rows, rows, cols);
}

export function logSoftmaxGatherBackward(
  ctx: GpuContext,
  logits: Storage,
  ids: Storage,
  dy: Storage,
  rows: number,
  cols: number,
): GpuStorage {
  const inputs = [ctx.use(logits, 'f32'), ctx.use(ids, 'i32'), ctx.use(dy, 'f32')];
  return perRow(ctx, logSoftmaxGatherBackwardKernel, inputs, rows * cols, rows, cols);
}

export function entropy(ctx: GpuContext, logits: Storage, rows: number, cols: number): GpuStorage {
  return perRow(ctx, entropyKernel, [ctx.use(logits, 'f32')], rows, rows, cols);
}

export function entropyBackward(
  ctx: GpuContext,
  logits: Storage,
  dy: Storage,
  rows: number,
  cols: number,
): GpuStorage {
  const inputs = [ctx.use(logits, 'f32'), ctx.use(dy, 'f32')];
  return perRow(ctx, entropyBackwardKernel, inputs, rows * cols, rows, cols);
}

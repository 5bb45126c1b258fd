// Host side of fill, cast, unary, unaryBackward, binary and broadcast.
import type { BinaryOp, BroadcastSpec, DType, Storage, UnarySpec } from '../../../backend';
import { broadcastStrides, sizeOf } from '../../../shapes';
import type { GpuContext } from '../context';
import {
  BINARY_CODES,
  BINARY_SHAPE_AT,
  binaryKernel,
  castKernel,
  fillKernel,
  UNARY_CODES,
  unaryBackwardKernel,
  unaryKernel,
} from '../kernels/elementwise.wgsl';
import { gatherStridedKernel, LAYOUT_SHAPE_AT, LAYOUT_STRIDES_AT } from '../kernels/layout.wgsl';
import { Params } from '../params';
import type { GpuStorage } from '../storage';
import { collapse } from './strides';

export function fill(ctx: GpuContext, size: number, value: number, dtype: DType): GpuStorage {
  const out = ctx.alloc(dtype, size);
  const params = new Params().u32(size);
  if (dtype === 'i32') params.i32(Math.trunc(value));
  else params.f32(value);
  ctx.runElements(fillKernel, params, [out], size);
  return out;
}

export function cast(ctx: GpuContext, x: Storage, dtype: DType): GpuStorage {
  const input = ctx.use(x);
  const out = ctx.alloc(dtype, input.size);
  if (input.dtype === dtype) {
    if (input.size > 0) ctx.recorder.copy(input.buffer, out.buffer, input.bytes);
  } else {
    ctx.runElements(castKernel(dtype), new Params().u32(input.size), [input, out], input.size);
  }
  return out;
}

/** Words 2-5: the spec's numbers; pow passes its exponent (and e - 1 for the derivative) with parity flags. */
function unaryParams(spec: UnarySpec, size: number, derivative: boolean): Params {
  const params = new Params().u32(size, UNARY_CODES[spec.kind]);
  if (spec.kind === 'affine') params.f32(spec.scale, spec.shift);
  else if (spec.kind === 'clamp') params.f32(spec.min, spec.max);
  else if (spec.kind === 'pow') {
    const e = spec.exponent;
    const used = derivative ? e - 1 : e;
    const integer = Number.isInteger(used);
    params.f32(e, e - 1).u32(integer ? 1 : 0, integer && Math.abs(used) % 2 === 1 ? 1 : 0);
  }
  return params;
}

export function unary(ctx: GpuContext, spec: UnarySpec, x: Storage): GpuStorage {
  const input = ctx.use(x, 'f32');
  const out = ctx.alloc('f32', input.size);
  ctx.runElements(unaryKernel, unaryParams(spec, input.size, false), [input, out], input.size);
  return out;
}

export function unaryBackward(ctx: GpuContext, spec: UnarySpec, x: Storage, dy: Storage): GpuStorage {
  const input = ctx.use(x, 'f32');
  const out = ctx.alloc('f32', input.size);
  const params = unaryParams(spec, input.size, true);
  ctx.runElements(unaryBackwardKernel, params, [input, ctx.use(dy, 'f32'), out], input.size);
  return out;
}

export function binary(
  ctx: GpuContext,
  op: BinaryOp,
  a: Storage,
  b: Storage,
  shapes: BroadcastSpec,
): GpuStorage {
  const [left, right] = [ctx.use(a), ctx.use(b)];
  const dtype: DType = left.dtype === 'i32' && right.dtype === 'i32' && op !== 'div' ? 'i32' : 'f32';
  const size = sizeOf(shapes.out);
  const out = ctx.alloc(dtype, size);
  const { shape, strides } = collapse('binary', shapes.out, [
    broadcastStrides(shapes.a, shapes.out),
    broadcastStrides(shapes.b, shapes.out),
  ]);
  const params = new Params().u32(size, BINARY_CODES[op], shape.length);
  params.at(BINARY_SHAPE_AT).u32(...shape);
  params.at(BINARY_SHAPE_AT + 8).u32(...(strides[0] as number[]));
  params.at(BINARY_SHAPE_AT + 16).u32(...(strides[1] as number[]));
  ctx.runElements(binaryKernel(left.dtype, right.dtype, dtype), params, [left, right, out], size);
  return out;
}

/** out[i] = x[base + Σ index_d stride_d] over `shape` (collapsed first): broadcast, permute and slice. */
export function gatherStrided(
  ctx: GpuContext,
  x: GpuStorage,
  shape: readonly number[],
  strides: readonly number[],
  base: number,
): GpuStorage {
  const size = sizeOf(shape);
  const out = ctx.alloc(x.dtype, size);
  const collapsed = collapse('layout', shape, [strides]);
  const params = new Params().u32(size, collapsed.shape.length, base);
  params.at(LAYOUT_SHAPE_AT).u32(...collapsed.shape);
  params.at(LAYOUT_STRIDES_AT).u32(...(collapsed.strides[0] as number[]));
  ctx.runElements(gatherStridedKernel, params, [x, out], size);
  return out;
}

export function broadcast(
  ctx: GpuContext,
  x: Storage,
  from: readonly number[],
  to: readonly number[],
): GpuStorage {
  return gatherStrided(ctx, ctx.use(x), to, broadcastStrides(from, to), 0);
}

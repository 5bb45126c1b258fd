// Host side of permute, slice, pad, concat, writeSlice, gatherRows and scatterAddRows.
import type { Storage, WriteSliceSpec } from '../../../backend';
import { sizeOf, stridesOf } from '../../../shapes';
import type { GpuContext } from '../context';
import {
  gatherRowsKernel,
  LAYOUT_SHAPE_AT,
  LAYOUT_STRIDES_AT,
  scatterAddRowsKernel,
  scatterStridedKernel,
} from '../kernels/layout.wgsl';
import { Params } from '../params';
import type { GpuStorage } from '../storage';
import { gatherStrided } from './elementwise';
import { collapse } from './strides';

function offsetOf(begin: readonly number[], strides: readonly number[]): number {
  return begin.reduce((sum, b, axis) => sum + b * (strides[axis] as number), 0);
}

export function permute(
  ctx: GpuContext,
  x: Storage,
  shape: readonly number[],
  perm: readonly number[],
): GpuStorage {
  const inStrides = stridesOf(shape);
  return gatherStrided(
    ctx,
    ctx.use(x),
    perm.map((axis) => shape[axis] as number),
    perm.map((axis) => inStrides[axis] as number),
    0,
  );
}

export function slice(
  ctx: GpuContext,
  x: Storage,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
): GpuStorage {
  const strides = stridesOf(shape);
  return gatherStrided(ctx, ctx.use(x), size, strides, offsetOf(begin, strides));
}

/** out[base + Σ index_d stride_d] = x[i] over x's `shape`. */
function scatterStrided(
  ctx: GpuContext,
  x: GpuStorage,
  out: GpuStorage,
  shape: readonly number[],
  strides: readonly number[],
  base: number,
): void {
  const size = sizeOf(shape);
  const collapsed = collapse('layout', shape, [strides]);
  const params = new Params().u32(size, collapsed.shape.length, base);
  params.at(LAYOUT_SHAPE_AT).u32(...collapsed.shape);
  params.at(LAYOUT_STRIDES_AT).u32(...(collapsed.strides[0] as number[]));
  ctx.runElements(scatterStridedKernel, params, [x, out], size);
}

export function pad(
  ctx: GpuContext,
  x: Storage,
  size: readonly number[],
  begin: readonly number[],
  shape: readonly number[],
): GpuStorage {
  const input = ctx.use(x);
  const out = ctx.alloc(input.dtype, sizeOf(shape));
  if (out.size > 0) ctx.recorder.clear(out.buffer, out.bytes);
  const strides = stridesOf(shape);
  scatterStrided(ctx, input, out, size, strides, offsetOf(begin, strides));
  return out;
}

/** Each part is an [outer, chunk] block written at column `start` of the [outer, Σ chunks] output. */
export function concat(
  ctx: GpuContext,
  xs: readonly Storage[],
  shapes: readonly (readonly number[])[],
  axis: number,
): GpuStorage {
  const parts = xs.map((x) => ctx.use(x));
  const outer = sizeOf((shapes[0] ?? []).slice(0, axis));
  const chunks = shapes.map((shape) => sizeOf(shape.slice(axis)));
  const outChunk = chunks.reduce((n, c) => n + c, 0);
  const out = ctx.alloc(parts[0]?.dtype ?? 'f32', outer * outChunk);
  let start = 0;
  parts.forEach((part, i) => {
    const chunk = chunks[i] as number;
    scatterStrided(ctx, part, out, [outer, chunk], [outChunk, 1], start);
    start += chunk;
  });
  return out;
}

/** In place: x's [outer, count · inner] blocks land at row `offset` of the target's [outer, rows · inner] blocks. */
export function writeSlice(ctx: GpuContext, target: Storage, x: Storage, spec: WriteSliceSpec): void {
  const { outer, rows, inner, offset, count } = spec;
  const source = ctx.use(x);
  const out = ctx.use(target, source.dtype);
  scatterStrided(ctx, source, out, [outer, count * inner], [rows * inner, 1], offset * inner);
}

export function gatherRows(ctx: GpuContext, table: Storage, ids: Storage, cols: number): GpuStorage {
  const [source, index] = [ctx.use(table), ctx.use(ids, 'i32')];
  const out = ctx.alloc(source.dtype, index.size * cols);
  const params = new Params().u32(out.size, cols, cols === 0 ? 0 : source.size / cols);
  ctx.runElements(gatherRowsKernel, params, [source, index, out], out.size);
  return out;
}

export function scatterAddRows(
  ctx: GpuContext,
  ids: Storage,
  src: Storage,
  rows: number,
  cols: number,
): GpuStorage {
  const [index, source] = [ctx.use(ids, 'i32'), ctx.use(src, 'f32')];
  const out = ctx.alloc('f32', rows * cols);
  if (out.size > 0) ctx.recorder.clear(out.buffer, out.bytes);
  const count = index.size * cols;
  ctx.runElements(scatterAddRowsKernel, new Params().u32(count, cols, rows), [index, source, out], count);
  return out;
}

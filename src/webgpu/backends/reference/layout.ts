// Reference layout and indexing kernels: permute, slice, pad, concat, in-place slice write, gather rows, scatter-add rows.
import type { WriteSliceSpec } from '../../backend';
import { stridesOf } from '../../shapes';
import type { NumArray } from './arrays';
import { at, forEachIndex2 } from './arrays';

export function permuteKernel(
  x: NumArray,
  shape: readonly number[],
  perm: readonly number[],
  out: NumArray,
): void {
  const inStrides = stridesOf(shape);
  const outShape = perm.map((axis) => shape[axis] as number);
  const gatherStrides = perm.map((axis) => inStrides[axis] as number);
  forEachIndex2(outShape, gatherStrides, stridesOf(outShape), (i, ix) => {
    out[i] = at(x, ix);
  });
}

function offsetOf(begin: readonly number[], strides: readonly number[]): number {
  return begin.reduce((sum, b, axis) => sum + b * (strides[axis] as number), 0);
}

export function sliceKernel(
  x: NumArray,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  out: NumArray,
): void {
  const strides = stridesOf(shape);
  const base = offsetOf(begin, strides);
  forEachIndex2(size, strides, stridesOf(size), (i, ix) => {
    out[i] = at(x, base + ix);
  });
}

export function padKernel(
  x: NumArray,
  size: readonly number[],
  begin: readonly number[],
  shape: readonly number[],
  out: NumArray,
): void {
  out.fill(0);
  const strides = stridesOf(shape);
  const base = offsetOf(begin, strides);
  forEachIndex2(size, strides, stridesOf(size), (i, io) => {
    out[base + io] = at(x, i);
  });
}

export function concatKernel(
  xs: readonly NumArray[],
  shapes: readonly (readonly number[])[],
  axis: number,
  out: NumArray,
): void {
  const outer = (shapes[0] ?? []).slice(0, axis).reduce((n, d) => n * d, 1);
  const chunks = shapes.map((shape) => shape.slice(axis).reduce((n, d) => n * d, 1));
  const outChunk = chunks.reduce((n, c) => n + c, 0);
  let start = 0;
  xs.forEach((x, part) => {
    const chunk = at(chunks, part);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < chunk; j++) out[o * outChunk + start + j] = at(x, o * chunk + j);
    }
    start += chunk;
  });
}

/**
 * In place: each of x's `outer` blocks of count · inner contiguous values lands in the target's block at row
 * `offset`. Typed-array copies, so on the wasm heap this is a memmove per block.
 */
export function writeSliceKernel(target: NumArray, x: NumArray, spec: WriteSliceSpec): void {
  const { outer, rows, inner, offset, count } = spec;
  const block = count * inner;
  for (let o = 0; o < outer; o++) {
    target.set(x.subarray(o * block, (o + 1) * block), (o * rows + offset) * inner);
  }
}

function checkedRow(ids: NumArray, i: number, rows: number, op: string): number {
  const id = at(ids, i);
  if (id < 0 || id >= rows) throw new RangeError(`${op}: id ${id} at ${i} is outside [0, ${rows})`);
  return id;
}

export function gatherRowsKernel(table: NumArray, ids: NumArray, cols: number, out: NumArray): void {
  const rows = table.length / cols;
  for (let i = 0; i < ids.length; i++) {
    const row = checkedRow(ids, i, rows, 'gatherRows');
    for (let j = 0; j < cols; j++) out[i * cols + j] = at(table, row * cols + j);
  }
}

export function scatterAddRowsKernel(
  ids: NumArray,
  src: NumArray,
  rows: number,
  cols: number,
  out: NumArray,
): void {
  const acc = new Float64Array(rows * cols);
  for (let i = 0; i < ids.length; i++) {
    const row = checkedRow(ids, i, rows, 'scatterAddRows');
    for (let j = 0; j < cols; j++) acc[row * cols + j] = at(acc, row * cols + j) + at(src, i * cols + j);
  }
  out.set(acc);
}

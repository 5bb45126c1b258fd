// Shape arithmetic shared by ops and backends: sizes, strides, broadcasting, axis normalisation.
import { fmtShape, ShapeError } from './errors';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/** Row-major strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i] as number;
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

/** Numpy broadcasting of two shapes, right-aligned; throws ShapeError naming `op` when they do not broadcast. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(op, `shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Maps a possibly negative axis into [0, rank). */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  const normalized = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(normalized) || normalized < 0 || normalized >= rank) {
    throw new ShapeError(op, `axis ${axis} is out of range for rank ${rank}`);
  }
  return normalized;
}

/** Element strides of `from` when broadcast to `to` (0 on broadcast axes); `from` is right-aligned. */
export function broadcastStrides(from: Shape, to: Shape): number[] {
  const own = stridesOf(from);
  const offset = to.length - from.length;
  return to.map((dim, i) => {
    const j = i - offset;
    if (j < 0) return 0;
    return from[j] === 1 && dim !== 1 ? 0 : (own[j] as number);
  });
}

/** Checks that a shape is a list of non-negative integers. */
export function assertValidShape(op: string, shape: Shape): void {
  if (!shape.every((dim) => Number.isInteger(dim) && dim >= 0)) {
    throw new ShapeError(op, `invalid shape ${fmtShape(shape)}`);
  }
}

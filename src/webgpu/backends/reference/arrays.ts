// Typed-array aliases and small helpers shared by the reference kernels.

/** Float storage: f32 normally, f64 when the backend runs in gradient-check precision. */
export type FloatArray = Float32Array | Float64Array;
export type NumArray = FloatArray | Int32Array;

/**
 * Visits every multi-index of `shape` in row-major order, giving the flat output index and the offsets into two
 * inputs with the given element strides (0 strides broadcast). An odometer avoids per-element div/mod.
 */
export function forEachIndex2(
  shape: readonly number[],
  stridesA: readonly number[],
  stridesB: readonly number[],
  visit: (flat: number, offsetA: number, offsetB: number) => void,
): void {
  const rank = shape.length;
  const total = shape.reduce((n, d) => n * d, 1);
  if (total === 0) return;
  const index = new Array<number>(rank).fill(0);
  let offsetA = 0;
  let offsetB = 0;
  for (let flat = 0; flat < total; flat++) {
    visit(flat, offsetA, offsetB);
    for (let axis = rank - 1; axis >= 0; axis--) {
      const dim = shape[axis] as number;
      const next = (index[axis] as number) + 1;
      if (next < dim) {
        index[axis] = next;
        offsetA += stridesA[axis] as number;
        offsetB += stridesB[axis] as number;
        break;
      }
      index[axis] = 0;
      offsetA -= (dim - 1) * (stridesA[axis] as number);
      offsetB -= (dim - 1) * (stridesB[axis] as number);
    }
  }
}

/** Reads element i; the arrays are sized by the backend, so an out-of-range read is an engine bug. */
export function at(array: ArrayLike<number>, i: number): number {
  return array[i] as number;
}

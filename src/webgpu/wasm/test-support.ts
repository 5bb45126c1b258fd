// Test helpers for the wasm kernels: random inputs, NaN-poisoned outputs, and plain f64 reference loops with error bounds.
import type { F32Region, WasmHeap } from './heap';

const F32_EPSILON = 2 ** -24;

export function randomArray(length: number, spread = 1): Float32Array {
  return Float32Array.from({ length }, () => (Math.random() * 2 - 1) * spread);
}

export function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** A heap region filled with NaN, so any element a kernel forgets to write fails the comparison. */
export function poisonedRegion(heap: WasmHeap, length: number): F32Region {
  const region = heap.allocF32(length);
  region.view().fill(Number.NaN);
  return region;
}

export interface ReferenceMatmul {
  /** op(A)·op(B) (+ C0) in f64. */
  values: Float64Array;
  /** Σ|a||b| (+ |C0|) per element: rounding error of an f32 dot product is bounded relative to it. */
  magnitudes: Float64Array;
}

export interface MatmulCase {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  batch: number;
}

/** Triple loop in f64 over contiguous batch items; A is m×k (k×m when transA), B is k×n (n×k when transB). */
export function referenceMatmul(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  shape: MatmulCase,
  initial?: ArrayLike<number>,
): ReferenceMatmul {
  const { m, n, k, batch } = shape;
  const values = new Float64Array(batch * m * n);
  const magnitudes = new Float64Array(batch * m * n);
  for (let item = 0; item < batch; item++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const out = item * m * n + i * n + j;
        let sum = initial ? (initial[out] ?? 0) : 0;
        let magnitude = Math.abs(sum);
        for (let p = 0; p < k; p++) {
          const av = a[item * m * k + (shape.transA ? p * m + i : i * k + p)] ?? 0;
          const bv = b[item * k * n + (shape.transB ? j * k + p : p * n + j)] ?? 0;
          sum += av * bv;
          magnitude += Math.abs(av * bv);
        }
        values[out] = sum;
        magnitudes[out] = magnitude;
      }
    }
  }
  return { values, magnitudes };
}

/**
 * Index and size of the first element outside the f32 error bound (k + 2)·ε·Σ|a||b| (recursive summation), or
 * undefined when all are within it. NaN anywhere (an unwritten element) counts as outside.
 */
export function firstMatmulMismatch(
  actual: ArrayLike<number>,
  expected: ReferenceMatmul,
  k: number,
  extraRelative = 0,
): { index: number; actual: number; expected: number } | undefined {
  const bound = (k + 2) * F32_EPSILON + extraRelative;
  for (let index = 0; index < expected.values.length; index++) {
    const got = actual[index] ?? Number.NaN;
    const want = expected.values[index] ?? 0;
    const allowed = bound * (expected.magnitudes[index] ?? 0) + 1e-30;
    if (!(Math.abs(got - want) <= allowed)) return { index, actual: got, expected: want };
  }
  return undefined;
}

/** Largest |actual − expected| / max(|expected|, floor); NaN if any value is NaN. */
export function maxRelativeError(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  floor = 1e-6,
): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const got = actual[i] ?? Number.NaN;
    const want = expected[i] ?? 0;
    const error = Math.abs(got - want) / Math.max(Math.abs(want), floor);
    if (Number.isNaN(error)) return Number.NaN;
    worst = Math.max(worst, error);
  }
  return worst;
}

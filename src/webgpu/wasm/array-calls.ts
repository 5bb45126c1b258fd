// Float32Array-in, Float32Array-out versions of the kernels for tests and benchmarks (copies through the heap).
import type { WasmKernels } from './kernels';
import type { QuantizedWeights } from './quantize';
import type { HalfWeights } from './quantize-f16';

export interface ArrayMatmulShape {
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  batch?: number;
  /** Starting value of C when accumulating (C = c + A·B). */
  c?: Float32Array;
  threads?: number;
}

/** C = op(A)·op(B) (+ c) over contiguous batch×matrices. */
export function matmulArrays(
  kernels: WasmKernels,
  a: Float32Array,
  b: Float32Array,
  shape: ArrayMatmulShape,
): Float32Array {
  const { heap } = kernels;
  const batch = shape.batch ?? 1;
  const aRegion = heap.fromF32(a);
  const bRegion = heap.fromF32(b);
  const cRegion = shape.c ? heap.fromF32(shape.c) : heap.allocF32(batch * shape.m * shape.n);
  try {
    kernels.matmul({ ...shape, a: aRegion, b: bRegion, c: cRegion, accumulate: shape.c !== undefined });
    return cRegion.view().slice();
  } finally {
    [aRegion, bRegion, cRegion].forEach((region) => heap.free(region));
  }
}

/** C = A · Wᵀ for m×k activations and quantised n×k weights. */
export function matmulQuantizedArrays(
  kernels: WasmKernels,
  a: Float32Array,
  weights: QuantizedWeights,
  m: number,
  threads?: number,
): Float32Array {
  const { heap } = kernels;
  const aRegion = heap.fromF32(a);
  const heapWeights = kernels.uploadQuantized(weights);
  const cRegion = heap.allocF32(m * weights.n);
  try {
    kernels.matmulQuantized({ a: aRegion, weights: heapWeights, c: cRegion, m, threads });
    return cRegion.view().slice();
  } finally {
    heap.free(aRegion);
    heap.free(cRegion);
    kernels.freeQuantized(heapWeights);
  }
}

/** C = A · Wᵀ (m×k activations) or, transposed, A · W (m×n activations) for f16 n×k weights. */
export function matmulF16Arrays(
  kernels: WasmKernels,
  a: Float32Array,
  weights: HalfWeights,
  m: number,
  options: { transposed?: boolean; threads?: number } = {},
): Float32Array {
  const { heap } = kernels;
  const aRegion = heap.fromF32(a);
  const heapWeights = kernels.uploadHalf(weights);
  const cRegion = heap.allocF32(m * (options.transposed ? weights.k : weights.n));
  try {
    kernels.matmulF16({ a: aRegion, weights: heapWeights, c: cRegion, m, ...options });
    return cRegion.view().slice();
  } finally {
    heap.free(aRegion);
    heap.free(cRegion);
    kernels.freeHalf(heapWeights);
  }
}

/** Runs a unary row/elementwise kernel on a copy of x and returns the result. */
export function mapArray(
  kernels: WasmKernels,
  x: Float32Array,
  apply: (input: number, output: number) => void,
): Float32Array {
  const input = kernels.heap.fromF32(x);
  const output = kernels.heap.allocF32(x.length);
  try {
    apply(input.ptr, output.ptr);
    return output.view().slice();
  } finally {
    kernels.heap.free(input);
    kernels.heap.free(output);
  }
}

// The wasm module's exports: matmul (f32, batched, transposes), int8/int4 and f16 weight matmul, and SIMD row/elementwise kernels.
import { B_F16, B_F16_TRANSPOSED, B_F32, B_F32_TRANSPOSED, B_INT4, B_INT8 } from './pack';
import { gemm, gemmScratchBytes } from './gemm';

export {
  addRows,
  mulRows,
  scale,
  axpy,
  softmaxRows,
  rmsnormRows,
  silu,
  gelu,
  siluBackward,
  geluBackward,
  ropeRows,
  logSoftmaxGatherRows,
  logSoftmaxGatherBackwardRows,
  rmsnormBackwardRows,
} from './elementwise';
export { adamwUpdate } from './adamw';
export { attentionSoftmaxRows, attentionProbabilityRows, attentionScoreGradRows } from './attention';

/** First byte the host allocator may use: everything below belongs to the module's static data. */
export function heapBase(): usize {
  return __heap_base;
}

/** Scratch bytes a thread must pass to the matmul calls. */
export function matmulScratchBytes(): usize {
  return gemmScratchBytes();
}

/**
 * batch × (C[m×n] = op(A) · op(B) (+ C)). A is m×k (k×m when transA), B is k×n (n×k when transB), row-major with
 * leading dimensions lda/ldb/ldc in elements; consecutive batch items are strideA/B/C elements apart (0 = shared).
 */
export function matmulF32(
  batch: i32,
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  lda: i32,
  strideA: i32,
  transA: bool,
  b: usize,
  ldb: i32,
  strideB: i32,
  transB: bool,
  c: usize,
  ldc: i32,
  strideC: i32,
  accumulate: bool,
  scratch: usize,
): void {
  const kind = transB ? B_F32_TRANSPOSED : B_F32;
  for (let i = 0; i < batch; i++) {
    const ai = a + <usize>i * <usize>strideA * 4;
    const bi = b + <usize>i * <usize>strideB * 4;
    const ci = c + <usize>i * <usize>strideC * 4;
    gemm(m, n, k, ai, lda, transA, kind, bi, ldb, 0, 0, 1, ci, ldc, accumulate, scratch);
  }
}

/**
 * C[m×n] = A[m×k] · Wᵀ (+ C) with W an n×k int8 (bits = 8) or int4 (bits = 4) matrix, rows ldw bytes apart,
 * dequantised as q · scales[row · ldScales + k / groupSize] (int4: q is the nibble minus 8, low nibble first).
 */
export function matmulQuantized(
  bits: i32,
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  lda: i32,
  w: usize,
  ldw: i32,
  scales: usize,
  ldScales: i32,
  groupSize: i32,
  c: usize,
  ldc: i32,
  accumulate: bool,
  scratch: usize,
): void {
  const kind = bits == 4 ? B_INT4 : B_INT8;
  gemm(m, n, k, a, lda, false, kind, w, ldw, scales, ldScales, groupSize, c, ldc, accumulate, scratch);
}

/**
 * C[m×n] = A[m×k] · op(B) (+ C) with B IEEE halves, widened to f32 while packed: n×k rows (transB, a Linear's
 * weight used as x · Wᵀ) or k×n (x · W, its input gradient); ldb is in halves.
 */
export function matmulF16(
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  transB: bool,
  c: usize,
  ldc: i32,
  accumulate: bool,
  scratch: usize,
): void {
  const kind = transB ? B_F16_TRANSPOSED : B_F16;
  gemm(m, n, k, a, lda, false, kind, b, ldb, 0, 0, 1, c, ldc, accumulate, scratch);
}

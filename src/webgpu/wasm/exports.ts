// The typed surface of kernels.wasm: every export's signature, and the fixed list workers use to call them by index.

/** Pointers are byte offsets into the shared linear memory; booleans cross the boundary as 0/1. */
export interface KernelExports {
  heapBase(): number;
  matmulScratchBytes(): number;
  matmulF32(
    batch: number,
    m: number,
    n: number,
    k: number,
    a: number,
    lda: number,
    strideA: number,
    transA: number,
    b: number,
    ldb: number,
    strideB: number,
    transB: number,
    c: number,
    ldc: number,
    strideC: number,
    accumulate: number,
    scratch: number,
  ): void;
  matmulQuantized(
    bits: number,
    m: number,
    n: number,
    k: number,
    a: number,
    lda: number,
    w: number,
    ldw: number,
    scales: number,
    ldScales: number,
    groupSize: number,
    c: number,
    ldc: number,
    accumulate: number,
    scratch: number,
  ): void;
  matmulF16(
    m: number,
    n: number,
    k: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    transB: number,
    c: number,
    ldc: number,
    accumulate: number,
    scratch: number,
  ): void;
  addRows(a: number, b: number, out: number, rows: number, cols: number, broadcastRow: number): void;
  mulRows(a: number, b: number, out: number, rows: number, cols: number, broadcastRow: number): void;
  scale(a: number, out: number, n: number, s: number): void;
  axpy(x: number, y: number, out: number, n: number, alpha: number): void;
  softmaxRows(x: number, out: number, rows: number, cols: number): void;
  rmsnormRows(x: number, weight: number, out: number, rows: number, cols: number, eps: number): void;
  silu(x: number, out: number, n: number): void;
  gelu(x: number, out: number, n: number): void;
  siluBackward(x: number, dy: number, out: number, n: number): void;
  geluBackward(x: number, dy: number, out: number, n: number): void;
  ropeRows(
    x: number,
    table: number,
    out: number,
    rows: number,
    heads: number,
    headDim: number,
    inverse: number,
  ): void;
  logSoftmaxGatherRows(
    logits: number,
    ids: number,
    out: number,
    rows: number,
    cols: number,
    scratch: number,
  ): void;
  logSoftmaxGatherBackwardRows(
    logits: number,
    ids: number,
    dy: number,
    out: number,
    rows: number,
    cols: number,
  ): void;
  rmsnormBackwardRows(
    x: number,
    weight: number,
    dy: number,
    dx: number,
    dWeight: number,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  adamwUpdate(
    param: number,
    grad: number,
    m: number,
    v: number,
    n: number,
    gradScale: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    biasCorrection1: number,
    biasCorrection2: number,
  ): void;
  attentionSoftmaxRows(...args: AttentionRowArgs): void;
  attentionProbabilityRows(...args: AttentionRowArgs): void;
  attentionScoreGradRows(
    grads: number,
    probs: number,
    out: number,
    dOut: number,
    tq: number,
    tk: number,
    d: number,
    rowStride: number,
    scale: number,
  ): void;
}

/** scores, mask (0 = none), tq, tk, scale, causal (0/1), queryOffset, lse. */
type AttentionRowArgs = [
  scores: number,
  mask: number,
  tq: number,
  tk: number,
  scale: number,
  causal: number,
  queryOffset: number,
  lse: number,
];

/** Kernels the thread pool can run; workers look them up by position in this list, so only append. */
export const POOL_KERNELS = ['matmulF32', 'matmulQuantized', 'matmulF16'] as const;
export type PoolKernel = (typeof POOL_KERNELS)[number];

export function asKernelExports(instance: WebAssembly.Instance): KernelExports {
  const exported = instance.exports as unknown as Partial<KernelExports>;
  if (typeof exported.matmulF32 !== 'function' || typeof exported.heapBase !== 'function')
    throw new Error('kernels.wasm does not have the expected exports; run npm run build:kernels');
  return exported as KernelExports;
}

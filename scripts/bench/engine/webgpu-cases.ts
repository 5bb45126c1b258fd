// The shapes the WebGPU side measures: small, since SwiftShader (Chromium's CPU WebGPU) runs ~0.5 GFLOP/s.

export interface GpuMatmulCase {
  label: string;
  m: number;
  k: number;
  n: number;
  /** W stored [n, k] and used transposed (the linear layout). */
  linear: boolean;
}

export const GPU_MATMULS: GpuMatmulCase[] = [
  { label: '128³', m: 128, k: 128, n: 128, linear: false },
  { label: '256³', m: 256, k: 256, n: 256, linear: false },
  { label: 'q 64×192→192', m: 64, k: 192, n: 192, linear: true },
  { label: 'ffn 64×192→768', m: 64, k: 192, n: 768, linear: true },
];

export const GPU_ATTENTION = { batch: 1, tokens: 64, heads: 6, kvHeads: 2, headDim: 32 };

/** What the page reports back: median ms per contender per case. */
export interface GpuCaseResult {
  label: string;
  flops: number;
  ms: Record<string, number>;
}

export interface GpuPageResult {
  adapter: string;
  cases: GpuCaseResult[];
  error?: string;
}

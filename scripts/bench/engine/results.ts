// The shape of the engine suite's figures: one row per case, milliseconds (and GFLOP/s) per contender.

export interface EngineRow {
  section: 'matmul' | 'attention' | 'training' | 'decode' | 'webgpu';
  /** What was run, e.g. "mlp 256×192→768 int8". */
  label: string;
  /** Floating-point operations of one call (0 when a rate makes no sense). */
  flops: number;
  ms: Record<string, number>;
  gflops: Record<string, number>;
  /** Largest |ours − a peer| relative to the peer's largest magnitude, when a peer computed the same values. */
  agreement?: number;
}

export function rowOf(
  section: EngineRow['section'],
  label: string,
  flops: number,
  ms: Map<string, number>,
): EngineRow {
  const entries = [...ms];
  return {
    section,
    label,
    flops,
    ms: Object.fromEntries(entries),
    gflops: flops > 0 ? Object.fromEntries(entries.map(([name, t]) => [name, flops / t / 1e6])) : {},
  };
}

/** max |a − b| / max |b|: both sides computed the same product. */
export function relativeDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
    scale = Math.max(scale, Math.abs(b[i] ?? 0));
  }
  return worst / (scale || 1);
}

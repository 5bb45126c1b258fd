// Subnormal inputs: f32 matmul time with a share of subnormal activations relative to clean ones, ours vs onnxruntime-web.
import type { WasmKernels } from '../../src/webgpu/wasm/kernels';
import { formatTable, timeInterleaved, type Contender } from './harness';
import { jsMatmul } from './peers/js-matmul';
import { matmulModel } from './peers/onnx-models';
import { createOrtRunner } from './peers/ort';

/**
 * The decoder's backward GEMMs where subnormals showed up in training (a softmax over the 2342-word vocabulary puts
 * ≈ 10% of its probabilities below 2^-126): the LM head's input gradient and a projection's.
 */
export const SUBNORMAL_SHAPES = [
  { label: 'head grad 1024×2342→96', m: 1024, k: 2342, n: 96 },
  { label: 'proj grad 3536×96→96', m: 3536, k: 96, n: 96 },
] as const;
/** Shares of the activations replaced by a subnormal (1e-40), the first the clean baseline. */
export const SUBNORMAL_SHARES = [0, 0.1, 0.5] as const;
const SUBNORMAL = 1e-40;
const JS_MAX_RUNS = 3;

export interface SubnormalResult {
  label: string;
  /** Median ms per `${implementation} ${share}`. */
  ms: Record<string, number>;
}

/** Activations with `share` of their entries subnormal, at seeded positions so every implementation sees the same. */
function activationsWithSubnormals(length: number, share: number, seed: number): Float32Array {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return Float32Array.from({ length }, () => (next() < share ? SUBNORMAL : next() * 2 - 1));
}

/** Ours (1 thread), onnxruntime-web wasm and the plain JS loop on every share, interleaved in one round per shape. */
export async function benchSubnormals(kernels: WasmKernels, runs: number): Promise<SubnormalResult[]> {
  const results: SubnormalResult[] = [];
  for (const shape of SUBNORMAL_SHAPES) {
    const { m, k, n } = shape;
    const weights = activationsWithSubnormals(k * n, 0, 7);
    const b = kernels.heap.fromF32(weights);
    const c = kernels.heap.allocF32(m * n);
    const contenders: Contender[] = [];
    const regions = [b, c];
    for (const share of SUBNORMAL_SHARES) {
      const data = activationsWithSubnormals(m * k, share, 11);
      const a = kernels.heap.fromF32(data);
      regions.push(a);
      contenders.push({ name: `ours ${share}`, run: () => kernels.matmul({ a, b, c, m, n, k }) });
      const ort = await createOrtRunner('web', matmulModel(m, k, n, weights), { data, dims: [m, k] });
      contenders.push({ name: `ort-web ${share}`, run: ort.run });
      const out = new Float32Array(m * n);
      contenders.push({
        name: `js ${share}`,
        run: () => jsMatmul(data, weights, out, m, n, k),
        maxRuns: JS_MAX_RUNS,
      });
    }
    const ms = Object.fromEntries(await timeInterleaved(contenders, runs));
    regions.forEach((region) => kernels.heap.free(region));
    results.push({ label: shape.label, ms });
    console.error(`  subnormals ${shape.label}: ${JSON.stringify(ms)}`);
  }
  return results;
}

/** Time with subnormals relative to clean inputs, per implementation (1.00 = unaffected). */
export function subnormalsReport(results: readonly SubnormalResult[]): string {
  const implementations = ['ours', 'ort-web', 'js'];
  const dirty = SUBNORMAL_SHARES.filter((share) => share > 0);
  const header = [
    'case',
    'ours clean ms',
    ...implementations.flatMap((name) => dirty.map((share) => `${name} ${share * 100}%`)),
  ];
  const rows = results.map((result) => {
    const slowdown = (name: string, share: number) =>
      ((result.ms[`${name} ${share}`] ?? NaN) / (result.ms[`${name} 0`] ?? NaN)).toFixed(2);
    return [
      result.label,
      (result.ms['ours 0'] ?? NaN).toFixed(2),
      ...implementations.flatMap((name) => dirty.map((share) => slowdown(name, share))),
    ];
  });
  return formatTable(header, rows);
}

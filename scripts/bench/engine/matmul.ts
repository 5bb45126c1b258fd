// Matmul through the Backend API (f32, and int8/int4/f16 matmulQuantized) on each engine backend vs onnxruntime-web and plain JS.
import type { Backend, MatmulSpec, Storage } from '../../../src/webgpu/backend';
import { QuantizedTensor } from '../../../src/webgpu/quantized';
import { Random } from '../../../src/webgpu/random';
import { quantizeWeights, type WeightBits } from '../../../src/webgpu/wasm/quantize';
import { dequantizeHalfWeights, quantizeHalfWeights } from '../../../src/webgpu/wasm/quantize-f16';
import { timeInterleaved, type Contender } from '../harness';
import { jsMatmul } from '../peers/js-matmul';
import { matmulModel, matmulNBitsModel } from '../peers/onnx-models';
import { createOrtRunner } from '../peers/ort';
import type { EngineBackends } from './backends';
import { relativeDifference, rowOf, type EngineRow } from './results';

export type MatmulDtype = 'f32' | 'int8' | 'int4' | 'f16';

export interface MatmulShape {
  label: string;
  m: number;
  k: number;
  n: number;
  /** Linear-layer layout: the weight is [n, k] and used transposed (what every `linear` runs). */
  linear: boolean;
}

const square = (s: number): MatmulShape => ({ label: `${s}³`, m: s, k: s, n: s, linear: false });
const linear = (label: string, m: number, k: number, n: number): MatmulShape => ({
  label,
  m,
  k,
  n,
  linear: true,
});

/** Square sizes, then the nano policy's projections: tokens × d_model → d / ffn / vocab. */
export const MATMUL_SHAPES: MatmulShape[] = [
  square(256),
  square(512),
  square(1024),
  linear('q 64×192→192', 64, 192, 192),
  linear('ffn 64×192→768', 64, 192, 768),
  linear('head 64×192→1000', 64, 192, 1000),
  linear('ffn 256×192→768', 256, 192, 768),
  linear('down 256×768→192', 256, 768, 192),
  linear('q 256×384→384', 256, 384, 384),
  linear('head 256×384→1000', 256, 384, 1000),
];
export const QUICK_MATMUL_SHAPES = [MATMUL_SHAPES[0], MATMUL_SHAPES[4]] as MatmulShape[];
export const MATMUL_DTYPES: MatmulDtype[] = ['f32', 'int8', 'int4', 'f16'];
const GROUP_SIZE = 32;
/** Slow contenders (reference, JS loop) get this many timed runs on shapes above a GFLOP. */
const SLOW_MAX_RUNS = 3;

/** One shape and dtype: every backend, onnxruntime-web (1 thread) and, for f32, the JS loop, interleaved. */
export async function benchMatmul(
  backends: EngineBackends,
  shape: MatmulShape,
  dtype: MatmulDtype,
  runs: number,
): Promise<EngineRow> {
  const { m, k, n } = shape;
  const rng = new Random(m * 7 + n);
  const activations = Float32Array.from(rng.normals(m * k));
  // Stored as the op reads it: [n, k] for a linear layer (and always for quantized weights), [k, n] otherwise.
  const weights = Float32Array.from(rng.normals(n * k));
  const kxn = shape.linear || dtype !== 'f32' ? transpose(weights, n, k) : weights;
  const flops = 2 * m * n * k;
  const slow = flops > 1e9 ? SLOW_MAX_RUNS : undefined;
  const contenders: Contender[] = [];
  const outputs = new Map<string, () => Promise<Float32Array>>();
  const cleanups: (() => void)[] = [];
  for (const { name, backend } of backends.list) {
    const ours = backendCase(backend, shape, dtype, activations, weights);
    contenders.push({ name, run: ours.run, ...(name === 'reference' && slow ? { maxRuns: slow } : {}) });
    outputs.set(name, ours.output);
    cleanups.push(ours.free);
  }
  const quantized = isInteger(dtype) ? quantizeWeights(weights, n, k, bitsOf(dtype), GROUP_SIZE) : undefined;
  // onnxruntime-web has no f16 MatMul on wasm: its peer for f16 is the f32 MatMul on the same rounded weights.
  const halves =
    dtype === 'f16' ? Float32Array.from(dequantizeHalfWeights(quantizeHalfWeights(weights, n, k))) : null;
  const model = quantized
    ? matmulNBitsModel(m, quantized)
    : matmulModel(m, k, n, halves ? transpose(halves, n, k) : kxn);
  const ort = await createOrtRunner('web', model, { data: activations, dims: [m, k] });
  contenders.push({ name: 'ort-web 1t', run: ort.run });
  if (dtype === 'f32') {
    const c = new Float32Array(m * n);
    contenders.push({ name: 'js', run: () => jsMatmul(activations, kxn, c, m, n, k), maxRuns: slow });
  }
  const ms = await timeInterleaved(contenders, runs);
  const row = rowOf('matmul', `${shape.label} ${dtype}`, flops, ms);
  const ours = await outputs.get(backends.list[1]?.name ?? '')?.();
  if (ours) row.agreement = relativeDifference(ours, await ort.output());
  cleanups.forEach((free) => free());
  return row;
}

/** Uploads the operands once; `run` computes and frees one product. */
function backendCase(
  backend: Backend,
  shape: MatmulShape,
  dtype: MatmulDtype,
  activations: Float32Array,
  weights: Float32Array,
): { run: () => void; output: () => Promise<Float32Array>; free: () => void } {
  const { m, k, n } = shape;
  const x = backend.upload(activations, 'f32');
  let compute: () => Storage;
  let freeWeights: () => void;
  if (dtype === 'f32') {
    const w = backend.upload(weights, 'f32');
    const spec: MatmulSpec = {
      batch: [],
      batchA: [],
      batchB: [],
      m,
      k,
      n,
      transA: false,
      transB: shape.linear,
    };
    compute = () => backend.matmul(x, w, spec);
    freeWeights = () => backend.free(w);
  } else {
    const host =
      dtype === 'f16'
        ? quantizeHalfWeights(weights, n, k)
        : quantizeWeights(weights, n, k, bitsOf(dtype), GROUP_SIZE);
    const q = QuantizedTensor.upload(host, backend);
    const matmulQuantized = backend.matmulQuantized?.bind(backend);
    if (!matmulQuantized) throw new Error(`${backend.name} has no matmulQuantized`);
    compute = () => matmulQuantized(x, q.weight, m, false);
    freeWeights = () => q.dispose();
  }
  return {
    run: () => backend.free(compute()),
    output: async () => {
      const out = compute();
      const data = (await backend.read(out)) as Float32Array;
      backend.free(out);
      return data;
    },
    free: () => {
      backend.free(x);
      freeWeights();
    },
  };
}

function isInteger(dtype: MatmulDtype): dtype is 'int8' | 'int4' {
  return dtype === 'int8' || dtype === 'int4';
}

function bitsOf(dtype: 'int8' | 'int4'): WeightBits {
  return dtype === 'int8' ? 8 : 4;
}

/** [rows, cols] → [cols, rows]. */
function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c] ?? 0;
  return out;
}

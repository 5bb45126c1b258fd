// Browser side of the WebGPU figures: WebGpuBackend matmul (f32, int8/f16 weights)/attention vs onnxruntime-web's webgpu EP, results on window.
import type { AttentionSpec, Backend, MatmulSpec } from '../../../src/webgpu/backend';
import { WebGpuBackend } from '../../../src/webgpu/backends/webgpu';
import { QuantizedTensor, type PackedWeights } from '../../../src/webgpu/quantized';
import { Random } from '../../../src/webgpu/random';
import { quantizeWeights } from '../../../src/webgpu/wasm/quantize';
import { quantizeHalfWeights } from '../../../src/webgpu/wasm/quantize-f16';
import { configureOnnxRuntime, ort } from '../../../src/model/ort-env';
import { matmulModel } from '../peers/onnx-models';
import {
  GPU_ATTENTION,
  GPU_MATMULS,
  type GpuCaseResult,
  type GpuMatmulCase,
  type GpuPageResult,
} from './webgpu-cases';

const RUNS = 5;

declare global {
  interface Window {
    engineBench?: GpuPageResult;
  }
}

/** Median ms of `run` (which must wait for its result) after one warm-up (pipeline compilation). */
async function timeMedian(run: () => Promise<void>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return [...times].sort((a, b) => a - b)[Math.floor(RUNS / 2)] ?? NaN;
}

/** Our matmul from enqueue to the read resolving (the read is what waits for the GPU). */
async function oursMatmul(
  backend: Backend,
  c: GpuMatmulCase,
  a: Float32Array,
  w: Float32Array,
): Promise<number> {
  const spec: MatmulSpec = {
    batch: [],
    batchA: [],
    batchB: [],
    m: c.m,
    k: c.k,
    n: c.n,
    transA: false,
    transB: c.linear,
  };
  const [sa, sw] = [backend.upload(a, 'f32'), backend.upload(w, 'f32')];
  const ms = await timeMedian(async () => {
    const out = backend.matmul(sa, sw, spec);
    await backend.read(out);
    backend.free(out);
  });
  [sa, sw].forEach((s) => backend.free(s));
  return ms;
}

/** x·Wᵀ through matmulQuantized on packed weights, timed like oursMatmul. */
async function oursPacked(
  backend: Backend,
  c: GpuMatmulCase,
  a: Float32Array,
  host: PackedWeights,
): Promise<number> {
  const x = backend.upload(a, 'f32');
  const weight = QuantizedTensor.upload(host, backend);
  const matmul = backend.matmulQuantized?.bind(backend);
  if (!matmul) throw new Error(`${backend.name} has no matmulQuantized`);
  const ms = await timeMedian(async () => {
    const out = matmul(x, weight.weight, c.m, false);
    await backend.read(out);
    backend.free(out);
  });
  backend.free(x);
  weight.dispose();
  return ms;
}

/** onnxruntime-web's webgpu EP on the one-node MatMul model, output read back to the CPU as ours is. */
async function ortMatmul(c: GpuMatmulCase, a: Float32Array, kxn: Float32Array): Promise<number> {
  const session = await ort.InferenceSession.create(matmulModel(c.m, c.k, c.n, kxn), {
    executionProviders: ['webgpu'],
  });
  const feeds = { a: new ort.Tensor('float32', a, [c.m, c.k]) };
  const ms = await timeMedian(async () => {
    const result = await session.run(feeds);
    await result.y?.getData();
  });
  await session.release();
  return ms;
}

/** f32 against onnxruntime; linear shapes also with int8 (group 32) and f16 weights, labelled `<shape> <dtype>`. */
async function matmulCases(backend: Backend, c: GpuMatmulCase): Promise<GpuCaseResult[]> {
  const rng = new Random(c.m + c.n);
  const a = Float32Array.from(rng.normals(c.m * c.k));
  const w = Float32Array.from(rng.normals(c.n * c.k));
  const kxn = c.linear ? transpose(w, c.n, c.k) : w;
  const flops = 2 * c.m * c.n * c.k;
  const ms = { webgpu: await oursMatmul(backend, c, a, w), 'ort-webgpu': await ortMatmul(c, a, kxn) };
  const cases: GpuCaseResult[] = [{ label: `matmul ${c.label} f32`, flops, ms }];
  if (!c.linear) return cases;
  const packed = { int8: quantizeWeights(w, c.n, c.k, 8, 32), f16: quantizeHalfWeights(w, c.n, c.k) };
  for (const [dtype, host] of Object.entries(packed)) {
    cases.push({
      label: `matmul ${c.label} ${dtype}`,
      flops,
      ms: { webgpu: await oursPacked(backend, c, a, host) },
    });
  }
  return cases;
}

async function attentionCase(backend: Backend): Promise<GpuCaseResult> {
  const { batch, tokens, heads, kvHeads, headDim: d } = GPU_ATTENTION;
  const spec: AttentionSpec = {
    ...{ batch, tq: tokens, tk: tokens, hq: heads, hkv: kvHeads, d, scale: 1 / Math.sqrt(d), causal: true },
    ...{ kvRows: tokens, queryOffset: 0, maskBatch: 1, maskHeads: 1 },
  };
  const rng = new Random(3);
  const q = backend.upload(rng.normals(batch * tokens * heads * d), 'f32');
  const kv = backend.upload(rng.normals(batch * tokens * kvHeads * d), 'f32');
  const ms = await timeMedian(async () => {
    const { out, logSumExp } = backend.attention(q, kv, kv, null, spec);
    await backend.read(out);
    [out, logSumExp].forEach((s) => backend.free(s));
  });
  [q, kv].forEach((s) => backend.free(s));
  const flops = 4 * d * batch * heads * ((tokens * (tokens + 1)) / 2);
  return {
    label: `attention ${batch}×${tokens}, ${heads}/${kvHeads} heads × ${d}`,
    flops,
    ms: { webgpu: ms },
  };
}

function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c] ?? 0;
  return out;
}

async function main(): Promise<GpuPageResult> {
  configureOnnxRuntime({ threads: 1 });
  const backend = await WebGpuBackend.create();
  const info = (backend.device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  const adapter = info ? `${info.vendor} ${info.architecture} ${info.description}`.trim() : 'unknown';
  const cases: GpuCaseResult[] = [];
  for (const c of GPU_MATMULS) cases.push(...(await matmulCases(backend, c)));
  cases.push(await attentionCase(backend));
  backend.dispose();
  return { adapter, cases };
}

main()
  .then((result) => (window.engineBench = result))
  .catch((error: unknown) => (window.engineBench = { adapter: 'none', cases: [], error: String(error) }));

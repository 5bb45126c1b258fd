// `npm run bench -- kernels`: our wasm matmul (f32/int8/int4, 1 and 2 threads) vs onnxruntime-web wasm, onnxruntime-node and plain JS; f16 and subnormal inputs in their own tables.
import {
  createWasmKernels,
  type HeapQuantizedWeights,
  type WasmKernels,
} from '../../src/webgpu/wasm/kernels';
import type { F32Region } from '../../src/webgpu/wasm/heap';
import { quantizeWeights, type WeightBits } from '../../src/webgpu/wasm/quantize';
import {
  formatTable,
  gflops,
  machineDescription,
  parseOptions,
  timeInterleaved,
  writeResults,
  type BenchSuite,
  type Contender,
} from './harness';
import { benchWeightFormats, formatsReport, type FormatResult } from './formats';
import { measureParallelEfficiency } from './parallelism';
import { benchSubnormals, subnormalsReport, type SubnormalResult } from './subnormals';
import { jsMatmul } from './peers/js-matmul';
import { matmulModel, matmulNBitsModel } from './peers/onnx-models';
import { createOrtRunner } from './peers/ort';

type Dtype = 'f32' | 'int8' | 'int4';

interface Shape {
  label: string;
  m: number;
  k: number;
  n: number;
}

const SQUARE: Shape[] = [256, 512, 1024].map((s) => ({ label: `${s}³`, m: s, k: s, n: s }));
/** Linear layers of the small transformers the engine trains: tokens × d_model → d_model / 4·d_model / vocab. */
const TRANSFORMER: Shape[] = [
  { label: 'qkv 64×192→192', m: 64, k: 192, n: 192 },
  { label: 'mlp 64×192→768', m: 64, k: 192, n: 768 },
  { label: 'head 64×192→512', m: 64, k: 192, n: 512 },
  { label: 'mlp 256×192→768', m: 256, k: 192, n: 768 },
  { label: 'down 256×768→192', m: 256, k: 768, n: 192 },
  { label: 'qkv 256×384→384', m: 256, k: 384, n: 384 },
  { label: 'mlp 256×384→1536', m: 256, k: 384, n: 1536 },
  { label: 'head 256×384→512', m: 256, k: 384, n: 512 },
];
const DTYPES: Dtype[] = ['f32', 'int8', 'int4'];
const GROUP_SIZE = 32;
/** The JS loop runs ~1 GFLOP/s: cap its repetitions so 1024³ does not dominate the run. */
const JS_MAX_RUNS = 3;
const OVERHEAD_SIZES = [16, 32, 48, 64, 96, 128, 192, 256];

interface CaseResult {
  shape: Shape;
  dtype: Dtype;
  ms: Record<string, number>;
  gflops: Record<string, number>;
  /** Largest |ours − onnxruntime-web| relative to the output's largest magnitude: both sides computed the same thing. */
  agreement: number;
}

interface Runtimes {
  one: WasmKernels;
  two: WasmKernels;
}

/** `--formats` runs only the weight-format table (f32 / int8 / int4 / f16 on our kernels, no peers). */
const FORMATS_ONLY = '--formats';
/** `--subnormals` runs only the subnormal-input table (ours, onnxruntime-web and JS, clean vs subnormal inputs). */
const SUBNORMALS_ONLY = '--subnormals';

export const kernelsSuite: BenchSuite = {
  async run(options) {
    const { runs, quick } = parseOptions(options, 15);
    const runtimes: Runtimes = {
      one: await createWasmKernels({ threads: 1 }),
      two: await createWasmKernels({ threads: 2 }),
    };
    const shapes = quick
      ? [SQUARE[0], TRANSFORMER[1]].filter((s): s is Shape => s !== undefined)
      : [...SQUARE, ...TRANSFORMER];
    const byThreads = new Map([
      [1, runtimes.one],
      [2, runtimes.two],
    ]);
    const parallelEfficiency: number[] = [await measureParallelEfficiency()];
    if (options.includes(SUBNORMALS_ONLY)) {
      const subnormals = await benchSubnormals(runtimes.one, runs);
      parallelEfficiency.push(await measureParallelEfficiency());
      runtimes.two.dispose();
      reportSubnormals(subnormals, runs, parallelEfficiency);
      return;
    }
    if (options.includes(FORMATS_ONLY)) {
      const formats = await benchWeightFormats(byThreads, shapes, runs);
      parallelEfficiency.push(await measureParallelEfficiency());
      runtimes.two.dispose();
      reportFormats(formats, runs, parallelEfficiency);
      return;
    }
    const cases: CaseResult[] = [];
    for (const shape of shapes) {
      for (const dtype of DTYPES) {
        const result = await benchCase(runtimes, shape, dtype, runs);
        cases.push(result);
        console.error(
          `  ${shape.label} ${dtype}: ${Object.entries(result.gflops)
            .map(([k, v]) => `${k} ${v.toFixed(1)}`)
            .join(', ')}`,
        );
      }
    }
    const formats = await benchWeightFormats(byThreads, shapes, runs);
    const overhead = await threadOverhead(runs);
    parallelEfficiency.push(await measureParallelEfficiency());
    runtimes.two.dispose();
    report(cases, formats, overhead, runs, parallelEfficiency);
  },
};

const FORMATS_TITLE =
  '\nWeight formats, interleaved per row (time ratios: < 1 = faster than the denominator; err = relative L2 vs f32 weights):\n';

/** `--formats`: only the weight-format table, written to kernels-formats.json. */
function reportFormats(formats: FormatResult[], runs: number, parallelEfficiency: number[]): void {
  console.log(FORMATS_TITLE);
  console.log(formatsReport(formats, [1, 2]));
  const efficiency = parallelEfficiency.map((value) => value.toFixed(2)).join(' before, ') + ' after';
  console.log(`\nSecond core available (JS busy loop on 2 workers vs 1; 2.00 = idle machine): ${efficiency}`);
  const results = { machine: machineDescription(), runs, parallelEfficiency, formats };
  console.log(`\nwrote ${writeResults('kernels-formats', results)}`);
}

const SUBNORMALS_TITLE =
  '\nSubnormal activations (f32 A·B, 1 thread; time relative to the same implementation on clean inputs, 1.00 = unaffected):\n';

/** `--subnormals`: only the subnormal-input table, written to kernels-subnormals.json. */
function reportSubnormals(subnormals: SubnormalResult[], runs: number, parallelEfficiency: number[]): void {
  console.log(SUBNORMALS_TITLE);
  console.log(subnormalsReport(subnormals));
  const efficiency = parallelEfficiency.map((value) => value.toFixed(2)).join(' before, ') + ' after';
  console.log(`\nSecond core available (JS busy loop on 2 workers vs 1; 2.00 = idle machine): ${efficiency}`);
  const results = { machine: machineDescription(), runs, parallelEfficiency, subnormals };
  console.log(`\nwrote ${writeResults('kernels-subnormals', results)}`);
}

/** Times every contender on one shape and dtype, interleaved. */
async function benchCase(runtimes: Runtimes, shape: Shape, dtype: Dtype, runs: number): Promise<CaseResult> {
  const { m, k, n } = shape;
  const activations = randomArray(m * k);
  const weights = randomArray(n * k);
  const contenders: Contender[] = [];
  const outputs: Record<string, () => Float32Array | Promise<Float32Array>> = {};
  const cleanups: (() => void)[] = [];
  for (const [name, kernels] of [
    ['wasm 1t', runtimes.one],
    ['wasm 2t', runtimes.two],
  ] as const) {
    const ours = oursContender(kernels, dtype, shape, activations, weights);
    contenders.push({ name, run: ours.run });
    outputs[name] = ours.output;
    cleanups.push(ours.free);
  }
  const quantized = dtype === 'f32' ? undefined : quantizeWeights(weights, n, k, bitsOf(dtype), GROUP_SIZE);
  const model = quantized ? matmulNBitsModel(m, quantized) : matmulModel(m, k, n, transpose(weights, n, k));
  const input = { data: activations, dims: [m, k] };
  const peers = [
    ['ort-web 1t', await createOrtRunner('web', model, input)],
    ['ort-node 1t', await createOrtRunner('node', model, input, 1)],
    ['ort-node 2t', await createOrtRunner('node', model, input, 2)],
  ] as const;
  for (const [name, runner] of peers) contenders.push({ name, run: runner.run });
  const ortWebOutput = peers[0][1].output;
  if (dtype === 'f32') contenders.push(jsContender(activations, weights, shape));
  const ms = Object.fromEntries(await timeInterleaved(contenders, runs));
  const agreement = relativeDifference(
    await (outputs['wasm 1t']?.() ?? new Float32Array()),
    await ortWebOutput(),
  );
  cleanups.forEach((free) => free());
  const flops = 2 * m * n * k;
  const rates = Object.fromEntries(Object.entries(ms).map(([name, time]) => [name, gflops(flops, time)]));
  return { shape, dtype, ms, gflops: rates, agreement };
}

/** Our kernel on heap regions prepared once: C = A · Wᵀ with W n×k (f32 or quantised). */
function oursContender(
  kernels: WasmKernels,
  dtype: Dtype,
  shape: Shape,
  activations: Float32Array,
  weights: Float32Array,
) {
  const { m, k, n } = shape;
  const a = kernels.heap.fromF32(activations);
  const c = kernels.heap.allocF32(m * n);
  let run: () => void;
  let release: () => void;
  if (dtype === 'f32') {
    const b = kernels.heap.fromF32(weights);
    run = () => kernels.matmul({ a, b, c, m, n, k, transB: true });
    release = () => kernels.heap.free(b);
  } else {
    const heapWeights: HeapQuantizedWeights = kernels.uploadQuantized(
      quantizeWeights(weights, n, k, bitsOf(dtype), GROUP_SIZE),
    );
    run = () => kernels.matmulQuantized({ a, weights: heapWeights, c, m });
    release = () => kernels.freeQuantized(heapWeights);
  }
  const free = () => {
    release();
    [a, c].forEach((region: F32Region) => kernels.heap.free(region));
  };
  return { run, output: () => c.view().slice(), free };
}

function jsContender(activations: Float32Array, weights: Float32Array, shape: Shape): Contender {
  const { m, k, n } = shape;
  // The JS loop gets the k×n layout its ikj order streams best.
  const b = transpose(weights, n, k);
  const c = new Float32Array(m * n);
  return { name: 'js', run: () => jsMatmul(activations, b, c, m, n, k), maxRuns: JS_MAX_RUNS };
}

interface OverheadRow {
  size: number;
  oneThreadMs: number;
  forcedTwoThreadsMs: number;
}

/** Where the pool starts to pay: square f32 matmuls on one thread vs forced onto two (no size threshold). */
async function threadOverhead(runs: number): Promise<OverheadRow[]> {
  // minFlopsPerThread 1 turns the size threshold off, so even tiny matmuls go to the pool.
  const kernels = await createWasmKernels({ threads: 2, minFlopsPerThread: 1 });
  const rows: OverheadRow[] = [];
  for (const size of OVERHEAD_SIZES) {
    const { heap } = kernels;
    const a = heap.fromF32(randomArray(size * size));
    const b = heap.fromF32(randomArray(size * size));
    const c = heap.allocF32(size * size);
    const shape = { a, b, c, m: size, n: size, k: size, transB: true };
    const times = await timeInterleaved(
      [
        { name: 'one', run: () => kernels.matmul({ ...shape, threads: 1 }) },
        { name: 'two', run: () => kernels.matmul(shape) },
      ],
      Math.max(runs, 25),
    );
    [a, b, c].forEach((region) => heap.free(region));
    rows.push({ size, oneThreadMs: times.get('one') ?? NaN, forcedTwoThreadsMs: times.get('two') ?? NaN });
  }
  kernels.dispose();
  return rows;
}

function report(
  cases: CaseResult[],
  formats: FormatResult[],
  overhead: OverheadRow[],
  runs: number,
  parallelEfficiency: number[],
): void {
  const header = [
    'case',
    'dtype',
    'wasm1 ms',
    'wasm1',
    'wasm2',
    '2t×',
    'ort-web',
    'w1/web',
    'ort-node1',
    'w1/node1',
    'ort-node2',
    'w2/node2',
    'js',
    'w1/js',
  ];
  const rows = cases.map((c) => {
    const g = c.gflops;
    const ratio = (ours: string, peer: string) => (g[peer] ? fixed((g[ours] ?? 0) / g[peer], 2) : '–');
    return [
      c.shape.label,
      c.dtype,
      fixed(c.ms['wasm 1t'], 2),
      fixed(g['wasm 1t'], 1),
      fixed(g['wasm 2t'], 1),
      ratio('wasm 2t', 'wasm 1t'),
      fixed(g['ort-web 1t'], 1),
      ratio('wasm 1t', 'ort-web 1t'),
      fixed(g['ort-node 1t'], 1),
      ratio('wasm 1t', 'ort-node 1t'),
      fixed(g['ort-node 2t'], 1),
      ratio('wasm 2t', 'ort-node 2t'),
      g.js ? fixed(g.js, 2) : '–',
      ratio('wasm 1t', 'js'),
    ];
  });
  console.log(`\nMatmul GFLOP/s (median of ${runs} runs; ratios are speed ratios, >1 = ours faster)\n`);
  console.log(formatTable(header, rows));
  console.log('\nint4 and int8 time relative to f32 (wasm 1 thread):\n');
  console.log(formatTable(['case', 'int8/f32', 'int4/f32'], quantizedVsF32(cases)));
  console.log(FORMATS_TITLE);
  console.log(formatsReport(formats, [1, 2]));
  console.log('\nThread pool overhead (square f32 A·Bᵀ, ms): where two threads start to pay\n');
  console.log(
    formatTable(
      ['size', '1 thread', '2 threads', 'speed-up'],
      overhead.map((o) => [
        `${o.size}³`,
        fixed(o.oneThreadMs, 3),
        fixed(o.forcedTwoThreadsMs, 3),
        fixed(o.oneThreadMs / o.forcedTwoThreadsMs, 2),
      ]),
    ),
  );
  const efficiency = parallelEfficiency.map((value) => value.toFixed(2)).join(' before, ') + ' after';
  console.log(`\nSecond core available (JS busy loop on 2 workers vs 1; 2.00 = idle machine): ${efficiency}`);
  const machine = machineDescription();
  const results = { machine, runs, groupSize: GROUP_SIZE, parallelEfficiency, cases, formats, overhead };
  const file = writeResults('kernels', results);
  console.log(`\nwrote ${file}`);
}

function quantizedVsF32(cases: CaseResult[]): string[][] {
  const labels = [...new Set(cases.map((c) => c.shape.label))];
  return labels.map((label) => {
    const msOf = (dtype: Dtype) =>
      cases.find((c) => c.shape.label === label && c.dtype === dtype)?.ms['wasm 1t'];
    const f32 = msOf('f32') ?? NaN;
    return [label, fixed((msOf('int8') ?? NaN) / f32, 2), fixed((msOf('int4') ?? NaN) / f32, 2)];
  });
}

function fixed(value: number | undefined, digits: number): string {
  return value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);
}

function bitsOf(dtype: Exclude<Dtype, 'f32'>): WeightBits {
  return dtype === 'int8' ? 8 : 4;
}

function randomArray(length: number): Float32Array {
  return Float32Array.from({ length }, () => Math.random() * 2 - 1);
}

function transpose(matrix: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = matrix[r * cols + c] ?? 0;
  return out;
}

function relativeDifference(ours: Float32Array, peer: Float32Array): number {
  let largest = 0;
  let worst = 0;
  for (let i = 0; i < ours.length; i++) {
    largest = Math.max(largest, Math.abs(peer[i] ?? 0));
    worst = Math.max(worst, Math.abs((ours[i] ?? 0) - (peer[i] ?? 0)));
  }
  return worst / (largest || 1);
}

// `npm run bench -- engine`: the engine's wasm backend through the Backend API (matmul, attention, a training step, a decode step) vs the reference, onnxruntime-web and plain JS; WebGPU in Chromium.
import { machineDescription, parseOptions, writeResults, type BenchSuite } from './harness';
import { measureParallelEfficiency } from './parallelism';
import { benchAttention, ATTENTION_SHAPE } from './engine/attention';
import { createEngineBackends } from './engine/backends';
import { benchDecode } from './engine/decode';
import { benchMatmul, MATMUL_DTYPES, MATMUL_SHAPES, QUICK_MATMUL_SHAPES } from './engine/matmul';
import { formatGpuSection, formatSection, formatWeightFormats } from './engine/report';
import type { EngineRow } from './engine/results';
import { benchTraining } from './engine/training';
import { benchWebGpu, type WebGpuFigures } from './engine/webgpu';

const TRAINING = { batch: 8, tokens: 128 };
const QUICK_TRAINING = { batch: 2, tokens: 32 };
const DECODE = { group: 8, cached: 128 };
/** 'webgpu' is the browser part (WebGPU matmul f32 / int8 / f16 and attention in Chromium). */
const SECTIONS = ['matmul', 'attention', 'decode', 'training', 'webgpu'] as const;
type Section = (typeof SECTIONS)[number];

/** `--only decode,attention` runs those sections (the browser part only when 'webgpu' is listed); default: every section. */
function selectedSections(options: string[]): Set<Section> {
  const flag = options.indexOf('--only');
  if (flag < 0) return new Set(SECTIONS);
  const names = (options[flag + 1] ?? '').split(',');
  const unknown = names.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0)
    throw new Error(`--only takes a comma-separated subset of ${SECTIONS.join(',')}`);
  return new Set(names as Section[]);
}

export const engineSuite: BenchSuite = {
  async run(options) {
    const { runs, quick } = parseOptions(options, 10);
    const sections = selectedSections(options);
    const backends = await createEngineBackends();
    const parallelEfficiency = [await measureParallelEfficiency()];
    const rows: EngineRow[] = [];
    const record = (row: EngineRow) => {
      rows.push(row);
      const figures = Object.entries(row.ms).map(([name, ms]) => `${name} ${ms.toFixed(2)} ms`);
      console.error(`  ${row.label}: ${figures.join(', ')}`);
    };
    const shapes = sections.has('matmul') ? (quick ? QUICK_MATMUL_SHAPES : MATMUL_SHAPES) : [];
    for (const shape of shapes) {
      for (const dtype of MATMUL_DTYPES) record(await benchMatmul(backends, shape, dtype, runs));
    }
    if (sections.has('attention')) record(await benchAttention(backends, ATTENTION_SHAPE, runs));
    if (sections.has('decode')) record(await benchDecode(backends, DECODE, runs));
    if (sections.has('training')) {
      record(await benchTraining(backends, quick ? QUICK_TRAINING : TRAINING, Math.min(runs, 3)));
    }
    parallelEfficiency.push(await measureParallelEfficiency());
    const names = [...backends.list.map((b) => b.name), 'ort-web 1t', 'js'];
    backends.dispose();
    const skipBrowser = options.includes('--no-webgpu') || !sections.has('webgpu');
    const webgpu = skipBrowser ? null : await webGpuFigures();
    report({ rows, names, runs, parallelEfficiency, options, sections, webgpu });
  },
};

/** The browser half (priority: never lose the CPU figures to a browser failure). */
async function webGpuFigures(): Promise<WebGpuFigures> {
  try {
    return await benchWebGpu();
  } catch (error) {
    return { adapter: 'none', rows: [], error: error instanceof Error ? error.message : String(error) };
  }
}

interface Report {
  rows: EngineRow[];
  names: string[];
  runs: number;
  parallelEfficiency: number[];
  options: string[];
  sections: Set<Section>;
  webgpu: WebGpuFigures | null;
}

function report({ rows, names, runs, parallelEfficiency, options, sections, webgpu }: Report): void {
  const matmul = rows.filter((r) => r.section === 'matmul');
  const steps = rows.filter((r) => r.section !== 'matmul');
  if (matmul.length > 0) {
    console.log(`${formatSection(matmul, names, true)}\n`);
    // Our backends only: the peers have no f16 weights (ort-web's f16 row is its f32 MatMul on the rounded weights).
    const ours = names.filter((name) => name !== 'ort-web 1t' && name !== 'js');
    console.log(`Weight formats (time ratios, < 1 = faster):\n${formatWeightFormats(matmul, ours)}\n`);
  }
  if (steps.length > 0) console.log(formatSection(steps, names, false));
  console.log(
    `\nparallel efficiency (2 workers / 1, start and end): ${parallelEfficiency.map((e) => e.toFixed(2)).join(', ')}`,
  );
  if (webgpu) {
    console.log(
      `\nWebGPU in Chromium (adapter: ${webgpu.adapter})${webgpu.error ? `: ${webgpu.error}` : ''}`,
    );
    console.log(formatGpuSection(webgpu.rows, 'webgpu', 'ort-webgpu'));
    const gpuMatmuls = webgpu.rows.filter((row) => row.label.startsWith('matmul '));
    console.log(
      `\nWebGPU weight formats (time ratios, < 1 = faster):\n${formatWeightFormats(gpuMatmuls, ['webgpu'])}`,
    );
  }
  // A partial run (--only) must not overwrite the full run's results.
  const partial = sections.size < SECTIONS.length;
  const file = writeResults(partial ? `engine-${[...sections].join('-')}` : 'engine', {
    command: `npm run bench -- engine ${options.join(' ')}`.trim(),
    machine: machineDescription(),
    runs,
    parallelEfficiency,
    rows: [...rows, ...(webgpu?.rows ?? [])],
    ...(webgpu ? { webgpu: { adapter: webgpu.adapter, error: webgpu.error } } : {}),
  });
  console.log(`results: ${file}`);
}

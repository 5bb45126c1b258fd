// `npm run bench -- engine`: the engine's wasm backend through the Backend API (matmul, attention, a training step, a decode step) vs the reference, onnxruntime-web and plain JS; WebGPU in Chromium.
import { machineDescription, parseOptions, writeResults, type BenchSuite } from './harness';
import { measureParallelEfficiency } from './parallelism';
import { benchAttention, ATTENTION_SHAPE } from './engine/attention';
import { createEngineBackends } from './engine/backends';
import { benchDecode } from './engine/decode';
import { benchMatmul, MATMUL_DTYPES, MATMUL_SHAPES, QUICK_MATMUL_SHAPES } from './engine/matmul';
import { formatGpuSection, formatSection } from './engine/report';
import type { EngineRow } from './engine/results';
import { benchTraining } from './engine/training';
import { benchWebGpu, type WebGpuFigures } from './engine/webgpu';

const TRAINING = { batch: 8, tokens: 128 };
const QUICK_TRAINING = { batch: 2, tokens: 32 };
const DECODE = { group: 8, cached: 128 };

export const engineSuite: BenchSuite = {
  async run(options) {
    const { runs, quick } = parseOptions(options, 10);
    const backends = await createEngineBackends();
    const parallelEfficiency = [await measureParallelEfficiency()];
    const rows: EngineRow[] = [];
    const record = (row: EngineRow) => {
      rows.push(row);
      const figures = Object.entries(row.ms).map(([name, ms]) => `${name} ${ms.toFixed(2)} ms`);
      console.error(`  ${row.label}: ${figures.join(', ')}`);
    };
    for (const shape of quick ? QUICK_MATMUL_SHAPES : MATMUL_SHAPES) {
      for (const dtype of MATMUL_DTYPES) record(await benchMatmul(backends, shape, dtype, runs));
    }
    record(await benchAttention(backends, ATTENTION_SHAPE, runs));
    record(await benchDecode(backends, DECODE, runs));
    record(await benchTraining(backends, quick ? QUICK_TRAINING : TRAINING, Math.min(runs, 3)));
    parallelEfficiency.push(await measureParallelEfficiency());
    const names = [...backends.list.map((b) => b.name), 'ort-web 1t', 'js'];
    backends.dispose();
    const webgpu = options.includes('--no-webgpu') ? null : await webGpuFigures();
    report({ rows, names, runs, parallelEfficiency, options, webgpu });
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
  webgpu: WebGpuFigures | null;
}

function report({ rows, names, runs, parallelEfficiency, options, webgpu }: Report): void {
  const matmul = rows.filter((r) => r.section === 'matmul');
  const steps = rows.filter((r) => r.section !== 'matmul');
  console.log(formatSection(matmul, names, true));
  console.log('');
  console.log(formatSection(steps, names, false));
  console.log(
    `\nparallel efficiency (2 workers / 1, start and end): ${parallelEfficiency.map((e) => e.toFixed(2)).join(', ')}`,
  );
  if (webgpu) {
    console.log(
      `\nWebGPU in Chromium (adapter: ${webgpu.adapter})${webgpu.error ? `: ${webgpu.error}` : ''}`,
    );
    console.log(formatGpuSection(webgpu.rows, 'webgpu', 'ort-webgpu'));
  }
  const file = writeResults('engine', {
    command: `npm run bench -- engine ${options.join(' ')}`.trim(),
    machine: machineDescription(),
    runs,
    parallelEfficiency,
    rows: [...rows, ...(webgpu?.rows ?? [])],
    ...(webgpu ? { webgpu: { adapter: webgpu.adapter, error: webgpu.error } } : {}),
  });
  console.log(`results: ${file}`);
}

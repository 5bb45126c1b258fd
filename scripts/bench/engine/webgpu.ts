// Node side of the WebGPU figures: runs webgpu-page.html in Chromium (playwright-core) and converts what it collects.
import { runBenchPage } from '../browser-page';
import { rowOf, type EngineRow } from './results';
import type { GpuPageResult } from './webgpu-cases';

export interface WebGpuFigures {
  adapter: string;
  rows: EngineRow[];
  error?: string;
}

/** Runs the page in Chromium's WebGPU (SwiftShader here) and converts its medians into suite rows. */
export async function benchWebGpu(): Promise<WebGpuFigures> {
  const result = await runBenchPage<GpuPageResult>(
    'scripts/bench/engine/webgpu-page.html',
    new URLSearchParams(),
    'engineBench',
  );
  const rows = result.cases.map((c) => rowOf('webgpu', c.label, c.flops, new Map(Object.entries(c.ms))));
  return { adapter: result.adapter, rows, ...(result.error ? { error: result.error } : {}) };
}

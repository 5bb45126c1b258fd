// `npm run bench -- policy`: the shipped pixelthink-nano's decoding speed (tokens/s) and stage times on the engine's wasm backend in Node (1 thread, all cores) and its wasm and WebGPU backends in Chromium, on the same scenes.
import { resolve } from 'node:path';
import { NANO_EVAL_MAX_NEW_TOKENS, NANO_RENDER_SIZE } from '../../src/eval/nano-policy';
import { loadPixelThinkNanoFromDisk } from '../../src/eval/pixelthink-nano-runner';
import { configureTransformersForNode } from '../../src/model/hub/transformers-node';
import { WasmBackend } from '../../src/webgpu/backends/wasm';
import { runBenchPage } from './browser-page';
import {
  formatTable,
  machineDescription,
  median,
  parseOptions,
  writeResults,
  type BenchSuite,
} from './harness';
import {
  policyScenes,
  timePolicies,
  type PolicyPageResult,
  type PolicyResults,
  type PolicySamples,
} from './policy/workload';

const MODELS = 'public/models';
const SCENES = { quick: 3, full: 8 };
/** The ratios' denominator: the engine's wasm backend on one thread in Node (what `npm run eval` timings use). */
const BASELINE = 'Node engine wasm 1t';

export const policySuite: BenchSuite = {
  async run(options) {
    const { runs: passes, quick } = parseOptions(options, 2);
    const scenes = policyScenes(quick ? SCENES.quick : SCENES.full);
    const node = await nodeResults(scenes, passes);
    const browser = options.includes('--no-browser') ? null : await browserResults(scenes.length, passes);
    const results: PolicyResults = { ...node, ...prefixed('Chromium', browser?.results ?? {}) };
    const rows = summarize(results);
    console.log(
      `pixelthink-nano (${MODELS}/pixelthink-nano), ShapeWorld test scenes 0–${scenes.length - 1} at ${NANO_RENDER_SIZE} px,` +
        ` greedy, ≤ ${NANO_EVAL_MAX_NEW_TOKENS} new tokens; medians of ${scenes.length} scenes × ${passes} passes`,
    );
    console.log(formatTable(HEADER, rows.map(formatRow)));
    if (browser) {
      console.log(`\nChromium: WebGPU adapter ${browser.adapter}`);
      for (const [name, error] of Object.entries(browser.errors)) console.log(`  ${name} failed: ${error}`);
    }
    const disagreeing = rows.filter((row) => !row.sameChains).map((row) => row.name);
    console.log(
      disagreeing.length === 0
        ? 'every contender wrote the same greedy chains'
        : `chains differ from the baseline's for: ${disagreeing.join(', ')}`,
    );
    const file = writeResults('policy', {
      machine: machineDescription(),
      scenes: scenes.length,
      passes,
      rows,
      browser,
    });
    console.log(`\nwrote ${file}`);
  },
};

async function nodeResults(scenes: ReturnType<typeof policyScenes>, passes: number): Promise<PolicyResults> {
  configureTransformersForNode(resolve(MODELS));
  const backends = [
    { name: BASELINE, backend: await WasmBackend.create({ threads: 1 }) },
    { name: 'Node engine wasm all cores', backend: await WasmBackend.create({ threads: 'auto' }) },
  ];
  try {
    const contenders = await Promise.all(
      backends.map(async ({ name, backend }) => ({
        name,
        policy: await loadPixelThinkNanoFromDisk(resolve(MODELS), backend),
      })),
    );
    return await timePolicies(contenders, scenes, passes);
  } finally {
    backends.forEach(({ backend }) => backend.dispose());
  }
}

async function browserResults(scenes: number, passes: number): Promise<PolicyPageResult> {
  try {
    const search = new URLSearchParams({ scenes: String(scenes), passes: String(passes) });
    return await runBenchPage<PolicyPageResult>('scripts/bench/policy/page.html', search, 'policyBench');
  } catch (error) {
    return {
      adapter: 'none',
      results: {},
      errors: { browser: error instanceof Error ? error.message : String(error) },
    };
  }
}

function prefixed(where: string, results: PolicyResults): PolicyResults {
  return Object.fromEntries(Object.entries(results).map(([name, samples]) => [`${where} ${name}`, samples]));
}

interface PolicyRow {
  name: string;
  perceiveMs: number;
  prefillMs: number;
  decodeMs: number;
  tokens: number;
  /** Decode tokens per second: median over runs of (tokens / decode time). */
  tokensPerSecond: number;
  /** Tokens/s relative to the baseline's (higher is faster). */
  speedVsBaseline: number;
  sameChains: boolean;
}

const HEADER = [
  'contender',
  'perceive ms',
  'prefill ms',
  'decode ms',
  'tokens',
  'tok/s',
  `tok/s vs ${BASELINE}`,
];

function summarize(results: PolicyResults): PolicyRow[] {
  const rate = (s: PolicySamples) => median(s.tokens.map((n, i) => (1000 * n) / (s.decode[i] as number)));
  const baseline = results[BASELINE];
  const base = baseline ? rate(baseline) : NaN;
  return Object.entries(results).map(([name, s]) => ({
    name,
    perceiveMs: median(s.perceive),
    prefillMs: median(s.prefill),
    decodeMs: median(s.decode),
    tokens: median(s.tokens),
    tokensPerSecond: rate(s),
    speedVsBaseline: rate(s) / base,
    sameChains: baseline !== undefined && s.responses.every((r, i) => r === baseline.responses[i]),
  }));
}

function formatRow(row: PolicyRow): string[] {
  return [
    row.name,
    row.perceiveMs.toFixed(1),
    row.prefillMs.toFixed(1),
    row.decodeMs.toFixed(0),
    row.tokens.toFixed(0),
    row.tokensPerSecond.toFixed(0),
    `${row.speedVsBaseline.toFixed(2)}×`,
  ];
}

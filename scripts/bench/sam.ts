// `npm run bench -- sam`: the shipped nano-sam's per-image encode and per-prompt decode through the app's SamSegmenter (onnxruntime-node; onnxruntime-web wasm and webgpu in Chromium) vs the engine's own forward on wasm.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configureTransformersForNode } from '../../src/model/hub/transformers-node';
import { SamSegmenter } from '../../src/model/segmenter/sam-segmenter';
import { machineDescription, parseOptions, writeResults, type BenchSuite } from './harness';
import { measureParallelEfficiency } from './parallelism';
import { benchBrowser } from './sam/browser';
import { engineContender } from './sam/engine';
import { formatMs, formatSamTable, samRows, type ContenderGroup } from './sam/report';
import { benchScenes, SCENE_SIZE, type BenchScene } from './sam/scenes';
import { samSegmenterContender } from './sam/segmenter';
import { timeStages, type SamPageResult, type StageResults } from './sam/timing';

const MODELS = 'public/models';
const CHECKPOINT = 'checkpoints/nano-sam.safetensors';
const SCENES = { quick: 3, full: 8 };
/** The time ratios' denominators: native onnxruntime, then the same ONNX on onnxruntime-web's wasm in Chromium. */
const BASELINES = ['ort-node cpu', 'ort-web wasm'];
/** The target for a prompt's decode on wasm in Chromium. */
const DECODE_TARGET_MS = 50;

export const samSuite: BenchSuite = {
  async run(options) {
    const { runs: passes, quick } = parseOptions(options, 5);
    const scenes = benchScenes(quick ? SCENES.quick : SCENES.full);
    const parallelEfficiency = [await measureParallelEfficiency()];
    const groups: ContenderGroup[] = [{ where: 'Node', results: await nodeResults(scenes, passes) }];
    const browser = options.includes('--no-browser') ? null : await benchBrowser(scenes.length, passes);
    if (browser) groups.push({ where: 'Chromium', results: browser.results });
    parallelEfficiency.push(await measureParallelEfficiency());
    report({ groups, browser, scenes: scenes.length, passes, parallelEfficiency, options });
  },
};

/** onnxruntime-node through SamSegmenter, and the engine's forward on 1 thread and on every core, interleaved. */
async function nodeResults(scenes: BenchScene[], passes: number): Promise<StageResults> {
  configureTransformersForNode(resolve(MODELS));
  const segmenter = await SamSegmenter.load('nano-sam', { device: 'cpu' });
  const checkpoint = readFileSync(resolve(CHECKPOINT));
  const engines = [await engineContender(1, checkpoint), await engineContender('auto', checkpoint)];
  try {
    const contenders = [samSegmenterContender(BASELINES[0] as string, segmenter), ...engines];
    return await timeStages(contenders, scenes, passes);
  } finally {
    engines.forEach((engine) => engine.dispose());
    await segmenter.dispose();
  }
}

interface Report {
  groups: ContenderGroup[];
  browser: SamPageResult | null;
  scenes: number;
  passes: number;
  parallelEfficiency: number[];
  options: string[];
}

function report({ groups, browser, scenes, passes, parallelEfficiency, options }: Report): void {
  const rows = samRows(groups, BASELINES);
  console.log(
    `nano-sam (${MODELS}/nano-sam), ShapeWorld test scenes 0–${scenes - 1} at ${SCENE_SIZE} px, ground-truth box + points;` +
      ` ms, median [q1–q3] of ${scenes} scenes × ${passes} passes`,
  );
  console.log(formatSamTable(rows, BASELINES));
  if (browser) {
    console.log(
      `\nChromium: WebGPU adapter ${browser.adapter}, onnxruntime-web wasm threads ${browser.wasmThreads}`,
    );
    for (const [name, error] of Object.entries(browser.errors)) console.log(`  ${name} failed: ${error}`);
  }
  const wasm = rows.find((row) => row.name === BASELINES[1]);
  if (wasm)
    console.log(
      `target: decode per prompt on wasm in Chromium < ${DECODE_TARGET_MS} ms: ${formatMs(wasm.decode.median)} ms, ` +
        (wasm.decode.median < DECODE_TARGET_MS ? 'met' : 'NOT met'),
    );
  console.log(
    `parallel efficiency (2 workers / 1, start and end): ${parallelEfficiency.map((e) => e.toFixed(2)).join(', ')}`,
  );
  const file = writeResults('sam', {
    command: `npm run bench -- sam ${options.join(' ')}`.trim(),
    machine: machineDescription(),
    model: `${MODELS}/nano-sam`,
    checkpoint: CHECKPOINT,
    sceneSize: SCENE_SIZE,
    scenes,
    passes,
    parallelEfficiency,
    ...(browser
      ? { browser: { adapter: browser.adapter, wasmThreads: browser.wasmThreads, errors: browser.errors } }
      : {}),
    rows,
    samples: Object.fromEntries(groups.flatMap((g) => Object.entries(g.results))),
  });
  console.log(`results: ${file}`);
}

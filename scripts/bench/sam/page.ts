// Browser side of the sam suite: the shipped nano-sam through SamSegmenter on onnxruntime-web wasm and webgpu.
import { configureTransformers } from '../../../src/model/hub/transformers-env';
import { ort } from '../../../src/model/ort-env';
import { SamSegmenter, type SegmenterDevice } from '../../../src/model/segmenter/sam-segmenter';
import { benchScenes } from './scenes';
import { samSegmenterContender } from './segmenter';
import { timeStages, type SamPageResult } from './timing';

declare global {
  interface Window {
    samBench?: SamPageResult;
  }
}

const DEVICES: SegmenterDevice[] = ['wasm', 'webgpu'];

async function adapterName(): Promise<string> {
  const info = (await navigator.gpu?.requestAdapter())?.info;
  return info ? `${info.vendor} ${info.architecture} ${info.description}`.trim() : 'none';
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Loads one segmenter per device (as the app's worker does); a device that fails is reported, not fatal. */
async function loadAll(errors: Record<string, string>): Promise<SamSegmenter[]> {
  const loaded: SamSegmenter[] = [];
  for (const device of DEVICES) {
    try {
      loaded.push(await SamSegmenter.load('nano-sam', { device }));
    } catch (error) {
      errors[`ort-web ${device}`] = message(error);
    }
  }
  return loaded;
}

async function main(): Promise<SamPageResult> {
  const query = new URLSearchParams(location.search);
  const scenes = benchScenes(Number(query.get('scenes')));
  configureTransformers();
  const errors: Record<string, string> = {};
  const segmenters = await loadAll(errors);
  const contenders = segmenters.map((s) => samSegmenterContender(`ort-web ${s.device}`, s));
  const results = await timeStages(contenders, scenes, Number(query.get('passes')));
  await Promise.all(segmenters.map((s) => s.dispose()));
  return { adapter: await adapterName(), wasmThreads: ort.env.wasm.numThreads ?? 1, results, errors };
}

main()
  .then((result) => (window.samBench = result))
  .catch(
    (error: unknown) =>
      (window.samBench = { adapter: 'none', wasmThreads: 0, results: {}, errors: { page: message(error) } }),
  );

// Browser smoke test: an exported nano-sam folder loads and runs through the app's SamSegmenter (transformers.js).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../../webgpu/backends/reference';
import { registerModelFolder, unregisterModelFolder } from '../hub/model-fetch';
import { configureTransformers } from '../hub/transformers-env';
import { SamSegmenter } from '../segmenter/sam-segmenter';
import { NANO_SAM_CONFIG } from './config';
import { exportNanoSam, readWeights } from './export';
import { initNanoSam } from './model';

/** Not square and not 128 px, so the processor's resize, pad and the mask post-processing are all exercised. */
const image = { width: 160, height: 96, rgba: new Uint8ClampedArray(160 * 96 * 4).fill(120) };

async function modelFolder(withBoxInput: boolean): Promise<Map<string, Blob>> {
  const params = initNanoSam(NANO_SAM_CONFIG, { backend: new ReferenceBackend(), seed: 21, biasStd: 0.1 });
  const files = exportNanoSam(NANO_SAM_CONFIG, await readWeights(params), { withBoxInput });
  return new Map([...files].map(([name, data]) => [name, new Blob([data as BlobPart])]));
}

describe.each([true, false])('nano-sam through SamSegmenter (box input: %s)', (withBoxInput) => {
  const id = `test/nano-sam-${withBoxInput}`;
  let segmenter: SamSegmenter;

  beforeAll(async () => {
    configureTransformers();
    registerModelFolder(id, await modelFolder(withBoxInput));
    segmenter = await SamSegmenter.load(id, { device: 'wasm' });
  });
  afterAll(async () => {
    await segmenter?.dispose();
    unregisterModelFolder(id);
  });

  it('segments a prompt at the original image size and keeps the best-scored candidate', async () => {
    expect(segmenter.takesBoxInput).toBe(withBoxInput);
    await segmenter.encode(image);
    const result = await segmenter.segment({ bbox: [40, 20, 119, 69], points: [[60, 40]] });
    expect([result.width, result.height]).toEqual([160, 96]);
    expect(result.mask.length).toBe(160 * 96);
    expect(result.candidateScores).toHaveLength(3);
    expect(result.candidateScores.every(Number.isFinite)).toBe(true);
    expect(result.score).toBeCloseTo(Math.max(...result.candidateScores), 5);
  });
});

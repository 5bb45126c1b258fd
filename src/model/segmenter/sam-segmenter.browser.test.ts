// Browser tests of the SAM path through transformers.js on onnxruntime-web, with a model folder made in memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerModelFolder, unregisterModelFolder } from '../hub/model-fetch';
import { configureTransformers } from '../hub/transformers-env';
import { SamSegmenter, type SegmenterDevice } from './sam-segmenter';
import { boxSamFiles, CANDIDATE_SCORES } from './testing/box-sam';

/** An image whose size differs from the model's input, so scaling both ways is exercised. */
const image = { width: 160, height: 96, rgba: new Uint8ClampedArray(160 * 96 * 4).fill(200) };

function maskBox(mask: Uint8Array, width: number): [number, number, number, number] {
  let [x1, y1, x2, y2] = [Infinity, Infinity, -1, -1];
  mask.forEach((v, i) => {
    if (!v) return;
    const x = i % width;
    const y = Math.floor(i / width);
    [x1, y1, x2, y2] = [Math.min(x1, x), Math.min(y1, y), Math.max(x2, x), Math.max(y2, y)];
  });
  return [x1, y1, x2, y2];
}

describe.each([
  ['wasm', true],
  ['wasm', false],
  ['webgpu', true],
] as [SegmenterDevice, boolean][])('SamSegmenter on %s (box input: %s)', (device, withBoxInput) => {
  const id = `test/box-sam-${device}-${withBoxInput}`;
  let segmenter: SamSegmenter;

  beforeAll(async () => {
    configureTransformers();
    registerModelFolder(id, boxSamFiles({ size: 64, maskSize: 64, withBoxInput }));
    segmenter = await SamSegmenter.load(id, { device });
  });
  afterAll(async () => {
    await segmenter?.dispose();
    unregisterModelFolder(id);
  });

  it('keeps the best-scored candidate and returns it at the original image size', async () => {
    expect(segmenter.takesBoxInput).toBe(withBoxInput);
    expect(await segmenter.encode(image)).toBeGreaterThanOrEqual(0);
    const result = await segmenter.segment({
      bbox: [40, 20, 119, 69],
      points: [
        [60, 40],
        [100, 50],
      ],
    });
    expect([result.width, result.height]).toEqual([160, 96]);
    expect(result.mask.length).toBe(160 * 96);
    expect(result.candidateScores.map((s) => Number(s.toFixed(3)))).toEqual(CANDIDATE_SCORES);
    expect(result.score).toBeCloseTo(0.9, 5);
    // The kept mask is the prompt box (within the 2.5 px cells of the 64-px mask grid), not a shrunk candidate.
    const [x1, y1, x2, y2] = maskBox(result.mask, 160);
    for (const [got, want] of [
      [x1, 40],
      [y1, 20],
      [x2, 119],
      [y2, 69],
    ] as const)
      expect(Math.abs(got - want)).toBeLessThanOrEqual(3);
  });

  it('decodes several prompts against one encoding', async () => {
    const a = await segmenter.segment({
      bbox: [0, 0, 79, 47],
      points: [
        [10, 10],
        [20, 20],
      ],
    });
    const b = await segmenter.segment({
      bbox: [80, 48, 159, 95],
      points: [
        [100, 60],
        [120, 80],
      ],
    });
    expect(a.mask.reduce((s, v) => s + v, 0)).toBeGreaterThan(2500);
    expect(a.mask.some((v, i) => v && b.mask[i])).toBe(false);
  });
});

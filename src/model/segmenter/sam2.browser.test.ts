// SAM2-layout exports through SamSegmenter on onnxruntime-web (wasm and WebGPU), with a tiny generated folder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerModelFolder, unregisterModelFolder } from '../hub/model-fetch';
import { asBlobs } from '../hub/testing/folders';
import { SAM2_CANDIDATE_SCORES, tinySam2Files } from '../hub/testing/tiny-sam2';
import { configureTransformers } from '../hub/transformers-env';
import { SamSegmenter, type SegmenterDevice } from './sam-segmenter';

function maskBox(mask: Uint8Array, width: number): number[] {
  let [x1, y1, x2, y2] = [Infinity, Infinity, -1, -1];
  mask.forEach((v, i) => {
    if (!v) return;
    const x = i % width;
    const y = Math.floor(i / width);
    [x1, y1, x2, y2] = [Math.min(x1, x), Math.min(y1, y), Math.max(x2, x), Math.max(y2, y)];
  });
  return [x1, y1, x2, y2];
}

const near = (got: number[], want: number[]) =>
  got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(3));

describe.each(['wasm', 'webgpu'] as SegmenterDevice[])('SAM2 layout on %s', (device) => {
  const id = `opened/tiny-sam2-${device}`;
  let segmenter: SamSegmenter;

  beforeAll(async () => {
    configureTransformers();
    registerModelFolder(id, asBlobs(tinySam2Files({ size: 32, maskSize: 16 })));
    segmenter = await SamSegmenter.load(id, { device });
    await segmenter.encode({ width: 100, height: 60, rgba: new Uint8ClampedArray(100 * 60 * 4).fill(70) });
  });
  afterAll(async () => {
    await segmenter?.dispose();
    unregisterModelFolder(id);
  });

  it('takes the box natively: box + two points, box only, points only', async () => {
    expect(segmenter).toMatchObject({ modelType: 'sam2', boxesNative: true });
    const box = [20, 10, 79, 49] as const;
    const points = [
      [30, 20],
      [60, 40],
    ] as const;
    const both = await segmenter.segment({ bbox: box, points });
    expect(both.candidateScores.map((s) => Number(s.toFixed(3)))).toEqual(SAM2_CANDIDATE_SCORES);
    near(maskBox(both.mask, 100), [...box]);
    near(maskBox((await segmenter.segment({ bbox: box, points: [] })).mask, 100), [...box]);
    near(maskBox((await segmenter.segment({ bbox: [0, 0, 0, 0], points })).mask, 100), [30, 20, 60, 40]);
  });
});

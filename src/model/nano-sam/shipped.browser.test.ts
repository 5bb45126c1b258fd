// The shipped nano-sam in Chromium: served from /models/nano-sam, run by transformers.js on onnxruntime-web (wasm, WebGPU).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectMask, renderScene, sample } from '../../data/shapeworld/index';
import { configureTransformers } from '../hub/transformers-env';
import { SamSegmenter, type SegmenterDevice } from '../segmenter/sam-segmenter';
import { maskIoU } from '../../rl/metrics';
import { groundTruthPrompt } from './data';

/** WebGPU on SwiftShader takes seconds per decode, so it checks one scene; wasm checks three. */
const SCENES: Record<string, number[]> = { wasm: [0, 1, 2], webgpu: [0] };

describe.each(['wasm', 'webgpu'] as SegmenterDevice[])('shipped nano-sam on %s', (device) => {
  let segmenter: SamSegmenter;
  beforeAll(async () => {
    configureTransformers();
    segmenter = await SamSegmenter.load('nano-sam', { device });
  }, 60_000);
  afterAll(() => segmenter?.dispose());

  it('segments ShapeWorld test targets from their ground-truth box and points', async () => {
    const scores: number[] = [];
    for (const index of SCENES[device] ?? []) {
      const record = sample('test', index);
      const image = renderScene(record, 200);
      await segmenter.encode(image);
      const prompt = groundTruthPrompt(record.gt, 200);
      const result = await segmenter.segment({
        bbox: prompt.box as [number, number, number, number],
        points: (prompt.points ?? []) as [number, number][],
      });
      expect([result.width, result.height]).toEqual([200, 200]);
      scores.push(maskIoU(result.mask, objectMask(image, record.target)));
    }
    expect(scores.reduce((a, b) => a + b, 0) / scores.length).toBeGreaterThan(0.85);
  }, 180_000);
});

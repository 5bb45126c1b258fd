// The shipped nano-sam (public/models/nano-sam) in Node: manifest hashes, and the app's SamSegmenter on onnxruntime-node.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectMask, renderScene, sample } from '../../data/shapeworld/index';
import { verifyManifest, type ModelManifest } from '../hub/manifest';
import { configureTransformersForNode } from '../hub/transformers-node';
import { SamSegmenter } from '../segmenter/sam-segmenter';
import { maskIoU } from '../../rl/metrics';
import { groundTruthPrompt } from './data';

const MODELS = resolve('public/models');
const FOLDER = join(MODELS, 'nano-sam');

/** Test sample 0's target at 256 px (the processor resizes it to the model's 128), its mask and GT prompt. */
function testScene(index: number) {
  const record = sample('test', index);
  const image = renderScene(record, 256);
  const prompt = groundTruthPrompt(record.gt, 256);
  return { image, truth: objectMask(image, record.target), prompt };
}

describe('shipped nano-sam', () => {
  let segmenter: SamSegmenter;

  beforeAll(async () => {
    configureTransformersForNode(MODELS);
    segmenter = await SamSegmenter.load('nano-sam', { device: 'cpu' });
  });
  afterAll(() => segmenter?.dispose());

  it('matches its manifest, file by file, within the 8 MB budget', async () => {
    const manifest = JSON.parse(readFileSync(join(FOLDER, 'manifest.json'), 'utf8')) as ModelManifest;
    expect(manifest.files.map((f) => f.path)).toEqual([
      'config.json',
      'onnx/prompt_encoder_mask_decoder.onnx',
      'onnx/vision_encoder.onnx',
      'preprocessor_config.json',
    ]);
    await verifyManifest(manifest, async (path) => readFileSync(join(FOLDER, path)));
    expect(manifest.files.reduce((n, f) => n + f.bytes, 0)).toBeLessThan(8 * 1024 * 1024);
  });

  it('segments ShapeWorld test objects from box + points, box only, and points only', async () => {
    const results: Record<string, number[]> = { both: [], box: [], points: [] };
    for (const index of [0, 1, 2, 3]) {
      const { image, truth, prompt } = testScene(index);
      await segmenter.encode(image);
      const bbox = prompt.box as [number, number, number, number];
      const points = (prompt.points ?? []) as [number, number][];
      const both = await segmenter.segment({ bbox, points });
      expect([both.width, both.height]).toEqual([256, 256]);
      results.both!.push(maskIoU(both.mask, truth));
      results.box!.push(maskIoU((await segmenter.segment({ bbox, points: [] })).mask, truth));
      results.points!.push(maskIoU((await segmenter.segment({ points, bbox: [0, 0, 0, 0] })).mask, truth));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(results.both!), 'box + points').toBeGreaterThan(0.85);
    expect(mean(results.box!), 'box only').toBeGreaterThan(0.75);
    expect(mean(results.points!), 'points only').toBeGreaterThan(0.5);
  }, 60_000);

  it('refuses a corrupt graph with a clear error', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'nano-sam-'));
    try {
      cpSync(FOLDER, join(copy, 'nano-sam'), { recursive: true });
      const graph = join(copy, 'nano-sam', 'onnx', 'vision_encoder.onnx');
      writeFileSync(graph, readFileSync(graph).subarray(0, 1000));
      configureTransformersForNode(copy);
      await expect(SamSegmenter.load('nano-sam', { device: 'cpu' })).rejects.toThrow(
        /protobuf|parse|load|model/i,
      );
    } finally {
      configureTransformersForNode(MODELS);
      rmSync(copy, { recursive: true, force: true });
    }
  }, 30_000);
});

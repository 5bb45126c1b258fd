// nano-sam training pieces: ShapeWorld batches, the multimask loss, a tiny run that learns, and exact resumption.
import { describe, expect, it } from 'vitest';
import { objectMask, renderScene, sample } from '../../data/shapeworld/index';
import { ReferenceBackend } from '../../webgpu/backends/reference';
import { WasmBackend } from '../../webgpu/backends/wasm';
import { fromArray } from '../../webgpu/creation';
import { Random } from '../../webgpu/random';
import { writeSafetensors } from '../../webgpu/safetensors';
import type { NanoSamConfig } from './config';
import { groundTruthPrompt, trainingBatch } from './data';
import { candidateIou, nanoSamLoss } from './loss';
import { learningRate } from '../training/schedule';
import { DEFAULT_TRAIN_OPTIONS, NanoSamTrainer } from './train';

const TINY: NanoSamConfig = {
  inputSize: 32,
  encoderChannels: [4, 8],
  embedDim: 8,
  decoderDim: 8,
  decoderLayers: 1,
  descriptorDim: 4,
  pixelHeadDim: 4,
  candidates: 3,
  pointSigma: 1.5,
  boxSoftness: 0.5,
};
const TINY_OPTIONS = {
  ...DEFAULT_TRAIN_OPTIONS,
  steps: 12,
  scenesPerStep: 2,
  objectsPerScene: 2,
  warmupSteps: 2,
};

describe('nano-sam training data', () => {
  it('pairs each prompt with the exact mask of the prompted object, target first', () => {
    const batch = trainingBatch(TINY, 'train', 5, 2, 2, new Random(3));
    const plane = 32 * 32;
    expect(batch.prompts).toHaveLength(4);
    expect(batch.pixels).toHaveLength(4 * 3 * plane);
    const record = sample('train', 5);
    const want = objectMask(renderScene(record, 32), record.target);
    expect(Array.from(batch.masks.subarray(0, plane))).toEqual(Array.from(want));
    expect(Math.min(...batch.pixels)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...batch.pixels)).toBeLessThanOrEqual(1);
  });

  it('scales ground truth from the 840 frame the way the app scales an answer', () => {
    const prompt = groundTruthPrompt({ bbox: [84, 168, 420, 840], points: [[42, 0]] }, 128);
    expect(prompt.box).toEqual([12.8, 25.6, 64, 128]);
    expect(prompt.points).toEqual([[6.4, 0]]);
  });
});

describe('nano-sam loss', () => {
  it('measures each candidate by hard IoU and trains only the best one', async () => {
    const backend = new ReferenceBackend({ precision: 'f64' });
    // One image, 2×2 pixels, target = left column; candidate 0 exact, 1 all on, 2 all off.
    const target = fromArray([1, 0, 1, 0], [1, 1, 2, 2], { backend });
    const logits = fromArray([5, -5, 5, -5, 5, 5, 5, 5, -5, -5, -5, -5], [1, 3, 2, 2], { backend });
    expect(Array.from(await candidateIou(logits, target).data())).toEqual([
      expect.closeTo(1, 5),
      expect.closeTo(0.5, 5),
      expect.closeTo(0, 5),
    ]);
    const iouScores = fromArray([1, 0.5, 0], [1, 3], { backend });
    const loss = nanoSamLoss({ maskLogits: logits, iouScores }, target);
    expect((await loss.iouLoss.data())[0]).toBeCloseTo(0, 6);
    // The best candidate's BCE is log(1 + e^-5) per pixel; its dice is small but not 0 (soft probabilities).
    expect((await loss.maskLoss.data())[0]).toBeLessThan(0.02);
  });
});

describe('nano-sam trainer', () => {
  it('follows warm-up then cosine', () => {
    const options = { ...DEFAULT_TRAIN_OPTIONS, lr: 1, steps: 110, warmupSteps: 10, finalLrRatio: 0.1 };
    expect(learningRate(options, 0)).toBeCloseTo(0.1);
    expect(learningRate(options, 9)).toBeCloseTo(1);
    expect(learningRate(options, 60)).toBeCloseTo(0.55);
    expect(learningRate(options, 110)).toBeCloseTo(0.1);
  });

  it('lowers the loss on ShapeWorld in a few steps', async () => {
    const backend = await WasmBackend.create({ threads: 1 });
    const trainer = NanoSamTrainer.create(backend, TINY, { ...TINY_OPTIONS, lr: 1e-2 });
    const losses: number[] = [];
    for (let i = 0; i < TINY_OPTIONS.steps; i++) losses.push((await trainer.trainStep()).loss);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-3))).toBeLessThan(0.8 * mean(losses.slice(0, 3)));
    backend.dispose();
  }, 60_000);

  it('resumes from a checkpoint exactly where an uninterrupted run would be', async () => {
    const backend = await WasmBackend.create({ threads: 1 });
    const straight = NanoSamTrainer.create(backend, TINY, TINY_OPTIONS);
    for (let i = 0; i < 3; i++) await straight.trainStep();
    const interrupted = NanoSamTrainer.create(backend, TINY, TINY_OPTIONS);
    for (let i = 0; i < 2; i++) await interrupted.trainStep();
    const resumed = NanoSamTrainer.restore(backend, await interrupted.checkpoint());
    expect(resumed.step).toBe(2);
    await resumed.trainStep();
    for (const [name, tensor] of straight.params) {
      expect(Array.from(await resumed.params.get(name)!.data()), name).toEqual(
        Array.from(await tensor.data()),
      );
    }
    backend.dispose();
  }, 60_000);

  it('refuses a checkpoint without its metadata', async () => {
    const backend = await WasmBackend.create({ threads: 1 });
    const bare = writeSafetensors({ x: { dtype: 'F32', shape: [1], data: [0] } });
    expect(() => NanoSamTrainer.restore(backend, bare)).toThrow(/metadata/);
    backend.dispose();
  });
});

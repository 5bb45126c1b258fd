// Perception training: a tiny run that lowers the loss, and exact resumption from a checkpoint.
import { describe, expect, it } from 'vitest';
import { WasmBackend } from '../../../webgpu/backends/wasm';
import { writeSafetensors } from '../../../webgpu/safetensors';
import { TRAINING_TEST_CONFIG } from './test-support';
import { CheckpointError } from '../../training/checkpoint';
import { DEFAULT_TRAIN_OPTIONS, PerceptionTrainer } from './train';

const TINY_OPTIONS = { ...DEFAULT_TRAIN_OPTIONS, steps: 15, batch: 2, warmupSteps: 2, lr: 1e-2 };

describe('perception trainer', () => {
  it('lowers the loss on ShapeWorld in a few steps', async () => {
    const backend = await WasmBackend.create({ threads: 1 });
    const options = { ...TINY_OPTIONS, steps: 25, batch: 4 };
    const trainer = PerceptionTrainer.create(backend, TRAINING_TEST_CONFIG, options);
    const losses: number[] = [];
    for (let i = 0; i < options.steps; i++) losses.push((await trainer.trainStep()).loss);
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    // Fresh scenes every step make single losses noisy: compare the means of the first and last few.
    expect(mean(losses.slice(-5))).toBeLessThan(0.9 * mean(losses.slice(0, 3)));
    backend.dispose();
  }, 60_000);

  it('resumes from a checkpoint exactly where an uninterrupted run would be', async () => {
    const backend = await WasmBackend.create({ threads: 1 });
    const straight = PerceptionTrainer.create(backend, TRAINING_TEST_CONFIG, TINY_OPTIONS);
    for (let i = 0; i < 3; i++) await straight.trainStep();
    const interrupted = PerceptionTrainer.create(backend, TRAINING_TEST_CONFIG, TINY_OPTIONS);
    for (let i = 0; i < 2; i++) await interrupted.trainStep();
    const resumed = PerceptionTrainer.restore(backend, await interrupted.checkpoint());
    expect(resumed.step).toBe(2);
    expect(resumed.options).toEqual(TINY_OPTIONS);
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
    expect(() => PerceptionTrainer.restore(backend, bare)).toThrow(CheckpointError);
    backend.dispose();
  });
});

// readSavedAdapter: a GRPO checkpoint and the exported adapter file give the same adapter; other files are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WasmBackend } from '../../webgpu';
import { SafetensorsError } from '../../webgpu/safetensors';
import type { LoraAdapters } from '../lora';
import { AdapterFileError } from '../lora';
import type { Transformer } from '../transformer';
import { tinyModel } from '../transformer/test-support';
import { readSavedAdapter } from './saved-adapter';
import { MemoryCheckpointStore } from './store';
import { toyTask } from './test-support';
import { GrpoTrainer } from './trainer';

const BASE_ID = 'tiny-test';

let backend: WasmBackend;
let model: Transformer;
let trainer: GrpoTrainer;
let checkpoint: Uint8Array;
beforeAll(async () => {
  backend = await WasmBackend.create({ threads: 1 });
  model = tinyModel(backend, 2, undefined, 0.05);
  const store = new MemoryCheckpointStore();
  trainer = await GrpoTrainer.create(
    { model, task: toyTask(), store, baseModelId: BASE_ID },
    {
      seed: 3,
      steps: 2,
      checkpointEvery: 2,
      grpo: { promptsPerStep: 2, groupSize: 4, maxNewTokens: 6, lr: 2e-2 },
      lora: { rank: 2, alpha: 4, targets: ['q_proj', 'v_proj'] },
      reward: { preset: 'pixelthink', lowBudget: 48 },
    },
  );
  await trainer.trainStep();
  await trainer.trainStep();
  checkpoint = store.bytes as Uint8Array;
});
afterAll(() => {
  trainer.dispose();
  model.dispose();
  backend.dispose();
});

async function values(adapters: LoraAdapters): Promise<number[][]> {
  return Promise.all(Object.values(adapters.parameters()).map(async (t) => Array.from(await t.data())));
}

describe('readSavedAdapter', () => {
  it("reads a train:grpo checkpoint: the run's LoRA tensors, step and reward", async () => {
    const saved = readSavedAdapter(backend, model, BASE_ID, checkpoint);
    expect(saved).toMatchObject({ kind: 'grpo-checkpoint', step: 2 });
    expect(saved.rewardParams).toMatchObject({ preset: 'pixelthink', lowBudget: 48 });
    expect(await values(saved.adapters)).toEqual(await values(trainer.adapter));
    saved.adapters.dispose();
  });

  it('reads the exported adapter file to the same tensors, with its recorded step and reward', async () => {
    const saved = readSavedAdapter(backend, model, BASE_ID, await trainer.exportAdapter('two steps'));
    expect(saved).toMatchObject({ kind: 'adapter-file', step: 2 });
    expect(saved.rewardParams).toMatchObject({ preset: 'pixelthink', lowBudget: 48 });
    expect(await values(saved.adapters)).toEqual(await values(trainer.adapter));
    saved.adapters.dispose();
  });

  it("refuses an adapter file of another base model with the import check's reason", async () => {
    const file = await trainer.exportAdapter('two steps');
    expect(() => readSavedAdapter(backend, model, 'another-model', file)).toThrow(AdapterFileError);
    expect(() => readSavedAdapter(backend, model, 'another-model', file)).toThrow(/trained on "tiny-test"/);
  });

  it('refuses bytes that are not safetensors', () => {
    expect(() => readSavedAdapter(backend, model, BASE_ID, new Uint8Array([1, 2, 3]))).toThrow(
      SafetensorsError,
    );
  });
});

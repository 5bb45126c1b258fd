// The selector trainer: it fits a fixed batch, and a checkpoint resumes the same run exactly.
import { describe, expect, it } from 'vitest';
import { WasmBackend } from '../../../webgpu/backends/wasm';
import type { SelectorConfig } from './config';
import { selectorExample } from './data';
import { DEFAULT_SELECTOR_TRAIN_OPTIONS, SelectorTrainer, type EncodeQuery } from './train';

const CONFIG: SelectorConfig = {
  dim: 32,
  layers: 2,
  heads: 2,
  pairHidden: 32,
  mlpHidden: 64,
  vocab: 97,
  maxQueryTokens: 24,
};
const OPTIONS = { ...DEFAULT_SELECTOR_TRAIN_OPTIONS, batch: 8, steps: 100, warmupSteps: 5, lr: 3e-3 };

/** A stand-in for the policy tokenizer: each word's id is a hash of it. */
const encode: EncodeQuery = (query) =>
  query.split(' ').map((word) => [...word].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 96, 7) + 1);

describe('selector trainer', () => {
  it('fits a fixed batch: the loss falls and the batch accuracy rises', async () => {
    const backend = await WasmBackend.create({ threads: 1 });
    const trainer = SelectorTrainer.create(backend, CONFIG, OPTIONS);
    const examples = Array.from({ length: 16 }, (_, i) => selectorExample('train', i));
    const first = await trainer.trainStepOn(examples, encode);
    let last = first;
    for (let i = 0; i < 40; i++) last = await trainer.trainStepOn(examples, encode);
    expect(last.loss).toBeLessThan(first.loss / 4);
    expect(last.accuracy).toBeGreaterThan(0.9);
    backend.dispose();
  }, 60_000);

  it('resumes from a checkpoint exactly', async () => {
    const backend = await WasmBackend.create({ threads: 1 });
    const trainer = SelectorTrainer.create(backend, CONFIG, OPTIONS);
    for (let i = 0; i < 3; i++) await trainer.trainStep(encode);
    const restored = SelectorTrainer.restore(backend, await trainer.checkpoint());
    expect(restored.step).toBe(3);
    const [a, b] = [await trainer.trainStep(encode), await restored.trainStep(encode)];
    expect(b.loss).toBe(a.loss);
    expect(b.gradNorm).toBe(a.gradNorm);
    const name = 'layers.1.pair.message.weight';
    expect(await restored.params.get(name)?.data()).toEqual(await trainer.params.get(name)?.data());
    backend.dispose();
  }, 60_000);
});

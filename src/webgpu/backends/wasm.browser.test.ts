// Browser test in Chromium: the wasm backend loads its kernels through Vite and runs the tiny LM forward like the reference.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromArray } from '../creation';
import { Random } from '../random';
import { scope } from '../scope';
import type { TinyConfig } from '../testing/tiny-transformer';
import { initTinyLM, tinyLogits } from '../testing/tiny-transformer';
import type { Backend } from '../backend';
import { ReferenceBackend } from './reference';
import { WasmBackend } from './wasm';

const config: TinyConfig = { vocab: 16, dim: 32, heads: 4, kvHeads: 2, headDim: 8, hidden: 64, layers: 2 };

/** Logits of a seeded tiny LM on a fixed batch. */
async function logits(backend: Backend): Promise<Float32Array> {
  const params = initTinyLM(config, new Random(3), backend);
  const out = scope(() => {
    const ids = fromArray([1, 5, 9, 13, 1, 5, 2, 4, 6, 8, 10, 12], [2, 6], { backend, dtype: 'i32' });
    const positions = fromArray([0, 1, 2, 3, 4, 5], [6], { backend, dtype: 'i32' });
    return tinyLogits(params, config, ids, positions);
  });
  const data = (await out.data()) as Float32Array;
  out.dispose();
  Object.values(params).forEach((p) => p.dispose());
  return data;
}

let backend: WasmBackend;
beforeAll(async () => {
  backend = await WasmBackend.create();
});
afterAll(() => backend.dispose());

describe('WasmBackend in the browser', () => {
  it('runs the tiny LM forward like the reference, with nothing left allocated', async () => {
    const [got, want] = [await logits(backend), await logits(new ReferenceBackend())];
    expect(got.length).toBe(want.length);
    got.forEach((value, i) => expect(Math.abs(value - (want[i] as number))).toBeLessThan(1e-4));
    expect(backend.liveStorageCount()).toBe(0);
  });
});

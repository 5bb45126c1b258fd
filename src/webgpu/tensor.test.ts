// Tensor handles: async reads, views sharing storage, dispose semantics, typed errors, poisoned allocation.
import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from './backends/reference';
import { fromArray, full, ones, zeros } from './creation';
import { DisposedError, ShapeError } from './errors';
import { reshape } from './ops/shape';

describe('Tensor', () => {
  it('reads values asynchronously in its dtype', async () => {
    const backend = new ReferenceBackend();
    const t = fromArray([1.5, 2, 3], [3], { backend });
    expect(await t.data()).toEqual(Float32Array.from([1.5, 2, 3]));
    const ids = fromArray([1, 2], [2], { backend, dtype: 'i32' });
    expect(await ids.data()).toBeInstanceOf(Int32Array);
    expect(await full([], 4, { backend }).item()).toBe(4);
    await expect(t.item()).rejects.toThrow(ShapeError);
    expect(Array.from(await zeros([2], { backend }).data())).toEqual([0, 0]);
    expect(Array.from(await ones([2], { backend }).data())).toEqual([1, 1]);
  });

  it('frees storage when the last view is disposed, and rejects use after dispose', () => {
    const backend = new ReferenceBackend();
    const t = fromArray([1, 2, 3, 4], [2, 2], { backend });
    const view = reshape(t, [4]);
    expect(backend.liveStorageCount()).toBe(1);
    t.dispose();
    t.dispose(); // idempotent
    expect(backend.liveStorageCount()).toBe(1);
    view.dispose();
    expect(backend.liveStorageCount()).toBe(0);
    expect(() => t.storage).toThrow(DisposedError);
  });

  it('poisoned allocation: fresh kernel outputs start as NaN', () => {
    const backend = new ReferenceBackend({ poison: true });
    const s = backend.binary('add', backend.fill(2, 1, 'f32'), backend.fill(2, 1, 'f32'), {
      out: [2],
      a: [2],
      b: [2],
    });
    expect(Array.from(backend.peek(s))).toEqual([2, 2]);
    expect(() => fromArray([1, 2, 3], [2, 2], { backend })).toThrow(ShapeError);
  });
});

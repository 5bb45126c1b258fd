// KvCache: in-place writes into buffers that double up to maxLength, contents through expand / selectRows, cleanup.
import { describe, expect, it } from 'vitest';
import { AutogradError, ReferenceBackend, Tape, fromArray, mul, parameter } from '../../webgpu';
import type { Tensor } from '../../webgpu';
import { ForwardInputError } from '../transformer';
import { KvCache } from './kv-cache';

const backend = new ReferenceBackend({ poison: true });
const [HEADS, DIM] = [2, 3];
const ROW = HEADS * DIM;

/** One token's key row: 1000·sequence + 10·token + channel / 10, so every value says where it came from. */
const row = (sequence: number, token: number): number[] =>
  Array.from({ length: ROW }, (_, c) => 1000 * sequence + 10 * token + c / 10);

/** Keys [sequences.length, count, heads, dim] for tokens from..from + count of the given sequences. */
function tokens(sequences: readonly number[], from: number, count: number): Tensor {
  const data = sequences.flatMap((s) => Array.from({ length: count }, (_, t) => row(s, from + t)).flat());
  return fromArray(data, [sequences.length, count, HEADS, DIM], { backend });
}

/** The first `length` rows of every sequence of a [batch, capacity, heads, dim] buffer. */
async function filledRows(buffer: Tensor, length: number): Promise<number[]> {
  const [batch, capacity] = buffer.shape as [number, number];
  const all = Array.from(await buffer.data());
  return Array.from({ length: batch }, (_, b) =>
    all.slice(b * capacity * ROW, (b * capacity + length) * ROW),
  ).flat();
}

/** Extends layer 0 with tokens from..from + count of `sequences` (keys and values alike) and advances. */
function step(cache: KvCache, sequences: readonly number[], from: number, count: number) {
  const keys = tokens(sequences, from, count);
  const result = cache.extend(0, keys, keys);
  cache.advance(count);
  keys.dispose();
  return result;
}

const f32 = (values: number[]): number[] => Array.from(Float32Array.from(values));
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('KvCache', () => {
  it('writes each step in place and grows by doubling, capped at maxLength', async () => {
    const cache = new KvCache(1, 2, 20);
    const first = step(cache, [0, 1], 0, 3);
    expect(cache.capacity(0)).toBe(6);
    const second = step(cache, [0, 1], 3, 2);
    expect(second.keys).toBe(first.keys); // it fits: the same buffer, nothing reallocated
    expect(second.length).toBe(5);
    const third = step(cache, [0, 1], 5, 2);
    expect(third.keys).not.toBe(first.keys);
    expect(cache.capacity(0)).toBe(14);
    step(cache, [0, 1], 7, 8);
    expect(cache.capacity(0)).toBe(20);
    const last = step(cache, [0, 1], 15, 5);
    expect(last.length).toBe(20);
    const expected = f32([0, 1].flatMap((s) => range(20).flatMap((t) => row(s, t))));
    expect(await filledRows(last.keys, 20)).toEqual(expected);
    expect(await filledRows(last.values, 20)).toEqual(expected);
    const more = tokens([0, 1], 20, 1);
    expect(() => cache.extend(0, more, more)).toThrow(ForwardInputError);
    more.dispose();
    cache.dispose();
  });

  it('keeps the filled rows through expand and selectRows, and frees every buffer', async () => {
    const live = backend.liveStorageCount();
    const prompt = new KvCache(1, 1, 32);
    step(prompt, [7], 0, 4);
    const group = prompt.expand(3);
    prompt.dispose();
    expect(group.capacity(0)).toBe(8);
    step(group, [0, 1, 2], 4, 1);
    group.selectRows([2, 0]);
    const { keys, length } = step(group, [20, 21], 5, 1);
    expect(length).toBe(6);
    const promptRows = range(4).flatMap((t) => row(7, t));
    const expected = f32([
      ...[...promptRows, ...row(2, 4), ...row(20, 5)],
      ...[...promptRows, ...row(0, 4), ...row(21, 5)],
    ]);
    expect(await filledRows(keys, 6)).toEqual(expected);
    group.dispose();
    expect(backend.liveStorageCount()).toBe(live);
  });

  it('refuses to extend under a tape that tracks the keys', () => {
    const cache = new KvCache(1, 1, 8);
    const weight = parameter(fromArray([2], [1], { backend }));
    const tape = new Tape();
    tape.record(() => {
      const keys = mul(tokens([0], 0, 1), weight);
      expect(() => cache.extend(0, keys, keys)).toThrow(AutogradError);
    });
    tape.dispose();
    cache.dispose();
    weight.dispose();
  });
});

// Tests of the seeded random stream: pinned outputs (engine independence), ranges and permutations.
import { describe, expect, it } from 'vitest';
import { createRandom, hashString } from './random';

describe('createRandom', () => {
  it('gives the pinned sequence for a seed, in every engine', () => {
    const random = createRandom('shapeworld-v1/test/0');
    expect(Array.from({ length: 4 }, () => random.uint32())).toEqual(PINNED_SEQUENCE);
  });

  it('gives different streams for different seeds', () => {
    expect(createRandom('a').uint32()).not.toBe(createRandom('b').uint32());
    expect(hashString('shapeworld-v1/val/1')).not.toEqual(hashString('shapeworld-v1/test/1'));
  });

  it('keeps int() inside its inclusive bounds and reaches both ends', () => {
    const random = createRandom('ints');
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const value = random.int(-3, 3);
      expect(value).toBeGreaterThanOrEqual(-3);
      expect(value).toBeLessThanOrEqual(3);
      seen.add(value);
    }
    expect(seen.size).toBe(7);
  });

  it('shuffles into a permutation without touching the input', () => {
    const input = [1, 2, 3, 4, 5, 6, 7, 8];
    const output = createRandom('shuffle').shuffled(input);
    expect(input).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...output].sort((a, b) => a - b)).toEqual(input);
  });

  it('draws weighted items in proportion and never a zero-weight one', () => {
    const random = createRandom('weights');
    const counts = { a: 0, b: 0, never: 0 };
    for (let i = 0; i < 4000; i++)
      counts[
        random.weighted([
          ['a', 3],
          ['b', 1],
          ['never', 0],
        ] as const)
      ]++;
    expect(counts.never).toBe(0);
    expect(counts.a / counts.b).toBeGreaterThan(2.5);
    expect(counts.a / counts.b).toBeLessThan(3.5);
  });

  it('refuses to pick from an empty list', () => {
    expect(() => createRandom('empty').pick([])).toThrow(RangeError);
  });
});

const PINNED_SEQUENCE = [422936685, 2099679385, 1087672308, 3681304873];

// Selector inputs: one-hot and geometry features per object, pairwise features, padding masks, query truncation, errors.
import { describe, expect, it } from 'vitest';
import type { PerceivedObject } from '../scene-text';
import { defaultSelectorConfig } from './config';
import { OBJECT_FEATURES, PAIR_FEATURES, SelectorInputError, selectorInputs } from './features';

const config = { ...defaultSelectorConfig(50), maxQueryTokens: 4 };

function object(overrides: Partial<PerceivedObject>): PerceivedObject {
  return {
    size: 'small',
    colour: 'red',
    shape: 'circle',
    x: 100,
    y: 200,
    bbox: [80, 180, 119, 219],
    points: [
      [100, 200],
      [110, 210],
    ],
    ...overrides,
  };
}

describe('selector inputs', () => {
  const a = object({});
  const b = object({
    colour: 'blue',
    shape: 'star',
    size: 'large',
    x: 520,
    y: 620,
    bbox: [420, 500, 619, 739],
  });

  it('writes one-hots and geometry per object and pads scenes to the largest one', () => {
    const inputs = selectorInputs(config, [[a, b], [a]], [[3, 4], [5]]);
    expect(inputs.slots).toBe(2);
    expect(inputs.objects).toHaveLength(2 * 2 * OBJECT_FEATURES);
    const second = Array.from(inputs.objects.subarray(OBJECT_FEATURES, 2 * OBJECT_FEATURES));
    // blue is colour 4, star shape 4, large size 2.
    expect(second.slice(0, 15)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
    const [x, y, width, height, logWidth] = second.slice(15);
    expect([x, y, width, height]).toEqual([520 / 840, 620 / 840, 200 / 840, 240 / 840].map(Math.fround));
    expect(logWidth).toBeCloseTo(Math.log(200 / 840), 6);
    expect(Array.from(inputs.objectMask)).toEqual([1, 1, 1, 0]);
    expect(Array.from(inputs.objects.subarray(3 * OBJECT_FEATURES)).every((v) => v === 0)).toBe(true);
  });

  it('describes each ordered pair from the first object to the second', () => {
    const inputs = selectorInputs(config, [[a, b]], [[1]]);
    const pair = (i: number, j: number) =>
      Array.from(inputs.pairs.subarray((i * 2 + j) * PAIR_FEATURES, (i * 2 + j + 1) * PAIR_FEATURES));
    const [dx, dy, adx, ady, distance, , , sameColour, sameShape, sameSize, self] = pair(0, 1);
    expect(dx).toBeCloseTo(420 / 840, 6);
    expect(dy).toBeCloseTo(420 / 840, 6);
    expect([adx, ady]).toEqual([dx, dy]);
    expect(distance).toBeCloseTo(Math.hypot(0.5, 0.5), 6);
    expect([sameColour, sameShape, sameSize, self]).toEqual([0, 0, 0, 0]);
    expect(pair(1, 0)[0]).toBeCloseTo(-420 / 840, 6);
    expect(pair(1, 0)[5]).toBeCloseTo(-(pair(0, 1)[5] as number), 6);
    expect(pair(0, 0).slice(7)).toEqual([1, 1, 1, 1]);
  });

  it('cuts long queries to maxQueryTokens and masks the padding', () => {
    const inputs = selectorInputs(config, [[a], [a]], [[1, 2, 3, 4, 5, 6], [7]]);
    expect(Array.from(inputs.queryIds)).toEqual([1, 2, 3, 4, 7, 0, 0, 0]);
    expect(Array.from(inputs.queryMask)).toEqual([1, 1, 1, 1, 1, 0, 0, 0]);
  });

  it('refuses a scene without objects or an empty query', () => {
    expect(() => selectorInputs(config, [[]], [[1]])).toThrow(SelectorInputError);
    expect(() => selectorInputs(config, [[a]], [[]])).toThrow(SelectorInputError);
  });
});

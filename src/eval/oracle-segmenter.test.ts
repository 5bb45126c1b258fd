// Tests of the oracle segmenter's object choice on small hand-made label maps, and of the label-map helpers.
import { describe, expect, it } from 'vitest';
import type { BoxPoints } from '../rl/index';
import { EvalError } from './errors';
import { labelAt, labelRegions } from './label-regions';
import { createOracleSegmenter, selectObject } from './oracle-segmenter';

/** 10 × 6 map: object 0 (label 1) fills x 1..3, y 1..4; object 1 (label 2) fills x 6..8, y 2..3. */
const WIDTH = 10;
const HEIGHT = 6;
const LABELS = new Uint8Array(WIDTH * HEIGHT);
for (let y = 0; y < HEIGHT; y++) {
  for (let x = 0; x < WIDTH; x++) {
    if (x >= 1 && x <= 3 && y >= 1 && y <= 4) LABELS[y * WIDTH + x] = 1;
    if (x >= 6 && x <= 8 && y >= 2 && y <= 3) LABELS[y * WIDTH + x] = 2;
  }
}
const image = { rgba: new Uint8ClampedArray(WIDTH * HEIGHT * 4), width: WIDTH, height: HEIGHT };

function prompt(bbox: BoxPoints['bbox'], p1: [number, number], p2: [number, number]): BoxPoints {
  return { bbox, points: [p1, p2] };
}

describe('label regions', () => {
  it('finds each object with its inclusive box and area', () => {
    expect(labelRegions(LABELS, WIDTH)).toEqual([
      { label: 1, box: [1, 1, 3, 4], area: 12 },
      { label: 2, box: [6, 2, 8, 3], area: 6 },
    ]);
  });

  it('reads 0 outside the map', () => {
    expect(labelAt(LABELS, WIDTH, HEIGHT, [2, 2])).toBe(1);
    expect(labelAt(LABELS, WIDTH, HEIGHT, [-1, 2])).toBe(0);
    expect(labelAt(LABELS, WIDTH, HEIGHT, [2, 60])).toBe(0);
  });
});

describe('oracle object choice', () => {
  it('takes the object holding both points, even under a box drawn around the other one', () => {
    expect(selectObject(LABELS, WIDTH, HEIGHT, prompt([6, 2, 8, 3], [2, 2], [3, 4]))?.region.label).toBe(1);
  });

  it('lets the box decide when the points fall on two objects', () => {
    expect(selectObject(LABELS, WIDTH, HEIGHT, prompt([6, 2, 8, 3], [2, 2], [7, 2]))?.region.label).toBe(2);
  });

  it('accepts a matching box alone (inverted corners too) when no point is on an object', () => {
    expect(selectObject(LABELS, WIDTH, HEIGHT, prompt([8, 3, 6, 2], [0, 0], [9, 5]))?.region.label).toBe(2);
  });

  it('selects nothing when neither points nor box match, and the mask is then empty', async () => {
    const miss = prompt([0, 5, 9, 5], [0, 0], [9, 5]);
    expect(selectObject(LABELS, WIDTH, HEIGHT, miss)).toBeNull();
    const output = await createOracleSegmenter().segment({ image, prompt: miss, labels: LABELS });
    expect(output.mask.every((v) => v === 0)).toBe(true);
    expect(output.score).toBe(0);
  });

  it("returns exactly the chosen object's mask", async () => {
    const output = await createOracleSegmenter().segment({
      image,
      prompt: prompt([1, 1, 3, 4], [2, 2], [2, 3]),
      labels: LABELS,
    });
    expect([...output.mask]).toEqual([...LABELS].map((v) => (v === 1 ? 1 : 0)));
    expect(output.score).toBe(1);
  });

  it('needs the label map', async () => {
    await expect(
      createOracleSegmenter().segment({ image, prompt: prompt([1, 1, 3, 4], [2, 2], [2, 3]) }),
    ).rejects.toThrow(EvalError);
  });
});

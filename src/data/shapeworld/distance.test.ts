// Tests of the exact distance transform (against brute force) and of the inscribed-circle points.
import { describe, expect, it } from 'vitest';
import { inscribedPoints, maskBox, squaredDistanceTransform } from './distance';
import { createRandom } from './random';

function bruteForce(mask: Uint8Array, width: number, height: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) {
        out.push(0);
        continue;
      }
      let best = Infinity;
      // Background includes the ring of pixels just outside the array.
      for (let by = -1; by <= height; by++)
        for (let bx = -1; bx <= width; bx++) {
          const inside = bx >= 0 && by >= 0 && bx < width && by < height && mask[by * width + bx];
          if (!inside) best = Math.min(best, (bx - x) ** 2 + (by - y) ** 2);
        }
      out.push(best);
    }
  return out;
}

function filledRect(
  width: number,
  height: number,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = y1; y <= y2; y++) for (let x = x1; x <= x2; x++) mask[y * width + x] = 1;
  return mask;
}

describe('squaredDistanceTransform', () => {
  it('equals brute force on random masks', () => {
    const random = createRandom('edt');
    for (let trial = 0; trial < 20; trial++) {
      const width = random.int(1, 17);
      const height = random.int(1, 17);
      const mask = Uint8Array.from({ length: width * height }, () => (random.chance(0.7) ? 1 : 0));
      expect(Array.from(squaredDistanceTransform(mask, width, height))).toEqual(
        bruteForce(mask, width, height),
      );
    }
  });
});

describe('maskBox', () => {
  it('is tight and inclusive, and null for an empty mask', () => {
    expect(maskBox(filledRect(10, 8, 2, 3, 6, 4), 10, 8)).toEqual([2, 3, 6, 4]);
    expect(maskBox(new Uint8Array(12), 4, 3)).toBeNull();
  });
});

describe('inscribedPoints', () => {
  it('puts the first point in the middle of a square and the second towards a corner', () => {
    const points = inscribedPoints(filledRect(21, 21, 0, 0, 20, 20), 21, 21);
    expect(points?.first).toEqual([10, 10]);
    const [sx, sy] = points?.second ?? [10, 10];
    expect(Math.abs(sx - 10)).toBeGreaterThan(3);
    expect(Math.abs(sy - 10)).toBeGreaterThan(3);
  });

  it('finds the two lobes of a dumbbell', () => {
    const right = filledRect(40, 11, 29, 0, 39, 10);
    const mask = filledRect(40, 11, 0, 0, 10, 10).map((v, i) => v | (right[i] ?? 0));
    for (let x = 11; x < 29; x++) mask[5 * 40 + x] = 1;
    const points = inscribedPoints(mask, 40, 11);
    const xs = [points?.first[0] ?? 0, points?.second[0] ?? 0].sort((a, b) => a - b);
    expect(xs[0]).toBe(5);
    expect(xs[1]).toBe(34);
  });

  it('falls back inside thin shapes: both points on a one-pixel line', () => {
    const mask = filledRect(9, 3, 1, 1, 7, 1);
    const points = inscribedPoints(mask, 9, 3);
    if (!points) throw new Error('no points');
    for (const [x, y] of [points.first, points.second]) expect(mask[y * 9 + x]).toBe(1);
    expect(points?.second).not.toEqual(points?.first);
  });

  it('gives both points the single pixel of a one-pixel mask, and null for an empty one', () => {
    const points = inscribedPoints(filledRect(3, 3, 1, 1, 1, 1), 3, 3);
    expect(points?.first).toEqual([1, 1]);
    expect(points?.second).toEqual([1, 1]);
    expect(inscribedPoints(new Uint8Array(9), 3, 3)).toBeNull();
  });
});

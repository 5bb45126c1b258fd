// Tests of COCO-style uncompressed RLE: the documented column-major layout, round trips, area and bad input.
import { describe, expect, it } from 'vitest';
import { RleError, decodeRle, encodeRle, rleArea } from './rle';
import { createRandom } from './shapeworld/random';

describe('RLE', () => {
  it('runs down the columns and starts with background, like pycocotools', () => {
    // 3 wide, 2 high, row-major:   1 0 0
    //                              1 1 0   → columns: (1,1) (0,1) (0,0)
    const mask = Uint8Array.from([1, 0, 0, 1, 1, 0]);
    expect(encodeRle(mask, 3, 2)).toEqual({ size: [2, 3], counts: [0, 2, 1, 1, 2] });
    expect(encodeRle(new Uint8Array(6), 3, 2).counts).toEqual([6]);
    expect(encodeRle(new Uint8Array(6).fill(1), 3, 2).counts).toEqual([0, 6]);
  });

  it('round-trips random masks of many shapes and densities', () => {
    const random = createRandom('rle');
    for (let trial = 0; trial < 50; trial++) {
      const width = random.int(1, 40);
      const height = random.int(1, 40);
      const density = random.float();
      const mask = Uint8Array.from({ length: width * height }, () => (random.chance(density) ? 1 : 0));
      const rle = encodeRle(mask, width, height);
      expect(Array.from(decodeRle(rle))).toEqual(Array.from(mask));
      expect(rleArea(rle)).toBe(mask.reduce((sum, v) => sum + v, 0));
    }
  });

  it('treats any non-zero value as inside', () => {
    expect(decodeRle(encodeRle(Uint8Array.from([0, 255, 7, 0]), 2, 2))).toEqual(
      Uint8Array.from([0, 1, 1, 0]),
    );
  });

  it('rejects masks and counts that do not fit the size', () => {
    expect(() => encodeRle(new Uint8Array(5), 2, 2)).toThrow(RleError);
    expect(() => decodeRle({ size: [2, 2], counts: [1, 2] })).toThrow(/add up/);
    expect(() => decodeRle({ size: [2, 2], counts: [5, -1] })).toThrow(RleError);
  });
});

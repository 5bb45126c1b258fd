// Checks that the scanline rasteriser reproduces the per-pixel inside test exactly, for every shape and many sizes.
import { describe, expect, it } from 'vitest';
import { FRAME, SHAPES } from './attributes';
import { rasteriseObject } from './raster';
import { createRandom } from './random';
import type { SceneObject } from './scene';
import { insideTest, outline } from './shapes';

/** The definition: pixel p is inside when its centre, (2p + 1)·840 in units of 1/(2·size) px, passes insideTest. */
function referenceMask(
  object: SceneObject,
  size: number,
  x0: number,
  y0: number,
  width: number,
  height: number,
) {
  const inside = insideTest(outline(object.shape, object.radius), object.x, object.y, 2 * size);
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      mask[y * width + x] = inside((2 * (x0 + x) + 1) * FRAME, (2 * (y0 + y) + 1) * FRAME) ? 1 : 0;
  return mask;
}

describe('rasteriseObject', () => {
  it('equals the per-pixel definition for random objects at many sizes', () => {
    const random = createRandom('scanline');
    let mismatched = 0;
    let pixels = 0;
    for (let trial = 0; trial < 240; trial++) {
      const radius = random.int(3, 140);
      const object: SceneObject = {
        shape: SHAPES[trial % SHAPES.length] ?? 'circle',
        colour: 'red',
        size: 'small',
        x: random.int(radius + 2, FRAME - radius - 3),
        y: random.int(radius + 2, FRAME - radius - 3),
        radius,
        rgb: [0, 0, 0],
      };
      const size = random.pick([7, 32, 96, 100, 128, 333, 840, 1001]);
      const crop = rasteriseObject(object, size);
      const expected = referenceMask(object, size, crop.x0, crop.y0, crop.width, crop.height);
      expected.forEach((value, i) => {
        if (value !== crop.mask[i]) mismatched++;
        pixels += value;
      });
    }
    expect(mismatched).toBe(0);
    expect(pixels).toBeGreaterThan(0);
  });

  it('leaves a one-pixel empty margin in the crop around every large shape', () => {
    for (const shape of SHAPES) {
      const crop = rasteriseObject(
        { shape, colour: 'red', size: 'large', x: 400, y: 400, radius: 120, rgb: [0, 0, 0] },
        FRAME,
      );
      const border = crop.mask.filter((_, i) => {
        const x = i % crop.width;
        const y = Math.floor(i / crop.width);
        return x === 0 || y === 0 || x === crop.width - 1 || y === crop.height - 1;
      });
      expect(border.every((v) => v === 0)).toBe(true);
    }
  });
});

// Tests of the PNG codec: round trips of every layout we write, decoding PNGs built by an independent encoder, errors.
import { describe, expect, it } from 'vitest';
import {
  PngError,
  crc32,
  decodeMaskPng,
  decodePng,
  encodeGreyPng,
  encodeMaskPng,
  encodeRgbaPng,
} from './png';
import { createRandom } from './shapeworld/random';

function bytesOf(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function randomBytes(seed: string, length: number, values = 256): Uint8Array {
  const random = createRandom(seed);
  return Uint8Array.from({ length }, () => random.int(0, values - 1));
}

/** Smooth gradients plus noise, so every filter type wins on some row. */
function testImage(width: number, height: number, alpha: boolean): Uint8ClampedArray {
  const random = createRandom(`image-${width}-${height}`);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      rgba[i] = x * 3 + y;
      rgba[i + 1] = y % 5 === 0 ? random.int(0, 255) : 128;
      rgba[i + 2] = (x * y) & 0xff;
      rgba[i + 3] = alpha ? random.int(0, 255) : 255;
    }
  return rgba;
}

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('PNG round trips', () => {
  it.each([
    [1, 1, true],
    [13, 7, true],
    [64, 33, false],
    [97, 5, false],
  ])('RGBA %i×%i (alpha %s) decodes to the same pixels', (width, height, alpha) => {
    const rgba = testImage(width, height, alpha);
    const png = encodeRgbaPng(rgba, width, height);
    const decoded = decodePng(png);
    expect([decoded.width, decoded.height]).toEqual([width, height]);
    expect(decoded.colourType).toBe(alpha ? 6 : 2);
    expect(Array.from(decoded.rgba)).toEqual(Array.from(rgba));
  });

  it('8-bit grey decodes to the same values', () => {
    const grey = randomBytes('grey', 31 * 9);
    const decoded = decodePng(encodeGreyPng(grey, 31, 9));
    expect(Array.from(decoded.rgba.filter((_, i) => i % 4 === 0))).toEqual(Array.from(grey));
  });

  it.each([1, 8] as const)('%i-bit masks of odd widths decode to the same mask', (bits) => {
    for (const [width, height] of [
      [1, 1],
      [7, 3],
      [9, 4],
      [17, 2],
    ] as const) {
      const mask = randomBytes(`mask-${width}`, width * height, 2);
      const png = encodeMaskPng(mask, width, height, bits);
      expect(decodePng(png).bitDepth).toBe(bits);
      expect(Array.from(decodeMaskPng(png).mask)).toEqual(Array.from(mask));
    }
  });

  it('is deterministic: the same pixels give the same bytes', () => {
    const rgba = testImage(40, 40, false);
    expect(encodeRgbaPng(rgba, 40, 40)).toEqual(encodeRgbaPng(rgba.slice(), 40, 40));
  });

  it('rejects pixel arrays that do not fit the size', () => {
    expect(() => encodeRgbaPng(new Uint8ClampedArray(15), 2, 2)).toThrow(PngError);
    expect(() => encodeMaskPng(new Uint8Array(4), 0, 4)).toThrow(PngError);
  });
});

describe('decodePng', () => {
  it.each(REFERENCE_PNGS)(
    'decodes $name written by an independent encoder (zlib, all filters)',
    (reference) => {
      const decoded = decodePng(bytesOf(reference.base64));
      expect([decoded.width, decoded.height]).toEqual([reference.width, reference.height]);
      expect(Array.from(decoded.rgba)).toEqual(reference.rgba);
    },
  );

  it('rejects a bad signature, a bad CRC and truncated data', () => {
    const png = encodeRgbaPng(testImage(8, 8, false), 8, 8);
    expect(() => decodePng(png.slice(1))).toThrow(/signature/);
    const corrupt = png.slice();
    corrupt[20] = (corrupt[20] ?? 0) ^ 0xff;
    expect(() => decodePng(corrupt)).toThrow(/CRC/);
    expect(() => decodePng(png.slice(0, 40))).toThrow(PngError);
  });
});

const REFERENCE_PNGS: readonly {
  name: string;
  base64: string;
  width: number;
  height: number;
  rgba: number[];
}[] = [
  {
    name: 'rgb8-all-filters',
    width: 4,
    height: 4,
    base64:
      'iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAH0lEQVR42gE0AMv/AYK3DmzIDGK6pKBFBAKyyPiAUXUNjpM0wMyXXAAAACBJREFUySEDJgT9q+InJbw1ZBetBB0hxJag9DxJkrO8X0B3FmkRe6A6AAAAAElFTkSuQmCC',
    rgba: [
      130, 183, 14, 255, 238, 127, 26, 255, 80, 57, 190, 255, 240, 126, 194, 255, 52, 127, 6, 255, 110, 208,
      143, 255, 93, 199, 81, 255, 36, 71, 227, 255, 64, 67, 0, 255, 2, 107, 110, 255, 84, 85, 148, 255, 160,
      101, 104, 255, 93, 100, 196, 255, 152, 11, 184, 255, 212, 84, 74, 255, 135, 33, 169, 255,
    ],
  },
  {
    name: 'palette2-trns',
    width: 5,
    height: 2,
    base64:
      'iVBORw0KGgoAAAANSUhEUgAAAAUAAAACAgMAAADtBP7OAAAADFBMVEX/AAAA/wAAAP8JCAei0mLAAAAAA3RSTlP/gAB/bWh4AAAADklEQVR42mPoaGBcNwkABp8CSqaRpUgAAAAASUVORK5CYII=',
    rgba: [
      0, 0, 255, 0, 255, 0, 0, 255, 0, 0, 255, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 9,
      8, 7, 255, 0, 0, 255, 0, 0, 255, 0, 128,
    ],
  },
  {
    name: 'grey16',
    width: 3,
    height: 2,
    base64:
      'iVBORw0KGgoAAAANSUhEUgAAAAMAAAACEAAAAADoj+WFAAAAFklEQVR42mP5lvS7L9OGSf3sJKuNnQAxHAaHkldVrAAAAABJRU5ErkJggg==',
    rgba: [
      246, 246, 246, 255, 241, 241, 241, 255, 90, 90, 90, 255, 29, 29, 29, 255, 131, 131, 131, 255, 11, 11,
      11, 255,
    ],
  },
  {
    name: 'grey2',
    width: 7,
    height: 2,
    base64:
      'iVBORw0KGgoAAAANSUhEUgAAAAcAAAACAgAAAAD7RIEdAAAADklEQVR42mPYvIHhqAwAB+sCRYoJuqcAAAAASUVORK5CYII=',
    rgba: [
      170, 170, 170, 255, 255, 255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 255, 170, 170, 170, 255, 255, 255,
      255, 255, 0, 0, 0, 255, 255, 255, 255, 255, 0, 0, 0, 255, 85, 85, 85, 255, 85, 85, 85, 255, 0, 0, 0,
      255, 85, 85, 85, 255, 255, 255, 255, 255,
    ],
  },
  {
    name: 'grey-alpha8',
    width: 2,
    height: 2,
    base64:
      'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAQAAADYv8WvAAAAEklEQVR42mPesFVjEks7e4IaABOvAzv1+359AAAAAElFTkSuQmCC',
    rgba: [176, 176, 176, 181, 128, 128, 128, 236, 55, 55, 55, 188, 151, 151, 151, 18],
  },
];

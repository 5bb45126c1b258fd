// Unit tests of image checks that need no decoder: format sniffing by content, byte and dimension limits.
import { describe, expect, it } from 'vitest';
import {
  checkImageBytes,
  checkImageDimensions,
  ImageInputError,
  MAX_IMAGE_BYTES,
  MAX_IMAGE_SIDE,
  sniffImageFormat,
} from './images';

const bytes = (...values: (number | string)[]) =>
  Uint8Array.from(values.flatMap((v) => (typeof v === 'string' ? [...v].map((c) => c.charCodeAt(0)) : [v])));

describe('sniffImageFormat', () => {
  it.each([
    [bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0), 'image/png'],
    [bytes(0xff, 0xd8, 0xff, 0xe0), 'image/jpeg'],
    [bytes('GIF89a'), 'image/gif'],
    [bytes('RIFF', 0, 0, 0, 0, 'WEBPVP8 '), 'image/webp'],
    [bytes('BM', 0, 0), 'image/bmp'],
    [bytes(0, 0, 0, 0x1c, 'ftypavif'), 'image/avif'],
  ])('recognises %#', (head, format) => {
    expect(sniffImageFormat(head)).toBe(format);
  });

  it('rejects text, SVG and lookalikes', () => {
    expect(sniffImageFormat(bytes('<svg xmlns='))).toBeNull();
    expect(sniffImageFormat(bytes('RIFF', 0, 0, 0, 0, 'WAVE'))).toBeNull();
    expect(sniffImageFormat(bytes(0x89, 'PNX'))).toBeNull();
    expect(sniffImageFormat(new Uint8Array())).toBeNull();
  });
});

describe('checkImageBytes', () => {
  const png = bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a);
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return err instanceof ImageInputError ? err.code : 'other';
    }
    return 'none';
  };

  it('accepts a PNG by content whatever its name', () => {
    expect(checkImageBytes('photo.txt', png, 100)).toBe('image/png');
  });
  it('names each refusal', () => {
    expect(codeOf(() => checkImageBytes('a.png', png, 0))).toBe('empty');
    expect(codeOf(() => checkImageBytes('a.png', png, MAX_IMAGE_BYTES + 1))).toBe('too-large');
    expect(codeOf(() => checkImageBytes('a.png', bytes('hello'), 5))).toBe('unsupported-type');
  });
  it('says the file name and the limit', () => {
    expect(() => checkImageBytes('big.png', png, MAX_IMAGE_BYTES * 2)).toThrow(
      /"big\.png" is 100\.0 MB; the limit is 50\.0 MB/,
    );
  });
});

describe('checkImageDimensions', () => {
  it('accepts ordinary and odd shapes', () => {
    expect(() => checkImageDimensions('a', 8, 8)).not.toThrow();
    expect(() => checkImageDimensions('a', 4000, 9)).not.toThrow();
  });
  it('refuses tiny and huge images', () => {
    expect(() => checkImageDimensions('a', 7, 100)).toThrowError(
      expect.objectContaining({ code: 'too-small' }),
    );
    expect(() => checkImageDimensions('a', MAX_IMAGE_SIDE + 1, 10)).toThrowError(
      expect.objectContaining({ code: 'too-many-pixels' }),
    );
    expect(() => checkImageDimensions('a', 10_000, 10_000)).toThrowError(
      expect.objectContaining({ code: 'too-many-pixels' }),
    );
  });
});

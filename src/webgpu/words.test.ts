// toWords / wordsToBytes / wordsToHalves: little-endian packing with a zero-padded tail, and exact inverses.
import { describe, expect, it } from 'vitest';
import { toWords, wordsToBytes, wordsToHalves } from './words';

describe('packed words', () => {
  it('packs bytes little-endian, pads the tail with zeros, and unpacks them exactly', () => {
    const bytes = Uint8Array.from([0x01, 0x02, 0x03, 0xff, 0x7f]);
    const words = toWords(bytes);
    expect(Array.from(words)).toEqual([(0xff << 24) | 0x030201, 0x7f]);
    expect(Array.from(wordsToBytes(words, 5))).toEqual(Array.from(bytes));
  });

  it('packs halves two per word, the even index in the low 16 bits, and unpacks them exactly', () => {
    const halves = Uint16Array.from([0x3c00, 0xbc00, 0x4000]);
    const words = toWords(halves);
    expect(Array.from(words)).toEqual([(0xbc00 << 16) | 0x3c00, 0x4000]);
    expect(Array.from(wordsToHalves(words, 3))).toEqual(Array.from(halves));
  });

  it('reads only the view it is given, not the rest of its buffer', () => {
    const buffer = Uint8Array.from([9, 9, 1, 2, 9]);
    expect(Array.from(toWords(buffer.subarray(2, 4)))).toEqual([0x0201]);
  });
});

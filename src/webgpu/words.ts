// Packed host data (int8/int4 bytes, f16 halves) as the little-endian i32 words a backend storage holds, and back.

/** The bytes of `data` zero-padded to whole words, little-endian: the first byte (or half) in the low bits. */
export function toWords(data: Uint8Array | Uint16Array): Int32Array {
  const bytes = new Uint8Array(Math.ceil(data.byteLength / 4) * 4);
  bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  const view = new DataView(bytes.buffer);
  return Int32Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getInt32(4 * i, true));
}

/** The inverse of toWords: the first `count` bytes of the words. */
export function wordsToBytes(words: Int32Array, count: number): Uint8Array {
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  words.forEach((word, i) => view.setInt32(4 * i, word, true));
  return bytes.subarray(0, count);
}

/** The inverse of toWords: the first `count` halves of the words. */
export function wordsToHalves(words: Int32Array, count: number): Uint16Array {
  const bytes = wordsToBytes(words, 2 * count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Uint16Array.from({ length: count }, (_, i) => view.getUint16(2 * i, true));
}

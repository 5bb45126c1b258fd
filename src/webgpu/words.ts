// Packed host data (int8/int4 bytes, f16 halves) as the little-endian i32 words a backend storage holds, and back.
// Typed-array views are in host byte order; every host that runs WebAssembly and WebGPU here is little-endian (wasm
// memory is little-endian, and the backends upload these words through typed arrays too), so a view is the word.

/** The bytes of `data` zero-padded to whole words: the first byte (or half) in the low bits. */
export function toWords(data: Uint8Array | Uint16Array): Int32Array {
  const bytes = new Uint8Array(Math.ceil(data.byteLength / 4) * 4);
  bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return new Int32Array(bytes.buffer);
}

/** The inverse of toWords: a copy of the first `count` bytes of the words. */
export function wordsToBytes(words: Int32Array, count: number): Uint8Array {
  return new Uint8Array(words.buffer, words.byteOffset, count).slice();
}

/** The inverse of toWords: a copy of the first `count` halves of the words. */
export function wordsToHalves(words: Int32Array, count: number): Uint16Array {
  return new Uint16Array(words.buffer, words.byteOffset, count).slice();
}

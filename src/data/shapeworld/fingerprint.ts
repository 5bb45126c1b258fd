// A short content fingerprint of byte arrays (two FNV-1a variants), to pin rendered pixels and masks in tests.

/** 16 hex digits identifying the bytes; the same in Node and browsers (Math.imul only, no crypto API). */
export function fingerprint(bytes: Uint8Array | Uint8ClampedArray): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ bytes.length;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    a = Math.imul(a ^ byte, 0x01000193);
    b = Math.imul(b ^ byte ^ (i & 0xff), 0x5bd1e995);
    b ^= b >>> 15;
  }
  const hex = (value: number) => (value >>> 0).toString(16).padStart(8, '0');
  return hex(a) + hex(b);
}

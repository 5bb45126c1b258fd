// Token streaming that never splits a UTF-8 character across tokens.
import { describe, expect, it } from 'vitest';
import { TokenTextStream } from './text-stream';

/** Byte-level ids: each token is one UTF-8 byte, decoded with replacement characters like a real tokenizer. */
const decode = (ids: readonly number[]) => new TextDecoder().decode(Uint8Array.from(ids));

describe('TokenTextStream', () => {
  it('holds the bytes of a multi-byte character until it is complete', () => {
    const bytes = Array.from(new TextEncoder().encode('a€b😀'));
    const stream = new TokenTextStream(decode);
    const pieces = bytes.map((b, i) => stream.push(b, i === bytes.length - 1));
    expect(pieces).toEqual(['a', '', '', '€', 'b', '', '', '', '😀']);
    expect(pieces.join('')).toBe('a€b😀');
  });

  it('flushes an unfinished character at the end, and gives up on bytes that never form one', () => {
    const stream = new TokenTextStream(decode);
    expect(stream.push(0xe2)).toBe('');
    expect(stream.push(0x82, true)).toBe('\uFFFD');
    const broken = new TokenTextStream(decode);
    const out = [0xff, 0xff, 0xff, 0xff].map((b) => broken.push(b));
    expect(out.join('')).toBe('\uFFFD'.repeat(4));
  });
});

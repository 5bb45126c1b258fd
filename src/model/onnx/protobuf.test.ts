// Unit tests of the protobuf writer against byte sequences from the protocol-buffers encoding guide.
import { describe, expect, it } from 'vitest';
import { ProtoWriter } from './protobuf';

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');

describe('ProtoWriter', () => {
  it('writes varints as the encoding guide shows', () => {
    expect(hex(new ProtoWriter().varint(1, 150).finish())).toBe('08 96 01');
    expect(hex(new ProtoWriter().varint(2, 0).finish())).toBe('10 00');
    expect(hex(new ProtoWriter().varint(1, 2n ** 63n).finish())).toBe('08 80 80 80 80 80 80 80 80 80 01');
  });

  it('writes a negative int64 as ten bytes of two’s complement', () => {
    expect(hex(new ProtoWriter().varint(1, -1).finish())).toBe('08 ff ff ff ff ff ff ff ff ff 01');
  });

  it('writes strings, nested messages, packed varints and floats', () => {
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('12 07 74 65 73 74 69 6e 67');
    const child = new ProtoWriter().varint(1, 150);
    expect(hex(new ProtoWriter().message(3, child).finish())).toBe('1a 03 08 96 01');
    expect(hex(new ProtoWriter().packedVarints(4, [3, 270, 86942]).finish())).toBe('22 06 03 8e 02 9e a7 05');
    expect(hex(new ProtoWriter().float(5, 1).finish())).toBe('2d 00 00 80 3f');
  });
});

// safetensors: round trips for every written dtype (F32 F16 I32 I8 U8), reading of every listed dtype (also as f16), strict validation.
import { describe, expect, it } from 'vitest';
import type { SafetensorsErrorCode } from './safetensors';
import {
  SafetensorsError,
  decodeEntry,
  decodeEntryAsF16,
  readSafetensors,
  writeSafetensors,
} from './safetensors';

/** Builds a file by hand from a header object and raw data bytes. */
function fileOf(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  out.set(data, 8 + json.byteLength);
  return out;
}

function expectCode(bytes: Uint8Array, code: SafetensorsErrorCode): void {
  let caught: unknown;
  try {
    readSafetensors(bytes);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(SafetensorsError);
  expect((caught as SafetensorsError).code).toBe(code);
}

describe('safetensors', () => {
  it('round-trips F32, I32 and F16 with metadata, data 8-byte aligned', () => {
    const bytes = writeSafetensors(
      {
        weight: { dtype: 'F32', shape: [2, 3], data: [1.5, -2, 0, 3.25, 1e-3, -7] },
        ids: { dtype: 'I32', shape: [3], data: [0, -5, 2147483647] },
        half: { dtype: 'F16', shape: [2, 2], data: [1, -0.5, 65504, 6e-8] },
        empty: { dtype: 'F32', shape: [0, 4], data: [] },
      },
      { format: 'pt' },
    );
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const file = readSafetensors(bytes);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(Array.from(decodeEntry(file.entries.get('weight')!))).toEqual(
      Array.from(Float32Array.from([1.5, -2, 0, 3.25, 1e-3, -7])),
    );
    expect(Array.from(decodeEntry(file.entries.get('ids')!))).toEqual([0, -5, 2147483647]);
    expect(Array.from(decodeEntry(file.entries.get('half')!))).toEqual([1, -0.5, 65504, 2 ** -24]);
    expect(file.entries.get('empty')!.shape).toEqual([0, 4]);
  });

  it('round-trips I8 and U8 bit-exactly and refuses values that would wrap', () => {
    const signed = Int8Array.from([-128, -1, 0, 1, 127, 5]);
    const unsigned = Uint8Array.from([0, 1, 128, 200, 255]);
    const bytes = writeSafetensors({
      s: { dtype: 'I8', shape: [2, 3], data: signed },
      u: { dtype: 'U8', shape: [5], data: unsigned },
    });
    const file = readSafetensors(bytes);
    expect(file.entries.get('s')).toMatchObject({ dtype: 'I8', shape: [2, 3] });
    expect(Array.from(new Int8Array(file.entries.get('s')!.bytes.slice().buffer))).toEqual(
      Array.from(signed),
    );
    expect(Array.from(file.entries.get('u')!.bytes)).toEqual(Array.from(unsigned));
    expect(Array.from(decodeEntry(file.entries.get('s')!))).toEqual(Array.from(signed));
    for (const [dtype, value] of [
      ['U8', 256],
      ['U8', -1],
      ['I8', 128],
      ['I8', 1.5],
      ['I32', 2 ** 31],
    ] as const) {
      expect(() => writeSafetensors({ a: { dtype, shape: [1], data: [value] } })).toThrow(
        expect.objectContaining({ code: 'value-out-of-range' }),
      );
    }
  });

  it('reads BF16, I64, I8 and U8', () => {
    const data = new Uint8Array(4 + 16 + 2 + 2);
    const view = new DataView(data.buffer);
    view.setUint16(0, 0x3fc0, true); // 1.5 in bf16
    view.setUint16(2, 0xc000, true); // -2
    view.setBigInt64(4, -3n, true);
    view.setBigInt64(12, 1234567n, true);
    view.setInt8(20, -128);
    view.setInt8(21, 127);
    view.setUint8(22, 255);
    view.setUint8(23, 0);
    const file = readSafetensors(
      fileOf(
        {
          b: { dtype: 'BF16', shape: [2], data_offsets: [0, 4] },
          l: { dtype: 'I64', shape: [2], data_offsets: [4, 20] },
          s: { dtype: 'I8', shape: [2], data_offsets: [20, 22] },
          u: { dtype: 'U8', shape: [2], data_offsets: [22, 24] },
        },
        data,
      ),
    );
    expect(Array.from(decodeEntry(file.entries.get('b')!))).toEqual([1.5, -2]);
    expect(Array.from(decodeEntry(file.entries.get('l')!))).toEqual([-3, 1234567]);
    expect(Array.from(decodeEntry(file.entries.get('s')!))).toEqual([-128, 127]);
    expect(Array.from(decodeEntry(file.entries.get('u')!))).toEqual([255, 0]);
  });

  it('decodes float entries as IEEE halves: F16 as stored, BF16 and F32 rounded', () => {
    const bytes = writeSafetensors({
      h: { dtype: 'F16', shape: [3], data: [1, -0.5, 65504] },
      f: { dtype: 'F32', shape: [2], data: [1 + 2 ** -11, 1e6] },
    });
    const file = readSafetensors(bytes);
    expect(Array.from(decodeEntryAsF16(file.entries.get('h')!))).toEqual([0x3c00, 0xb800, 0x7bff]);
    expect(Array.from(decodeEntryAsF16(file.entries.get('f')!))).toEqual([0x3c00, 0x7c00]);
    const bf16 = { dtype: 'BF16' as const, shape: [2], bytes: new Uint8Array([0xc0, 0x3f, 0x15, 0x50]) };
    expect(Array.from(decodeEntryAsF16(bf16))).toEqual([0x3e00, 0x7c00]);
    const odd = new Uint8Array(5);
    odd.set([0x00, 0x3c, 0x00, 0xc0], 1);
    expect(Array.from(decodeEntryAsF16({ dtype: 'F16', shape: [2], bytes: odd.subarray(1) }))).toEqual([
      0x3c00, 0xc000,
    ]);
    expect(() => decodeEntryAsF16({ dtype: 'I32', shape: [1], bytes: new Uint8Array(4) })).toThrow(
      SafetensorsError,
    );
  });

  it('rejects malformed files with typed errors', () => {
    const four = new Uint8Array(4);
    const f32 = (offsets: [number, number], shape = [1]) => ({ dtype: 'F32', shape, data_offsets: offsets });
    expectCode(new Uint8Array(5), 'too-short');
    expectCode(fileOf(null, four, '{"a": 1'), 'header-not-json');
    expectCode(fileOf([1, 2]), 'header-not-json');
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 10n ** 12n, true);
    expectCode(huge, 'header-too-large');
    const truncated = fileOf({ a: f32([0, 4]) }, four).subarray(0, 12);
    expectCode(truncated, 'too-short');
    expectCode(fileOf({ a: { dtype: 'F99', shape: [1], data_offsets: [0, 4] } }, four), 'unknown-dtype');
    expectCode(fileOf({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, four), 'bad-entry');
    expectCode(fileOf({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, four), 'bad-entry');
    expectCode(fileOf({ a: f32([0, 8], [2]) }, four), 'out-of-bounds');
    expectCode(fileOf({ a: f32([4, 0]) }, four), 'out-of-bounds');
    expectCode(fileOf({ a: f32([0, 4], [2]) }, four), 'size-mismatch');
    expectCode(fileOf({ a: f32([0, 4]), b: f32([0, 4]) }, four), 'overlap-or-gap');
    expectCode(fileOf({ a: f32([4, 8]) }, new Uint8Array(8)), 'overlap-or-gap');
    expectCode(fileOf({ a: f32([0, 4]) }, new Uint8Array(8)), 'overlap-or-gap');
    expectCode(fileOf({ __metadata__: { a: 1 } }), 'bad-entry');
    const tooBig = new Uint8Array(8);
    new DataView(tooBig.buffer).setBigInt64(0, 2n ** 40n, true);
    const file = readSafetensors(fileOf({ l: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, tooBig));
    expect(() => decodeEntry(file.entries.get('l')!)).toThrow(SafetensorsError);
    expect(() => writeSafetensors({ a: { dtype: 'F32', shape: [2], data: [1] } })).toThrow(SafetensorsError);
  });
});

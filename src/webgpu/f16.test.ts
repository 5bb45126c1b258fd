// f16 conversions: every half round-trips, rounding ties go to even, subnormals, infinities, NaN and bf16 input.
import { describe, expect, it } from 'vitest';
import { bf16ToF16, f16ToF32, f32ToF16 } from './f16';

describe('f16ToF32', () => {
  it('decodes normals, subnormals, signed zeros, infinities and NaN exactly', () => {
    expect(f16ToF32(0x3c00)).toBe(1);
    expect(f16ToF32(0xc000)).toBe(-2);
    expect(f16ToF32(0x7bff)).toBe(65504);
    expect(f16ToF32(0x0400)).toBe(2 ** -14);
    expect(f16ToF32(0x03ff)).toBe(1023 * 2 ** -24);
    expect(f16ToF32(0x0001)).toBe(2 ** -24);
    expect(Object.is(f16ToF32(0x8000), -0)).toBe(true);
    expect(f16ToF32(0x7c00)).toBe(Infinity);
    expect(f16ToF32(0xfc00)).toBe(-Infinity);
    expect(f16ToF32(0x7e00)).toBeNaN();
    expect(f16ToF32(0xfc01)).toBeNaN();
  });
});

describe('f32ToF16', () => {
  it('round-trips all 65536 halves (NaNs, decoded to the one JavaScript NaN, come back as the quiet NaN 0x7e00)', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const isNaN = (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0;
      expect(f32ToF16(f16ToF32(bits))).toBe(isNaN ? 0x7e00 : bits);
    }
  });

  it('rounds ties to even, in normals, subnormals and across the subnormal/normal boundary', () => {
    expect(f32ToF16(1 + 2 ** -11)).toBe(0x3c00);
    expect(f32ToF16(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(f32ToF16(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    expect(f32ToF16(2 ** -25)).toBe(0x0000);
    expect(f32ToF16(3 * 2 ** -25)).toBe(0x0002);
    expect(f32ToF16(2 ** -25 + 2 ** -40)).toBe(0x0001);
    expect(f32ToF16(1023.5 * 2 ** -24)).toBe(0x0400);
    expect(f32ToF16(-1022.5 * 2 ** -24)).toBe(0x83fe);
  });

  it('rounds to f32 first: an f64 a hair above a tie lands on the tie, then on the even half', () => {
    expect(f32ToF16(1 + 2 ** -11 + 2 ** -30)).toBe(0x3c00);
  });

  it('overflows to infinity at the halfway point above 65504 and underflows to signed zero', () => {
    expect(f32ToF16(65519)).toBe(0x7bff);
    expect(f32ToF16(65520)).toBe(0x7c00);
    expect(f32ToF16(-1e6)).toBe(0xfc00);
    expect(f32ToF16(Infinity)).toBe(0x7c00);
    expect(f32ToF16(2 ** -26)).toBe(0x0000);
    expect(f32ToF16(-(2 ** -26))).toBe(0x8000);
    expect(f32ToF16(NaN)).toBe(0x7e00);
  });
});

describe('bf16ToF16', () => {
  it('keeps what f16 can hold and rounds or saturates the rest', () => {
    expect(bf16ToF16(0x3fc0)).toBe(0x3e00); // 1.5
    expect(bf16ToF16(0xc2f7)).toBe(f32ToF16(-123.5));
    expect(bf16ToF16(0x5015)).toBe(0x7c00); // ~1e10
    expect(bf16ToF16(0x33c0)).toBe(0x0002); // 1.5 · 2^-24: a tie between subnormals 1 and 2
    expect(bf16ToF16(0x3080)).toBe(0x0000); // 2^-30
    expect(bf16ToF16(0x7fc0)).toBe(0x7e00);
    expect(bf16ToF16(0xff80)).toBe(0xfc00);
  });
});

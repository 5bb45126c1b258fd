// IEEE binary16 ↔ f32 scalar conversions (round to nearest even), shared by safetensors and packed f16 weights.

/** Reinterprets one f32 as its bits without allocating (the conversions run once per weight on load). */
const floatScratch = new Float32Array(1);
const bitsScratch = new Uint32Array(floatScratch.buffer);

/** IEEE half to float: exact (every f16 is representable in f32). */
export function f16ToF32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Float to IEEE half with round-to-nearest-even (values are first rounded to f32); overflow gives ±Infinity. */
export function f32ToF16(value: number): number {
  floatScratch[0] = value;
  return f32BitsToF16(bitsScratch[0] as number);
}

/** bf16 (the top half of an f32) to IEEE half, rounding to nearest even: bf16's range is wider, so large values overflow. */
export function bf16ToF16(bits: number): number {
  return f32BitsToF16((bits & 0xffff) << 16);
}

function f32BitsToF16(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 255) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const halfExponent = exponent - 112;
  if (halfExponent >= 31) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    return sign | roundShift(mantissa | 0x800000, 14 - halfExponent);
  }
  // A carry out of the mantissa correctly bumps the exponent (up to Infinity).
  return sign | roundShift((halfExponent << 23) | mantissa, 13);
}

/** value >> shift rounded to nearest, ties to even; value < 2^31 and 1 ≤ shift ≤ 24. */
function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  const remainder = value & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  return remainder > halfway || (remainder === halfway && (kept & 1) === 1) ? kept + 1 : kept;
}

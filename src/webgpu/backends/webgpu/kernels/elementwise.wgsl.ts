// WGSL for fill, cast, unary (and its fused derivative) and broadcasting binary ops.
import type { DType } from '../../../backend';
import type { Kernel } from '../pipelines';
import { perElement, stridedOffsets } from './common.wgsl';

/** Unary kinds as the integer the shaders switch on (one pipeline for all kinds: fewer slow compiles). */
export const UNARY_CODES = {
  neg: 0,
  exp: 1,
  log: 2,
  sqrt: 3,
  rsqrt: 4,
  square: 5,
  abs: 6,
  relu: 7,
  sigmoid: 8,
  tanh: 9,
  silu: 10,
  gelu: 11,
  affine: 12,
  clamp: 13,
  pow: 14,
} as const;

export const BINARY_CODES = { add: 0, sub: 1, mul: 2, div: 3, max: 4, min: 5, greater: 6, less: 7, equal: 8 };

/** Stable scalar helpers: sigmoid and tanh never evaluate exp of a large positive number. */
const MATH = /* wgsl */ `
const GELU_C: f32 = 0.7978845608028654;
const GELU_K: f32 = 0.044715;
fn sigm(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
fn tanhSafe(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}
// x^e with the sign rule for integer exponents of negative bases (WGSL pow is undefined for x < 0).
fn powSigned(x: f32, e: f32, isInt: bool, odd: bool) -> f32 {
  if (e == 0.0) { return 1.0; }
  if (x < 0.0 && isInt) {
    let r = pow(-x, e);
    return select(r, -r, odd);
  }
  return pow(x, e);
}
`;

export const fillKernel: Kernel = {
  key: 'fill',
  source: () => perElement([['out', 'u32', 'read_write']], 'out[i] = pu(1u);'),
};

export function castKernel(to: DType): Kernel {
  const body = to === 'i32' ? 'out[i] = i32(trunc(x[i]));' : 'out[i] = f32(x[i]);';
  return {
    key: `cast-${to}`,
    source: () =>
      perElement(
        [
          ['x', to === 'i32' ? 'f32' : 'i32', 'read'],
          ['out', to, 'read_write'],
        ],
        body,
      ),
  };
}

const UNARY_BODY = /* wgsl */ `
  let x = xs[i];
  var y = 0.0;
  switch (pu(1u)) {
    case 0u: { y = -x; }
    case 1u: { y = exp(x); }
    case 2u: { y = log(x); }
    case 3u: { y = sqrt(x); }
    case 4u: { y = 1.0 / sqrt(x); }
    case 5u: { y = x * x; }
    case 6u: { y = abs(x); }
    case 7u: { y = select(0.0, x, x > 0.0); }
    case 8u: { y = sigm(x); }
    case 9u: { y = tanhSafe(x); }
    case 10u: { y = x * sigm(x); }
    case 11u: { y = 0.5 * x * (1.0 + tanhSafe(GELU_C * (x + GELU_K * x * x * x))); }
    case 12u: { y = pf(2u) * x + pf(3u); }
    case 13u: { y = min(pf(3u), max(pf(2u), x)); }
    default: { y = powSigned(x, pf(2u), pu(4u) == 1u, pu(5u) == 1u); }
  }
  out[i] = y;`;

// Derivatives; for pow, params 2 holds the exponent and 3 the exponent - 1 (parity flags in 4, 5 are for e - 1).
const UNARY_BACKWARD_BODY = /* wgsl */ `
  let x = xs[i];
  var g = 0.0;
  switch (pu(1u)) {
    case 0u: { g = -1.0; }
    case 1u: { g = exp(x); }
    case 2u: { g = 1.0 / x; }
    case 3u: { g = 0.5 / sqrt(x); }
    case 4u: { g = -0.5 / (x * sqrt(x)); }
    case 5u: { g = 2.0 * x; }
    case 6u: { g = sign(x); }
    case 7u: { g = select(0.0, 1.0, x > 0.0); }
    case 8u: { let s = sigm(x); g = s * (1.0 - s); }
    case 9u: { let t = tanhSafe(x); g = 1.0 - t * t; }
    case 10u: { let s = sigm(x); g = s * (1.0 + x * (1.0 - s)); }
    case 11u: {
      let t = tanhSafe(GELU_C * (x + GELU_K * x * x * x));
      g = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_K * x * x);
    }
    case 12u: { g = pf(2u); }
    case 13u: { g = select(0.0, 1.0, x >= pf(2u) && x <= pf(3u)); }
    default: { g = pf(2u) * powSigned(x, pf(3u), pu(4u) == 1u, pu(5u) == 1u); }
  }
  out[i] = dy[i] * g;`;

export const unaryKernel: Kernel = {
  key: 'unary',
  source: () =>
    perElement(
      [
        ['xs', 'f32', 'read'],
        ['out', 'f32', 'read_write'],
      ],
      UNARY_BODY,
      MATH,
    ),
};

export const unaryBackwardKernel: Kernel = {
  key: 'unary-backward',
  source: () =>
    perElement(
      [
        ['xs', 'f32', 'read'],
        ['dy', 'f32', 'read'],
        ['out', 'f32', 'read_write'],
      ],
      UNARY_BACKWARD_BODY,
      MATH,
    ),
};

/** Binary params: 0 count, 1 op, 2 rank, then shape at 8, a strides at 16, b strides at 24 (rank ≤ 8). */
export const BINARY_SHAPE_AT = 8;

/** Specialised on dtypes: the arithmetic type is i32 only when the output is i32 (both inputs i32, not div). */
export function binaryKernel(a: DType, b: DType, out: DType): Kernel {
  const t = out;
  const one = t === 'i32' ? '1' : '1.0';
  const zero = t === 'i32' ? '0' : '0.0';
  const body = /* wgsl */ `
  let flat = i;
  ${stridedOffsets(2, 8, [16, 24])}
  let x = ${t}(lhs[off0]);
  let y = ${t}(rhs[off1]);
  var r: ${t};
  switch (pu(1u)) {
    case 0u: { r = x + y; }
    case 1u: { r = x - y; }
    case 2u: { r = x * y; }
    case 3u: { r = x / y; }
    case 4u: { r = max(x, y); }
    case 5u: { r = min(x, y); }
    case 6u: { r = select(${zero}, ${one}, x > y); }
    case 7u: { r = select(${zero}, ${one}, x < y); }
    default: { r = select(${zero}, ${one}, x == y); }
  }
  out[i] = r;`;
  return {
    key: `binary-${a}-${b}-${out}`,
    source: () =>
      perElement(
        [
          ['lhs', a, 'read'],
          ['rhs', b, 'read'],
          ['out', out, 'read_write'],
        ],
        body,
      ),
  };
}

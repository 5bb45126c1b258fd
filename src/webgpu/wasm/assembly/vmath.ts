// Vectorised f32x4 transcendental helpers (exp, sigmoid) shared by the activation and softmax kernels.

const LOG2E: f32 = 1.44269504088896341;
// ln 2 split in two so n·ln2 is subtracted without losing the low bits (Cody–Waite reduction).
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.1219444e-4;
// exp(88) is finite in f32 and 2^127 is the largest power the exponent trick can build; below -87.3 the result is < 2^-126.
const EXP_MAX: f32 = 88.0;
const EXP_MIN: f32 = -87.33654;

/** e^x lane-wise, within ~2 ulp on [-87.3, 88]; inputs outside are clamped (so -∞ gives ~1e-38, never NaN). */
export function expF32x4(x: v128): v128 {
  x = f32x4.pmax(f32x4.pmin(x, f32x4.splat(EXP_MAX)), f32x4.splat(EXP_MIN));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  // Minimax polynomial for e^r on |r| ≤ ln2/2 (Cephes expf coefficients).
  let p = f32x4.splat(1.98756915e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const r2 = f32x4.mul(r, r);
  const poly = f32x4.add(f32x4.add(f32x4.mul(p, r2), r), f32x4.splat(1));
  // 2^n built directly in the exponent field.
  const pow2n = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(poly, pow2n);
}

/** x / (1 + e^(-t)) lane-wise: x·sigmoid(t), finite for every finite input. */
export function timesSigmoidF32x4(x: v128, t: v128): v128 {
  return f32x4.div(x, f32x4.add(f32x4.splat(1), expF32x4(f32x4.neg(t))));
}

/** Sum of the four lanes. */
export function horizontalSum(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3)
  );
}

/** Largest of the four lanes. */
export function horizontalMax(v: v128): f32 {
  return max(
    max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)),
    max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)),
  );
}

/** Scalar e^x through the vector path, so tails round exactly like the body. */
export function expF32(x: f32): f32 {
  return f32x4.extract_lane(expF32x4(f32x4.splat(x)), 0);
}

/** Scalar x·sigmoid(t) through the vector path. */
export function timesSigmoidF32(x: f32, t: f32): f32 {
  return f32x4.extract_lane(timesSigmoidF32x4(f32x4.splat(x), f32x4.splat(t)), 0);
}

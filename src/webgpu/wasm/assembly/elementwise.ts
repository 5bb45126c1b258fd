// Memory-bound SIMD kernels: add/mul, scale, axpy, softmax, RMSNorm and SiLU/GELU (+ backward), RoPE, log-prob gather.
import { expF32, expF32x4, horizontalMax, horizontalSum, timesSigmoidF32, timesSigmoidF32x4 } from './vmath';

// √(2/π) and the cubic coefficient of the tanh form of GELU (the GPT-2 approximation).
const GELU_C: f32 = 0.7978845608028654;
const GELU_CUBIC: f32 = 0.044715;

/** out[i, j] = a[i, j] + b[j] when broadcastRow, else a[i, j] + b[i, j]. out may alias a or b. */
export function addRows(a: usize, b: usize, out: usize, rows: i32, cols: i32, broadcastRow: bool): void {
  for (let i = 0; i < rows; i++) {
    const offset = <usize>i * <usize>cols * 4;
    addRow(a + offset, broadcastRow ? b : b + offset, out + offset, cols);
  }
}

/** out[i, j] = a[i, j] · b[j] when broadcastRow, else a[i, j] · b[i, j]. out may alias a or b. */
export function mulRows(a: usize, b: usize, out: usize, rows: i32, cols: i32, broadcastRow: bool): void {
  for (let i = 0; i < rows; i++) {
    const offset = <usize>i * <usize>cols * 4;
    mulRow(a + offset, broadcastRow ? b : b + offset, out + offset, cols);
  }
}

function addRow(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(out + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    store<f32>(out + o, load<f32>(a + o) + load<f32>(b + o));
  }
}

function mulRow(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(out + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    store<f32>(out + o, load<f32>(a + o) * load<f32>(b + o));
  }
}

/** out = a · s over n elements. */
export function scale(a: usize, out: usize, n: i32, s: f32): void {
  const vs = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(out + o, f32x4.mul(v128.load(a + o), vs));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    store<f32>(out + o, load<f32>(a + o) * s);
  }
}

/** out = y + alpha · x over n elements (the optimiser and residual workhorse). */
export function axpy(x: usize, y: usize, out: usize, n: i32, alpha: f32): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(out + o, f32x4.add(v128.load(y + o), f32x4.mul(v128.load(x + o), va)));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    store<f32>(out + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/** Numerically stable softmax of each row of a rows×cols matrix. out may alias x. */
export function softmaxRows(x: usize, out: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const offset = <usize>r * <usize>cols * 4;
    softmaxRow(x + offset, out + offset, cols);
  }
}

function softmaxRow(x: usize, out: usize, n: i32): void {
  const rowMax = maxOf(x, n);
  const sum = expShiftedInto(x, out, n, rowMax);
  scale(out, out, n, <f32>1 / sum);
}

export function maxOf(x: usize, n: i32): f32 {
  let best: f32 = -Infinity;
  let i = 0;
  if (n >= 4) {
    let vbest = v128.load(x);
    for (i = 4; i + 4 <= n; i += 4) vbest = f32x4.pmax(vbest, v128.load(x + <usize>i * 4));
    best = horizontalMax(vbest);
  }
  for (; i < n; i++) best = max(best, load<f32>(x + <usize>i * 4));
  return best;
}

/** out = e^(x - shift), returning the sum (the softmax denominator). */
export function expShiftedInto(x: usize, out: usize, n: i32, shift: f32): f32 {
  const vshift = f32x4.splat(shift);
  let vsum = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    const e = expF32x4(f32x4.sub(v128.load(x + o), vshift));
    v128.store(out + o, e);
    vsum = f32x4.add(vsum, e);
  }
  let sum = horizontalSum(vsum);
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const e = expF32(load<f32>(x + o) - shift);
    store<f32>(out + o, e);
    sum += e;
  }
  return sum;
}

/** out[i, :] = x[i, :] / √(mean(x[i, :]²) + eps) · weight (weight = 0 means no gain). out may alias x. */
export function rmsnormRows(x: usize, weight: usize, out: usize, rows: i32, cols: i32, eps: f32): void {
  for (let r = 0; r < rows; r++) {
    const offset = <usize>r * <usize>cols * 4;
    const inverseRms: f32 = <f32>1 / Mathf.sqrt(sumOfSquares(x + offset, cols) / <f32>cols + eps);
    scale(x + offset, out + offset, cols, inverseRms);
    if (weight != 0) mulRow(out + offset, weight, out + offset, cols);
  }
}

function sumOfSquares(x: usize, n: i32): f32 {
  let vsum = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + <usize>i * 4);
    vsum = f32x4.add(vsum, f32x4.mul(v, v));
  }
  let sum = horizontalSum(vsum);
  for (; i < n; i++) {
    const v = load<f32>(x + <usize>i * 4);
    sum += v * v;
  }
  return sum;
}

/** out = x · sigmoid(x) (SiLU / swish) over n elements. */
export function silu(x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    const v = v128.load(x + o);
    v128.store(out + o, timesSigmoidF32x4(v, v));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const v = load<f32>(x + o);
    store<f32>(out + o, timesSigmoidF32(v, v));
  }
}

/** out = GELU(x) with the tanh approximation, written as x · sigmoid(2·√(2/π)·(x + 0.044715x³)). */
export function gelu(x: usize, out: usize, n: i32): void {
  const twoC = f32x4.splat(2 * GELU_C);
  const cubic = f32x4.splat(GELU_CUBIC);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    const v = v128.load(x + o);
    const inner = f32x4.mul(twoC, f32x4.add(v, f32x4.mul(cubic, f32x4.mul(v, f32x4.mul(v, v)))));
    v128.store(out + o, timesSigmoidF32x4(v, inner));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const v = load<f32>(x + o);
    store<f32>(out + o, timesSigmoidF32(v, 2 * GELU_C * (v + GELU_CUBIC * v * v * v)));
  }
}

/** dx = dy · σ(x)(1 + x(1 − σ(x))), the SiLU derivative, lane-wise. */
function siluGradF32x4(x: v128, dy: v128): v128 {
  const one = f32x4.splat(1);
  const s = timesSigmoidF32x4(one, x);
  return f32x4.mul(dy, f32x4.mul(s, f32x4.add(one, f32x4.mul(x, f32x4.sub(one, s)))));
}

/** out = dy · SiLU'(x) over n elements (the SwiGLU backward's hot half). */
export function siluBackward(x: usize, dy: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(out + o, siluGradF32x4(v128.load(x + o), v128.load(dy + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const g = siluGradF32x4(f32x4.splat(load<f32>(x + o)), f32x4.splat(load<f32>(dy + o)));
    store<f32>(out + o, f32x4.extract_lane(g, 0));
  }
}

// Past |x| = 10 the GELU derivative is its limit (1 or 0) to within 1e-35, while x³ would overflow to ∞ and turn the
// vanishing term into ∞ · 0 = NaN; the derivative is evaluated at the clamped x.
const GELU_GRAD_LIMIT: f32 = 10;

/**
 * dx = dy · GELU'(x) for the tanh form: with s = σ(2u), u = √(2/π)(x + 0.044715x³),
 * GELU'(x) = s + 2√(2/π) · x · s(1 − s)(1 + 3 · 0.044715x²), lane-wise.
 */
function geluGradF32x4(x: v128, dy: v128): v128 {
  const one = f32x4.splat(1);
  const xc = f32x4.pmax(f32x4.pmin(x, f32x4.splat(GELU_GRAD_LIMIT)), f32x4.splat(-GELU_GRAD_LIMIT));
  const x2 = f32x4.mul(xc, xc);
  const twoU = f32x4.mul(
    f32x4.splat(2 * GELU_C),
    f32x4.mul(xc, f32x4.add(one, f32x4.mul(f32x4.splat(GELU_CUBIC), x2))),
  );
  const s = timesSigmoidF32x4(one, twoU);
  const slope = f32x4.add(one, f32x4.mul(f32x4.splat(3 * GELU_CUBIC), x2));
  const term = f32x4.mul(
    f32x4.mul(f32x4.splat(2 * GELU_C), xc),
    f32x4.mul(f32x4.mul(s, f32x4.sub(one, s)), slope),
  );
  return f32x4.mul(dy, f32x4.add(s, term));
}

/** out = dy · GELU'(x) (tanh approximation) over n elements. */
export function geluBackward(x: usize, dy: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(out + o, geluGradF32x4(v128.load(x + o), v128.load(dy + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const g = geluGradF32x4(f32x4.splat(load<f32>(x + o)), f32x4.splat(load<f32>(dy + o)));
    store<f32>(out + o, f32x4.extract_lane(g, 0));
  }
}

/**
 * Rotate-half RoPE of rows × heads vectors of headDim: pair (i, i + headDim/2) of every head of row r turns by the
 * angle whose cos and sin are table[r, i] and table[rows + r, i] (tables [rows, headDim/2]); inverse turns back.
 */
export function ropeRows(
  x: usize,
  table: usize,
  out: usize,
  rows: i32,
  heads: i32,
  headDim: i32,
  inverse: bool,
): void {
  const half = headDim >> 1;
  const rowBytes = <usize>half * 4;
  for (let r = 0; r < rows; r++) {
    const cos = table + <usize>r * rowBytes;
    const sin = cos + <usize>rows * rowBytes;
    for (let h = 0; h < heads; h++) {
      const base = (<usize>r * <usize>heads + <usize>h) * <usize>headDim * 4;
      rotateHalves(x + base, out + base, cos, sin, half, inverse);
    }
  }
}

/** out = (x1·cos − x2·sin, x2·cos + x1·sin) for halves x1, x2 of one head; sin negated when inverse. */
function rotateHalves(x: usize, out: usize, cos: usize, sin: usize, half: i32, inverse: bool): void {
  const second = <usize>half * 4;
  const sign: f32 = inverse ? -1 : 1;
  const vsign = f32x4.splat(sign);
  let i = 0;
  for (; i + 4 <= half; i += 4) {
    const o = <usize>i * 4;
    const c = v128.load(cos + o);
    const s = f32x4.mul(v128.load(sin + o), vsign);
    const x1 = v128.load(x + o);
    const x2 = v128.load(x + second + o);
    v128.store(out + o, f32x4.sub(f32x4.mul(x1, c), f32x4.mul(x2, s)));
    v128.store(out + second + o, f32x4.add(f32x4.mul(x2, c), f32x4.mul(x1, s)));
  }
  for (; i < half; i++) {
    const o = <usize>i * 4;
    const c = load<f32>(cos + o);
    const s = load<f32>(sin + o) * sign;
    const x1 = load<f32>(x + o);
    const x2 = load<f32>(x + second + o);
    store<f32>(out + o, x1 * c - x2 * s);
    store<f32>(out + second + o, x2 * c + x1 * s);
  }
}

/**
 * out[r] = log_softmax(logits[r, :])[ids[r]], 0 where ids[r] < 0 (ids checked below cols by the caller). `scratch`
 * holds one row of cols floats for the exponentials.
 */
export function logSoftmaxGatherRows(
  logits: usize,
  ids: usize,
  out: usize,
  rows: i32,
  cols: i32,
  scratch: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const row = logits + <usize>r * <usize>cols * 4;
    const id = load<i32>(ids + <usize>r * 4);
    let value: f32 = 0;
    if (id >= 0) {
      const rowMax = maxOf(row, cols);
      const lse = rowMax + Mathf.log(expShiftedInto(row, scratch, cols, rowMax));
      value = load<f32>(row + <usize>id * 4) - lse;
    }
    store<f32>(out + <usize>r * 4, value);
  }
}

/** d logits[r, :] = dy[r] · (onehot(ids[r]) − softmax(logits[r, :])), zero rows where ids[r] < 0. */
export function logSoftmaxGatherBackwardRows(
  logits: usize,
  ids: usize,
  dy: usize,
  out: usize,
  rows: i32,
  cols: i32,
): void {
  for (let r = 0; r < rows; r++) {
    const offset = <usize>r * <usize>cols * 4;
    const id = load<i32>(ids + <usize>r * 4);
    if (id < 0) {
      memory.fill(out + offset, 0, <usize>cols * 4);
      continue;
    }
    const g = load<f32>(dy + <usize>r * 4);
    const rowMax = maxOf(logits + offset, cols);
    const sum = expShiftedInto(logits + offset, out + offset, cols, rowMax);
    scale(out + offset, out + offset, cols, -g / sum);
    const target = out + offset + <usize>id * 4;
    store<f32>(target, load<f32>(target) + g);
  }
}

/**
 * RMSNorm backward per row, with r = 1/√(mean(x²) + eps): dx = r·w·dy − (r³·mean(w·dy·x))·x, and when dWeight ≠ 0
 * dWeight += dy·x·r (summed over rows in f32; the caller zeroes it).
 */
export function rmsnormBackwardRows(
  x: usize,
  weight: usize,
  dy: usize,
  dx: usize,
  dWeight: usize,
  rows: i32,
  cols: i32,
  eps: f32,
): void {
  for (let r = 0; r < rows; r++) {
    const offset = <usize>r * <usize>cols * 4;
    const inverse: f32 = <f32>1 / Mathf.sqrt(sumOfSquares(x + offset, cols) / <f32>cols + eps);
    const dot = weightedDot(weight, dy + offset, x + offset, cols);
    const correction = (inverse * inverse * inverse * dot) / <f32>cols;
    rmsnormInputGrad(x + offset, weight, dy + offset, dx + offset, cols, inverse, correction);
    if (dWeight != 0) accumulateProduct(dy + offset, x + offset, dWeight, cols, inverse);
  }
}

/** Σ w·a·b over n elements. */
function weightedDot(w: usize, a: usize, b: usize, n: i32): f32 {
  let vsum = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    vsum = f32x4.add(vsum, f32x4.mul(v128.load(w + o), f32x4.mul(v128.load(a + o), v128.load(b + o))));
  }
  let sum = horizontalSum(vsum);
  for (; i < n; i++) {
    const o = <usize>i * 4;
    sum += load<f32>(w + o) * load<f32>(a + o) * load<f32>(b + o);
  }
  return sum;
}

/** dx = inverse·w·dy − correction·x over one row. */
function rmsnormInputGrad(
  x: usize,
  w: usize,
  dy: usize,
  dx: usize,
  n: i32,
  inverse: f32,
  correction: f32,
): void {
  const vinv = f32x4.splat(inverse);
  const vcorr = f32x4.splat(correction);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    const scaled = f32x4.mul(f32x4.mul(v128.load(w + o), v128.load(dy + o)), vinv);
    v128.store(dx + o, f32x4.sub(scaled, f32x4.mul(vcorr, v128.load(x + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    store<f32>(dx + o, load<f32>(w + o) * load<f32>(dy + o) * inverse - correction * load<f32>(x + o));
  }
}

/** acc += a·b·s over n elements. */
function accumulateProduct(a: usize, b: usize, acc: usize, n: i32, s: f32): void {
  const vs = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    const product = f32x4.mul(f32x4.mul(v128.load(a + o), v128.load(b + o)), vs);
    v128.store(acc + o, f32x4.add(v128.load(acc + o), product));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    store<f32>(acc + o, load<f32>(acc + o) + load<f32>(a + o) * load<f32>(b + o) * s);
  }
}

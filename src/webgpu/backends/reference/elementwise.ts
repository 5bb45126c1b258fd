// Reference elementwise kernels: unary (and fused unary backward), broadcasting binary, broadcast, cast.
import type { BinaryOp, BroadcastSpec, UnarySpec } from '../../backend';
import { broadcastStrides, stridesOf } from '../../shapes';
import type { FloatArray, NumArray } from './arrays';
import { at, forEachIndex2 } from './arrays';

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_K = 0.044715;

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** The scalar function of a unary op. GELU is the tanh approximation (as gelu_pytorch_tanh in SigLIP/Qwen vision). */
export function unaryFn(spec: UnarySpec): (x: number) => number {
  switch (spec.kind) {
    case 'neg':
      return (x) => -x;
    case 'exp':
      return Math.exp;
    case 'log':
      return Math.log;
    case 'sqrt':
      return Math.sqrt;
    case 'rsqrt':
      return (x) => 1 / Math.sqrt(x);
    case 'square':
      return (x) => x * x;
    case 'abs':
      return Math.abs;
    case 'relu':
      return (x) => (x > 0 ? x : 0);
    case 'sigmoid':
      return sigmoid;
    case 'tanh':
      return Math.tanh;
    case 'silu':
      return (x) => x * sigmoid(x);
    case 'gelu':
      return (x) => 0.5 * x * (1 + Math.tanh(GELU_C * (x + GELU_K * x * x * x)));
    case 'affine':
      return (x) => spec.scale * x + spec.shift;
    case 'clamp':
      return (x) => Math.min(spec.max, Math.max(spec.min, x));
    case 'pow':
      return (x) => Math.pow(x, spec.exponent);
  }
}

/** dy/dx of a unary op at x. */
export function unaryDerivative(spec: UnarySpec): (x: number) => number {
  switch (spec.kind) {
    case 'neg':
      return () => -1;
    case 'exp':
      return Math.exp;
    case 'log':
      return (x) => 1 / x;
    case 'sqrt':
      return (x) => 0.5 / Math.sqrt(x);
    case 'rsqrt':
      return (x) => -0.5 / (x * Math.sqrt(x));
    case 'square':
      return (x) => 2 * x;
    case 'abs':
      return (x) => Math.sign(x);
    case 'relu':
      return (x) => (x > 0 ? 1 : 0);
    case 'sigmoid':
      return (x) => sigmoid(x) * (1 - sigmoid(x));
    case 'tanh':
      return (x) => 1 - Math.tanh(x) ** 2;
    case 'silu':
      return (x) => {
        const s = sigmoid(x);
        return s * (1 + x * (1 - s));
      };
    case 'gelu':
      return (x) => {
        const t = Math.tanh(GELU_C * (x + GELU_K * x * x * x));
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * GELU_K * x * x);
      };
    case 'affine':
      return () => spec.scale;
    case 'clamp':
      return (x) => (x >= spec.min && x <= spec.max ? 1 : 0);
    case 'pow':
      return (x) => spec.exponent * Math.pow(x, spec.exponent - 1);
  }
}

export function unaryKernel(spec: UnarySpec, x: FloatArray, out: FloatArray): void {
  const fn = unaryFn(spec);
  for (let i = 0; i < out.length; i++) out[i] = fn(at(x, i));
}

export function unaryBackwardKernel(spec: UnarySpec, x: FloatArray, dy: FloatArray, out: FloatArray): void {
  const derivative = unaryDerivative(spec);
  for (let i = 0; i < out.length; i++) out[i] = at(dy, i) * derivative(at(x, i));
}

function binaryFn(op: BinaryOp): (a: number, b: number) => number {
  switch (op) {
    case 'add':
      return (a, b) => a + b;
    case 'sub':
      return (a, b) => a - b;
    case 'mul':
      return (a, b) => a * b;
    case 'div':
      return (a, b) => a / b;
    case 'max':
      return Math.max;
    case 'min':
      return Math.min;
    case 'greater':
      return (a, b) => (a > b ? 1 : 0);
    case 'less':
      return (a, b) => (a < b ? 1 : 0);
    case 'equal':
      return (a, b) => (a === b ? 1 : 0);
  }
}

export function binaryKernel(
  op: BinaryOp,
  a: NumArray,
  b: NumArray,
  out: NumArray,
  shapes: BroadcastSpec,
): void {
  const fn = binaryFn(op);
  // Fast paths for the common cases (same shape; b repeats along the leading axes, as a bias or a norm weight).
  if (a.length === out.length && out.length % b.length === 0 && sameTrailing(shapes.b, shapes.out)) {
    for (let i = 0; i < out.length; i++) out[i] = fn(at(a, i), at(b, i % b.length));
    return;
  }
  forEachIndex2(
    shapes.out,
    broadcastStrides(shapes.a, shapes.out),
    broadcastStrides(shapes.b, shapes.out),
    (i, ia, ib) => {
      out[i] = fn(at(a, ia), at(b, ib));
    },
  );
}

/** True when `inner` equals the trailing axes of `outer` (ignoring leading 1s), so flat index mod size maps it. */
function sameTrailing(inner: readonly number[], outer: readonly number[]): boolean {
  const trimmed = inner.slice(
    inner.findIndex((d) => d !== 1) === -1 ? inner.length : inner.findIndex((d) => d !== 1),
  );
  const offset = outer.length - trimmed.length;
  return offset >= 0 && trimmed.every((d, i) => d === outer[offset + i]);
}

export function broadcastKernel(
  x: NumArray,
  from: readonly number[],
  to: readonly number[],
  out: NumArray,
): void {
  forEachIndex2(to, broadcastStrides(from, to), stridesOf(to), (i, ix) => {
    out[i] = at(x, ix);
  });
}

/** f32 -> i32 truncates toward zero; i32 -> f32 is exact below 2^24. */
export function castKernel(x: NumArray, out: NumArray): void {
  const truncate = out instanceof Int32Array;
  for (let i = 0; i < out.length; i++) out[i] = truncate ? Math.trunc(at(x, i)) : at(x, i);
}

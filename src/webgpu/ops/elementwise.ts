// Elementwise ops with broadcasting and their backward: arithmetic, comparisons, activations (SiLU, GELU), SwiGLU.
import { recordOp } from '../autograd';
import type { BinaryOp, UnarySpec } from '../backend';
import { broadcastShapes } from '../shapes';
import type { Tensor } from '../tensor';
import { backendOf, expectDType, wrap } from './common';
import { sumToShape } from './reduce';

/** Applies a unary kernel and records its fused derivative kernel as the backward. */
export function unary(spec: UnarySpec, x: Tensor): Tensor {
  expectDType(spec.kind, x, 'f32', 'input');
  const backend = x.backend;
  const y = wrap(backend, backend.unary(spec, x.storage), x.shape);
  recordOp(spec.kind, [x], [y], [x], ([dy], [savedX]) => {
    if (!dy || !savedX) return [null];
    return [wrap(backend, backend.unaryBackward(spec, savedX.storage, dy.storage), x.shape)];
  });
  return y;
}

export const neg = (x: Tensor): Tensor => unary({ kind: 'neg' }, x);
export const exp = (x: Tensor): Tensor => unary({ kind: 'exp' }, x);
export const log = (x: Tensor): Tensor => unary({ kind: 'log' }, x);
export const sqrt = (x: Tensor): Tensor => unary({ kind: 'sqrt' }, x);
export const rsqrt = (x: Tensor): Tensor => unary({ kind: 'rsqrt' }, x);
export const square = (x: Tensor): Tensor => unary({ kind: 'square' }, x);
export const abs = (x: Tensor): Tensor => unary({ kind: 'abs' }, x);
export const relu = (x: Tensor): Tensor => unary({ kind: 'relu' }, x);
export const sigmoid = (x: Tensor): Tensor => unary({ kind: 'sigmoid' }, x);
export const tanh = (x: Tensor): Tensor => unary({ kind: 'tanh' }, x);
export const silu = (x: Tensor): Tensor => unary({ kind: 'silu' }, x);
/** GELU, tanh approximation (gelu_pytorch_tanh); the erf form differs by < 1e-3. */
export const gelu = (x: Tensor): Tensor => unary({ kind: 'gelu' }, x);
export const scale = (x: Tensor, factor: number): Tensor =>
  unary({ kind: 'affine', scale: factor, shift: 0 }, x);
export const addScalar = (x: Tensor, shift: number): Tensor => unary({ kind: 'affine', scale: 1, shift }, x);
export const clamp = (x: Tensor, min: number, max: number): Tensor => unary({ kind: 'clamp', min, max }, x);
export const pow = (x: Tensor, exponent: number): Tensor => unary({ kind: 'pow', exponent }, x);

function binaryForward(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const backend = backendOf(op, a, b);
  const out = broadcastShapes(op, a.shape, b.shape);
  return wrap(backend, backend.binary(op, a.storage, b.storage, { out, a: a.shape, b: b.shape }), out);
}

/** The raw kernel result for use inside backward rules (not recorded: backward runs with the tape paused). */
const raw = binaryForward;

type GradPair = [Tensor | null, Tensor | null];

function binaryGrads(op: BinaryOp, dy: Tensor, a: Tensor, b: Tensor, needs: readonly boolean[]): GradPair {
  const [needA, needB] = needs;
  switch (op) {
    case 'add':
      return [needA ? dy : null, needB ? dy : null];
    case 'sub':
      return [needA ? dy : null, needB ? neg(dy) : null];
    case 'mul':
      return [needA ? raw('mul', dy, b) : null, needB ? raw('mul', dy, a) : null];
    case 'div': {
      const da = raw('div', dy, b);
      return [needA ? da : null, needB ? neg(raw('div', raw('mul', da, a), b)) : null];
    }
    case 'max':
    case 'min': {
      // Ties send the gradient to a, as torch.maximum's subgradient choice does for one side.
      const toB = raw(op === 'max' ? 'less' : 'greater', a, b);
      const toA = unary({ kind: 'affine', scale: -1, shift: 1 }, toB);
      return [needA ? raw('mul', dy, toA) : null, needB ? raw('mul', dy, toB) : null];
    }
    default:
      return [null, null];
  }
}

/** Broadcasting binary op; comparisons return 1/0 masks and carry no gradient. */
export function binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const y = binaryForward(op, a, b);
  if (op === 'greater' || op === 'less' || op === 'equal') return y;
  recordOp(op, [a, b], [y], [a, b], ([dy], [savedA, savedB], needs) => {
    if (!dy || !savedA || !savedB) return [null, null];
    const [da, db] = binaryGrads(op, dy, savedA, savedB, needs);
    return [da ? sumToShape(da, a.shape) : null, db ? sumToShape(db, b.shape) : null];
  });
  return y;
}

/** a + b; a number b uses the fused affine kernel instead of a broadcast tensor. */
export function add(a: Tensor, b: Tensor | number): Tensor {
  return typeof b === 'number' ? addScalar(a, b) : binary('add', a, b);
}

export function sub(a: Tensor, b: Tensor | number): Tensor {
  return typeof b === 'number' ? addScalar(a, -b) : binary('sub', a, b);
}

export function mul(a: Tensor, b: Tensor | number): Tensor {
  return typeof b === 'number' ? scale(a, b) : binary('mul', a, b);
}

export function div(a: Tensor, b: Tensor | number): Tensor {
  return typeof b === 'number' ? scale(a, 1 / b) : binary('div', a, b);
}

export const maximum = (a: Tensor, b: Tensor): Tensor => binary('max', a, b);
export const minimum = (a: Tensor, b: Tensor): Tensor => binary('min', a, b);
export const greater = (a: Tensor, b: Tensor): Tensor => binary('greater', a, b);
export const less = (a: Tensor, b: Tensor): Tensor => binary('less', a, b);
export const equal = (a: Tensor, b: Tensor): Tensor => binary('equal', a, b);

/** log(1 + eˣ) in the stable form relu(x) + log(1 + e^−|x|) (BCE with logits, focal losses). */
export function softplus(x: Tensor): Tensor {
  return add(relu(x), log(addScalar(exp(neg(abs(x))), 1)));
}

/** SwiGLU MLP gate: silu(gate) * up. */
export function swiglu(gate: Tensor, up: Tensor): Tensor {
  const activated = silu(gate);
  const y = mul(activated, up);
  activated.dispose();
  return y;
}

/** Converts between f32 and i32 (truncating); no gradient. */
export function cast(x: Tensor, dtype: 'f32' | 'i32'): Tensor {
  const backend = x.backend;
  return wrap(backend, backend.cast(x.storage, dtype), x.shape);
}

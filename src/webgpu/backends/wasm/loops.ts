// Tight TypeScript loops for the elementwise primitives without a SIMD kernel: one loop per op, no per-element closure.
import type { BinaryOp, UnarySpec } from '../../backend';
import { stridesOf } from '../../shapes';

type F32 = Float32Array;

/** out = f(x) for the unary kinds with a loop here; false when the kind has none (the caller falls back). */
export function unaryLoop(spec: UnarySpec, x: F32, out: F32): boolean {
  const n = out.length;
  switch (spec.kind) {
    case 'relu':
      for (let i = 0; i < n; i++) {
        const v = x[i] as number;
        out[i] = v > 0 ? v : 0;
      }
      return true;
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -(x[i] as number);
      return true;
    case 'abs':
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i] as number);
      return true;
    case 'square':
      for (let i = 0; i < n; i++) out[i] = (x[i] as number) * (x[i] as number);
      return true;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i] as number);
      return true;
    case 'log':
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i] as number);
      return true;
    case 'sigmoid':
      for (let i = 0; i < n; i++) out[i] = sigmoid(x[i] as number);
      return true;
    case 'affine': {
      const { scale, shift } = spec;
      for (let i = 0; i < n; i++) out[i] = scale * (x[i] as number) + shift;
      return true;
    }
    default:
      return false;
  }
}

/** out = dy · f'(x) for the same kinds as unaryLoop. */
export function unaryBackwardLoop(spec: UnarySpec, x: F32, dy: F32, out: F32): boolean {
  const n = out.length;
  switch (spec.kind) {
    case 'relu':
      for (let i = 0; i < n; i++) out[i] = (x[i] as number) > 0 ? (dy[i] as number) : 0;
      return true;
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -(dy[i] as number);
      return true;
    case 'abs':
      for (let i = 0; i < n; i++) out[i] = (dy[i] as number) * Math.sign(x[i] as number);
      return true;
    case 'square':
      for (let i = 0; i < n; i++) out[i] = 2 * (x[i] as number) * (dy[i] as number);
      return true;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = (dy[i] as number) * Math.exp(x[i] as number);
      return true;
    case 'log':
      for (let i = 0; i < n; i++) out[i] = (dy[i] as number) / (x[i] as number);
      return true;
    case 'sigmoid':
      for (let i = 0; i < n; i++) {
        const s = sigmoid(x[i] as number);
        out[i] = (dy[i] as number) * s * (1 - s);
      }
      return true;
    case 'affine': {
      const { scale } = spec;
      for (let i = 0; i < n; i++) out[i] = scale * (dy[i] as number);
      return true;
    }
    default:
      return false;
  }
}

function sigmoid(v: number): number {
  // The two forms keep exp's argument non-positive: no overflow for large |v|.
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/**
 * Shapes merged where both operands walk memory the same way: adjacent axes fuse when each operand's stride on the
 * outer axis is its stride on the inner axis times the inner size (0 and 0 included); size-1 axes drop out. A bias [1, C, 1, 1] against
 * [B, C, H, W] becomes [B, C, H·W] with strides a [C·HW, HW, 1], b [0, 1, 0].
 */
export function coalesce(
  shape: readonly number[],
  stridesA: readonly number[],
  stridesB: readonly number[],
): { shape: number[]; a: number[]; b: number[] } {
  const out = { shape: [] as number[], a: [] as number[], b: [] as number[] };
  shape.forEach((dim, axis) => {
    if (dim === 1) return;
    const last = out.shape.length - 1;
    const sa = stridesA[axis] as number;
    const sb = stridesB[axis] as number;
    const outer = out.shape[last];
    if (outer !== undefined && out.a[last] === sa * dim && out.b[last] === sb * dim) {
      out.shape[last] = outer * dim;
      out.a[last] = sa;
      out.b[last] = sb;
      return;
    }
    out.shape.push(dim);
    out.a.push(sa);
    out.b.push(sb);
  });
  return out;
}

/** One run along the innermost axis: out[o..o+n) = a[ia + i·sa] op b[ib + i·sb]. */
function binaryRun(
  op: BinaryOp,
  a: F32,
  b: F32,
  out: F32,
  o: number,
  n: number,
  ia: number,
  sa: number,
  ib: number,
  sb: number,
): void {
  switch (op) {
    case 'add':
      for (let i = 0; i < n; i++) out[o + i] = (a[ia + i * sa] as number) + (b[ib + i * sb] as number);
      return;
    case 'sub':
      for (let i = 0; i < n; i++) out[o + i] = (a[ia + i * sa] as number) - (b[ib + i * sb] as number);
      return;
    case 'mul':
      for (let i = 0; i < n; i++) out[o + i] = (a[ia + i * sa] as number) * (b[ib + i * sb] as number);
      return;
    case 'div':
      for (let i = 0; i < n; i++) out[o + i] = (a[ia + i * sa] as number) / (b[ib + i * sb] as number);
      return;
    case 'max':
      for (let i = 0; i < n; i++) out[o + i] = Math.max(a[ia + i * sa] as number, b[ib + i * sb] as number);
      return;
    case 'min':
      for (let i = 0; i < n; i++) out[o + i] = Math.min(a[ia + i * sa] as number, b[ib + i * sb] as number);
      return;
    case 'greater':
      for (let i = 0; i < n; i++)
        out[o + i] = (a[ia + i * sa] as number) > (b[ib + i * sb] as number) ? 1 : 0;
      return;
    case 'less':
      for (let i = 0; i < n; i++)
        out[o + i] = (a[ia + i * sa] as number) < (b[ib + i * sb] as number) ? 1 : 0;
      return;
    case 'equal':
      for (let i = 0; i < n; i++)
        out[o + i] = (a[ia + i * sa] as number) === (b[ib + i * sb] as number) ? 1 : 0;
      return;
  }
}

/** Broadcasting f32 binary over coalesced axes: an odometer over the outer axes, a tight loop over the last. */
export function stridedBinary(
  op: BinaryOp,
  a: F32,
  b: F32,
  out: F32,
  shape: readonly number[],
  stridesA: readonly number[],
  stridesB: readonly number[],
): void {
  forEachRun(coalesce(shape, stridesA, stridesB), out.length, (o, n, ia, sa, ib, sb) =>
    binaryRun(op, a, b, out, o, n, ia, sa, ib, sb),
  );
}

/** out = x broadcast to `shape` (x's strides given, 0 on broadcast axes); works for f32 and i32 views alike. */
export function stridedBroadcast(
  x: F32 | Int32Array,
  out: F32 | Int32Array,
  shape: readonly number[],
  stridesX: readonly number[],
): void {
  const contiguous = stridesOf(shape);
  forEachRun(coalesce(shape, stridesX, contiguous), out.length, (o, n, ix, sx) => {
    if (sx === 1) out.set(x.subarray(ix, ix + n), o);
    else if (sx === 0) out.fill(x[ix] as number, o, o + n);
    else for (let i = 0; i < n; i++) out[o + i] = x[ix + i * sx] as number;
  });
}

type Run = (outStart: number, n: number, ia: number, sa: number, ib: number, sb: number) => void;

/** Calls `run` once per innermost run of the coalesced shape (an odometer over the outer axes). */
function forEachRun(merged: ReturnType<typeof coalesce>, total: number, run: Run): void {
  const rank = merged.shape.length;
  if (total === 0) return;
  if (rank === 0) {
    run(0, 1, 0, 0, 0, 0);
    return;
  }
  const n = merged.shape[rank - 1] as number;
  const [sa, sb] = [merged.a[rank - 1] as number, merged.b[rank - 1] as number];
  const index = new Array<number>(rank - 1).fill(0);
  let [ia, ib] = [0, 0];
  for (let o = 0; o < total; o += n) {
    run(o, n, ia, sa, ib, sb);
    for (let axis = rank - 2; axis >= 0; axis--) {
      const dim = merged.shape[axis] as number;
      const next = (index[axis] as number) + 1;
      if (next < dim) {
        index[axis] = next;
        ia += merged.a[axis] as number;
        ib += merged.b[axis] as number;
        break;
      }
      index[axis] = 0;
      ia -= (dim - 1) * (merged.a[axis] as number);
      ib -= (dim - 1) * (merged.b[axis] as number);
    }
  }
}

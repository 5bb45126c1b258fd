// Elementwise primitives: SiLU/GELU (+ backward), square, row-broadcast add/mul on SIMD kernels; the rest in tight TS loops.
import type { BinaryOp, BroadcastSpec, Storage, UnarySpec } from '../../backend';
import { broadcastStrides, sizeOf } from '../../shapes';
import type { WasmKernels } from '../../wasm/kernels';
import { binaryKernel, unaryBackwardKernel, unaryKernel } from '../reference/elementwise';
import { stridedBinary, unaryBackwardLoop, unaryLoop } from './loops';
import type { WasmMemory } from './memory';

export function unary(kernels: WasmKernels, mem: WasmMemory, spec: UnarySpec, x: Storage): Storage {
  const out = mem.alloc('f32', x.size);
  if (spec.kind === 'silu') kernels.silu(mem.ptr(x), out.ptr, x.size);
  else if (spec.kind === 'gelu') kernels.gelu(mem.ptr(x), out.ptr, x.size);
  // x · x rounds exactly like the reference's f64 square stored as f32 (one correctly rounded product).
  else if (spec.kind === 'square') kernels.mulRows(mem.ptr(x), mem.ptr(x), out.ptr, 1, x.size, false);
  else if (!unaryLoop(spec, mem.float(x), mem.float(out))) unaryKernel(spec, mem.float(x), mem.float(out));
  return out;
}

export function unaryBackward(
  kernels: WasmKernels,
  mem: WasmMemory,
  spec: UnarySpec,
  x: Storage,
  dy: Storage,
): Storage {
  const out = mem.alloc('f32', x.size);
  if (spec.kind === 'silu') kernels.siluBackward(mem.ptr(x), mem.ptr(dy), out.ptr, x.size);
  else if (spec.kind === 'gelu') kernels.geluBackward(mem.ptr(x), mem.ptr(dy), out.ptr, x.size);
  else {
    const [vx, vdy, vout] = mem.floats(x, dy, out);
    if (!unaryBackwardLoop(spec, vx, vdy, vout)) unaryBackwardKernel(spec, vx, vdy, vout);
  }
  return out;
}

/** How an add/mul maps onto the rows kernels: `full` is a rows×cols operand, `row` the operand repeated per row. */
interface RowPlan {
  full: Storage;
  row: Storage;
  rows: number;
  cols: number;
  broadcastRow: boolean;
}

export function binary(
  kernels: WasmKernels,
  mem: WasmMemory,
  op: BinaryOp,
  a: Storage,
  b: Storage,
  shapes: BroadcastSpec,
): Storage {
  const dtype = a.dtype === 'i32' && b.dtype === 'i32' && op !== 'div' ? 'i32' : 'f32';
  const out = mem.alloc(dtype, sizeOf(shapes.out));
  const plan = a.dtype === 'f32' && b.dtype === 'f32' ? rowPlan(op, a, b, shapes) : null;
  if (plan) {
    const kernel = op === 'add' ? kernels.addRows.bind(kernels) : kernels.mulRows.bind(kernels);
    kernel(mem.ptr(plan.full), mem.ptr(plan.row), out.ptr, plan.rows, plan.cols, plan.broadcastRow);
  } else if (dtype === 'f32' && a.dtype === 'f32' && b.dtype === 'f32') {
    const strides = [broadcastStrides(shapes.a, shapes.out), broadcastStrides(shapes.b, shapes.out)] as const;
    stridedBinary(op, mem.float(a), mem.float(b), mem.float(out), shapes.out, ...strides);
  } else binaryKernel(op, mem.data(a), mem.data(b), mem.data(out), shapes);
  return out;
}

/** Same shapes, or one operand equal to the trailing axes of the other (a bias, a gain); add/mul commute. */
function rowPlan(op: BinaryOp, a: Storage, b: Storage, shapes: BroadcastSpec): RowPlan | null {
  if (op !== 'add' && op !== 'mul') return null;
  const size = sizeOf(shapes.out);
  if (size === 0) return null;
  if (a.size === size && b.size === size)
    return { full: a, row: b, rows: 1, cols: size, broadcastRow: false };
  if (a.size === size && isTrailing(shapes.b, shapes.out))
    return { full: a, row: b, rows: size / b.size, cols: b.size, broadcastRow: true };
  if (b.size === size && isTrailing(shapes.a, shapes.out))
    return { full: b, row: a, rows: size / a.size, cols: a.size, broadcastRow: true };
  return null;
}

/** True when `inner` without its leading 1s equals the trailing axes of `outer`. */
function isTrailing(inner: readonly number[], outer: readonly number[]): boolean {
  const first = inner.findIndex((d) => d !== 1);
  const trimmed = first < 0 ? [] : inner.slice(first);
  const offset = outer.length - trimmed.length;
  return offset >= 0 && trimmed.length > 0 && trimmed.every((d, i) => d === outer[offset + i]);
}

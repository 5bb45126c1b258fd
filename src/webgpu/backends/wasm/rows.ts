// Row primitives on the SIMD kernels: softmax, RMSNorm (+ backward), log-prob gather (+ backward); log-softmax on the reference.
import type { NormGrads, Storage } from '../../backend';
import type { WasmKernels } from '../../wasm/kernels';
import { checkedId, softmaxKernel } from '../reference/reduce';
import type { WasmMemory } from './memory';

export function softmax(
  kernels: WasmKernels,
  mem: WasmMemory,
  x: Storage,
  rows: number,
  cols: number,
  log: boolean,
): Storage {
  const out = mem.alloc('f32', rows * cols);
  if (log) softmaxKernel(mem.float(x), mem.float(out), rows, cols, true);
  else kernels.softmaxRows(mem.ptr(x), out.ptr, rows, cols);
  return out;
}

export function rmsNorm(
  kernels: WasmKernels,
  mem: WasmMemory,
  x: Storage,
  weight: Storage,
  rows: number,
  cols: number,
  eps: number,
): Storage {
  const out = mem.alloc('f32', rows * cols);
  kernels.rmsnormRows(mem.ptr(x), mem.ptr(weight), out.ptr, rows, cols, eps);
  return out;
}

export function rmsNormBackward(
  kernels: WasmKernels,
  mem: WasmMemory,
  inputs: { x: Storage; weight: Storage; dy: Storage },
  shape: { rows: number; cols: number; eps: number },
  needWeightGrad: boolean,
): NormGrads {
  const { rows, cols, eps } = shape;
  const dx = mem.alloc('f32', rows * cols);
  const dWeight = needWeightGrad ? mem.alloc('f32', cols) : null;
  if (dWeight) mem.float(dWeight).fill(0);
  const [x, weight, dy] = [mem.ptr(inputs.x), mem.ptr(inputs.weight), mem.ptr(inputs.dy)];
  kernels.rmsnormBackwardRows(x, weight, dy, dx.ptr, dWeight?.ptr ?? null, rows, cols, eps);
  return dWeight ? { dx, dWeight } : { dx };
}

/** The reference's RangeError for an id ≥ cols, before a kernel that cannot throw reads past the row. */
function checkIds(mem: WasmMemory, ids: Storage, rows: number, cols: number): void {
  const view = mem.data(ids);
  for (let r = 0; r < rows; r++) checkedId(view, r, cols);
}

export function logSoftmaxGather(
  kernels: WasmKernels,
  mem: WasmMemory,
  logits: Storage,
  ids: Storage,
  rows: number,
  cols: number,
): Storage {
  checkIds(mem, ids, rows, cols);
  const out = mem.alloc('f32', rows);
  const scratch = mem.alloc('f32', cols);
  kernels.logSoftmaxGatherRows(mem.ptr(logits), mem.ptr(ids), out.ptr, rows, cols, scratch.ptr);
  mem.free(scratch);
  return out;
}

export function logSoftmaxGatherBackward(
  kernels: WasmKernels,
  mem: WasmMemory,
  logits: Storage,
  ids: Storage,
  dy: Storage,
  rows: number,
  cols: number,
): Storage {
  checkIds(mem, ids, rows, cols);
  const out = mem.alloc('f32', rows * cols);
  kernels.logSoftmaxGatherBackwardRows(mem.ptr(logits), mem.ptr(ids), mem.ptr(dy), out.ptr, rows, cols);
  return out;
}

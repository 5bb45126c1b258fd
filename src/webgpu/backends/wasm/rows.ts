// Row primitives on the SIMD kernels: softmax and RMSNorm forward; log-softmax falls back to the reference kernel.
import type { Storage } from '../../backend';
import type { WasmKernels } from '../../wasm/kernels';
import { softmaxKernel } from '../reference/reduce';
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

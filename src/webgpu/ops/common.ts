// Helpers every op file uses: backend agreement, dtype checks, wrapping kernel output storage as tensors.
import type { Backend, DType, Storage } from '../backend';
import { BackendMismatchError, DTypeError, ShapeError, fmtShape } from '../errors';
import type { Shape } from '../shapes';
import { Tensor } from '../tensor';

/** The one backend all tensors of an op share. */
export function backendOf(op: string, ...tensors: readonly (Tensor | null | undefined)[]): Backend {
  let backend: Backend | null = null;
  for (const tensor of tensors) {
    if (!tensor) continue;
    const own = tensor.backend;
    if (backend && own !== backend) throw new BackendMismatchError(op, backend.name, own.name);
    backend = own;
  }
  if (!backend) throw new ShapeError(op, 'no tensor given');
  return backend;
}

export function wrap(backend: Backend, storage: Storage, shape: Shape): Tensor {
  return Tensor.fromStorage(backend, storage, shape);
}

export function expectDType(op: string, tensor: Tensor, dtype: DType, role: string): void {
  if (tensor.dtype !== dtype) throw new DTypeError(op, `${role} must be ${dtype}, got ${tensor.dtype}`);
}

export function expectRank(op: string, tensor: Tensor, rank: number, role: string): void {
  if (tensor.rank !== rank) {
    throw new ShapeError(op, `${role} must have rank ${rank}, got ${fmtShape(tensor.shape)}`);
  }
}

/** The last axis size and the number of rows before it: the [rows, cols] view row-wise kernels take. */
export function rowsAndCols(tensor: Tensor): [number, number] {
  const cols = tensor.shape[tensor.rank - 1] ?? 1;
  return [cols === 0 ? 0 : tensor.size / cols, cols];
}

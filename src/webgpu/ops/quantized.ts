// Linear layer on a frozen quantized weight: dequant fused into the backend matmul; gradient flows to x only.
import { recordOp } from '../autograd';
import { DTypeError, ShapeError, fmtShape } from '../errors';
import type { QuantizedTensor } from '../quantized';
import type { Tensor } from '../tensor';
import { expectDType, rowsAndCols, wrap } from './common';

/** x [..., k] @ W^T for a quantized W [n, k] → [..., n]; the input gradient is dy @ W, fused the same way. */
export function quantizedLinear(x: Tensor, weight: QuantizedTensor): Tensor {
  expectDType('quantizedLinear', x, 'f32', 'x');
  const backend = x.backend;
  const matmul = backend.matmulQuantized?.bind(backend);
  if (!matmul || weight.backend !== backend) {
    throw new DTypeError('quantizedLinear', `${backend.name} cannot multiply by this quantized weight`);
  }
  const [n, k] = weight.shape;
  const [rows, cols] = rowsAndCols(x);
  if (cols !== k) throw new ShapeError('quantizedLinear', `x ${fmtShape(x.shape)} does not end in k = ${k}`);
  const packed = weight.weight;
  const y = wrap(backend, matmul(x.storage, packed, rows, false), [...x.shape.slice(0, -1), n]);
  // The weight's storage must outlive the tape: it is frozen model state, disposed by its owner after training.
  recordOp('quantizedLinear', [x], [y], [], ([dy]) => [
    dy ? wrap(backend, matmul(dy.storage, packed, rows, true), x.shape) : null,
  ]);
  return y;
}

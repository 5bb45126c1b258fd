// RMSNorm and LayerNorm over the last axis with learned weight (and bias), fused forward and backward kernels.
import { recordOp } from '../autograd';
import { ShapeError, fmtShape } from '../errors';
import type { Tensor } from '../tensor';
import { backendOf, expectDType, rowsAndCols, wrap } from './common';

function checkAffine(op: string, x: Tensor, param: Tensor, role: string): void {
  expectDType(op, param, 'f32', role);
  if (param.rank !== 1 || param.shape[0] !== x.shape[x.rank - 1]) {
    throw new ShapeError(
      op,
      `${role} ${fmtShape(param.shape)} does not match last axis of ${fmtShape(x.shape)}`,
    );
  }
}

/** y = x / sqrt(mean(x^2) + eps) * weight. */
export function rmsNorm(x: Tensor, weight: Tensor, eps = 1e-6): Tensor {
  expectDType('rmsNorm', x, 'f32', 'input');
  checkAffine('rmsNorm', x, weight, 'weight');
  const backend = backendOf('rmsNorm', x, weight);
  const [rows, cols] = rowsAndCols(x);
  const y = wrap(backend, backend.rmsNorm(x.storage, weight.storage, rows, cols, eps), x.shape);
  recordOp('rmsNorm', [x, weight], [y], [x, weight], ([dy], [sx, sw], [needX, needW]) => {
    if (!dy || !sx || !sw) return [null, null];
    const grads = backend.rmsNormBackward(
      sx.storage,
      sw.storage,
      dy.storage,
      rows,
      cols,
      eps,
      needW ?? false,
    );
    const dx = wrap(backend, grads.dx, x.shape);
    const dw = grads.dWeight ? wrap(backend, grads.dWeight, weight.shape) : null;
    return [needX ? dx : null, dw];
  });
  return y;
}

/** y = (x - mean) / sqrt(var + eps) * weight + bias (biased variance, as PyTorch). */
export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  expectDType('layerNorm', x, 'f32', 'input');
  checkAffine('layerNorm', x, weight, 'weight');
  checkAffine('layerNorm', x, bias, 'bias');
  const backend = backendOf('layerNorm', x, weight, bias);
  const [rows, cols] = rowsAndCols(x);
  const y = wrap(
    backend,
    backend.layerNorm(x.storage, weight.storage, bias.storage, rows, cols, eps),
    x.shape,
  );
  recordOp('layerNorm', [x, weight, bias], [y], [x, weight], ([dy], [sx, sw], [needX, needW, needB]) => {
    if (!dy || !sx || !sw) return [null, null, null];
    const grads = backend.layerNormBackward(
      sx.storage,
      sw.storage,
      dy.storage,
      rows,
      cols,
      eps,
      !!(needW || needB),
    );
    const dx = wrap(backend, grads.dx, x.shape);
    const dw = grads.dWeight ? wrap(backend, grads.dWeight, weight.shape) : null;
    const db = grads.dBias ? wrap(backend, grads.dBias, bias.shape) : null;
    return [needX ? dx : null, needW ? dw : null, needB ? db : null];
  });
  return y;
}

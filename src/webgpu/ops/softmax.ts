// Softmax and log-softmax over the last axis, each one fused kernel forward and one backward.
import { recordOp } from '../autograd';
import type { Tensor } from '../tensor';
import { expectDType, rowsAndCols, wrap } from './common';

function softmaxFamily(x: Tensor, log: boolean): Tensor {
  expectDType(log ? 'logSoftmax' : 'softmax', x, 'f32', 'input');
  const backend = x.backend;
  const [rows, cols] = rowsAndCols(x);
  const y = wrap(backend, backend.softmax(x.storage, rows, cols, log), x.shape);
  // Backward needs only the output, so the input may be freed right after the forward.
  recordOp(log ? 'logSoftmax' : 'softmax', [x], [y], [y], ([dy], [savedY]) => {
    if (!dy || !savedY) return [null];
    return [wrap(backend, backend.softmaxBackward(savedY.storage, dy.storage, rows, cols, log), x.shape)];
  });
  return y;
}

export function softmax(x: Tensor): Tensor {
  return softmaxFamily(x, false);
}

export function logSoftmax(x: Tensor): Tensor {
  return softmaxFamily(x, true);
}

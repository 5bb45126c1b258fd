// Token-level losses from logits: log-prob of chosen tokens, cross-entropy with ignore index, per-token entropy.
import { recordOp } from '../autograd';
import { ShapeError, fmtShape } from '../errors';
import type { Tensor } from '../tensor';
import { backendOf, expectDType, rowsAndCols, wrap } from './common';
import { cast, div, greater, neg } from './elementwise';
import { full } from '../creation';
import { sum } from './reduce';

function checkIds(op: string, logits: Tensor, ids: Tensor): void {
  expectDType(op, logits, 'f32', 'logits');
  expectDType(op, ids, 'i32', 'ids');
  const leading = logits.shape.slice(0, -1);
  if (ids.rank !== leading.length || !ids.shape.every((d, i) => d === leading[i])) {
    throw new ShapeError(
      op,
      `ids ${fmtShape(ids.shape)} must be logits ${fmtShape(logits.shape)} without the last axis`,
    );
  }
}

/**
 * log softmax(logits)[ids] per position, fused so the [rows, vocab] log-softmax is never stored: logits [..., V],
 * ids [...] → [...]. Negative ids are ignored (0, no gradient).
 */
export function tokenLogProbs(logits: Tensor, ids: Tensor): Tensor {
  checkIds('tokenLogProbs', logits, ids);
  const backend = backendOf('tokenLogProbs', logits, ids);
  const [rows, cols] = rowsAndCols(logits);
  const y = wrap(backend, backend.logSoftmaxGather(logits.storage, ids.storage, rows, cols), ids.shape);
  recordOp('tokenLogProbs', [logits], [y], [logits, ids], ([dy], [sLogits, sIds]) => {
    if (!dy || !sLogits || !sIds) return [null];
    return [
      wrap(
        backend,
        backend.logSoftmaxGatherBackward(sLogits.storage, sIds.storage, dy.storage, rows, cols),
        logits.shape,
      ),
    ];
  });
  return y;
}

/** Entropy of softmax(logits) per position (nats): logits [..., V] → [...]. */
export function entropy(logits: Tensor): Tensor {
  expectDType('entropy', logits, 'f32', 'logits');
  const backend = logits.backend;
  const [rows, cols] = rowsAndCols(logits);
  const y = wrap(backend, backend.entropy(logits.storage, rows, cols), logits.shape.slice(0, -1));
  recordOp('entropy', [logits], [y], [logits], ([dy], [sLogits]) => {
    if (!dy || !sLogits) return [null];
    return [wrap(backend, backend.entropyBackward(sLogits.storage, dy.storage, rows, cols), logits.shape)];
  });
  return y;
}

/**
 * Mean cross-entropy over positions whose target is not ignored. `ignoreIndex` must be negative (default -100):
 * every negative target is ignored, which is what lets the fused kernel skip them without a host round trip.
 */
export function crossEntropy(logits: Tensor, targets: Tensor, ignoreIndex = -100): Tensor {
  if (ignoreIndex >= 0)
    throw new ShapeError('crossEntropy', `ignoreIndex must be negative, got ${ignoreIndex}`);
  const logp = tokenLogProbs(logits, targets);
  const total = sum(logp);
  const targetValues = cast(targets, 'f32');
  const threshold = full([], -0.5, { backend: targets.backend });
  const kept = greater(targetValues, threshold);
  const count = sum(kept);
  // max(count, 1): an all-ignored batch gives 0 rather than NaN.
  const safeCount = wrap(
    count.backend,
    count.backend.unary({ kind: 'clamp', min: 1, max: Infinity }, count.storage),
    count.shape,
  );
  const meanLogp = div(total, safeCount);
  const loss = neg(meanLogp);
  for (const t of [logp, total, targetValues, threshold, kept, count, safeCount, meanLogp]) t.dispose();
  return loss;
}

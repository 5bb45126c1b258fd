// nano-sam's training loss: SAM's multimask recipe (BCE + dice on the best candidate only) plus an IoU-head regression.
import { stopGradient } from '../../webgpu/autograd';
import { scalar } from '../../webgpu/creation';
import {
  add,
  addScalar,
  div,
  greater,
  minimum,
  mul,
  neg,
  sigmoid,
  softplus,
  square,
  sub,
} from '../../webgpu/ops/elementwise';
import { mean, sum } from '../../webgpu/ops/reduce';
import { slice } from '../../webgpu/ops/shape';
import type { Tensor } from '../../webgpu/tensor';
import type { NanoSamOutput } from './model';

export interface NanoSamLoss {
  /** Scalar to minimise: best-candidate mask loss + IoU-head loss. */
  total: Tensor;
  /** [batch] BCE + dice of the best candidate. */
  maskLoss: Tensor;
  /** Scalar mean squared error of the IoU head. */
  iouLoss: Tensor;
  /** [batch, K] IoU of each candidate's thresholded mask (logit > 0) with the target; no gradient. */
  iou: Tensor;
}

/** Per-pixel BCE with logits: softplus(z) − z·y. */
function bceWithLogits(logits: Tensor, target: Tensor): Tensor {
  return sub(softplus(logits), mul(logits, target));
}

/** 1 − (2|P∩Y| + 1) / (|P| + |Y| + 1) on soft probabilities, per candidate → [batch, K]. */
function dice(probabilities: Tensor, target: Tensor): Tensor {
  const intersection = sum(mul(probabilities, target), [2, 3]);
  const sizes = add(sum(probabilities, [2, 3]), sum(target, [2, 3]));
  return addScalar(neg(div(addScalar(mul(intersection, 2), 1), addScalar(sizes, 1))), 1);
}

/** Hard IoU of each candidate (logit > 0) with the target, [batch, K]; an empty union counts as 1 (both empty). */
export function candidateIou(logits: Tensor, target: Tensor): Tensor {
  const predicted = greater(logits, scalar(0, { backend: logits.backend }));
  const intersection = sum(mul(predicted, target), [2, 3]);
  const union = sub(add(sum(predicted, [2, 3]), sum(target, [2, 3])), intersection);
  return div(addScalar(intersection, 1e-6), addScalar(union, 1e-6));
}

/** The smallest of the K per-candidate losses [batch, K] → [batch] (the gradient flows to that candidate only). */
function bestCandidate(losses: Tensor): Tensor {
  const [batch, k] = [losses.shape[0] as number, losses.shape[1] as number];
  let best = slice(losses, [0, 0], [batch, 1]);
  for (let i = 1; i < k; i++) best = minimum(best, slice(losses, [0, i], [batch, 1]));
  return best;
}

/** masks: [batch, 1, S, S] 0/1 targets at the logits' resolution. */
export function nanoSamLoss(output: NanoSamOutput, masks: Tensor): NanoSamLoss {
  const { maskLogits, iouScores } = output;
  const perCandidate = add(mean(bceWithLogits(maskLogits, masks), [2, 3]), dice(sigmoid(maskLogits), masks));
  const maskLoss = bestCandidate(perCandidate);
  const iou = stopGradient(candidateIou(maskLogits, masks));
  const iouLoss = mean(square(sub(iouScores, iou)));
  return { total: add(mean(maskLoss), iouLoss), maskLoss, iouLoss, iou };
}

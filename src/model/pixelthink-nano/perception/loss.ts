// The detector's training loss: CenterNet focal loss on the centre heatmap, cross-entropy and L1 at object-centre cells.
import type { Backend } from '../../../webgpu/backend';
import { fromArray } from '../../../webgpu/creation';
import {
  abs,
  add,
  addScalar,
  exp,
  log,
  mul,
  neg,
  relu,
  sigmoid,
  square,
  sub,
} from '../../../webgpu/ops/elementwise';
import { crossEntropy } from '../../../webgpu/ops/loss';
import { sum } from '../../../webgpu/ops/reduce';
import { permute, reshape } from '../../../webgpu/ops/shape';
import type { Tensor } from '../../../webgpu/tensor';
import type { HeadName } from './config';
import { HEAD_CHANNELS } from './config';
import { headOutput } from './model';
import type { PerceptionTargets } from './targets';

/** Weights of the loss terms in the total. */
export type LossWeights = Record<HeadName, number>;

/** Points weigh half: they follow from shape and box, and their tie-breaking is noisier than the box edges. */
export const DEFAULT_LOSS_WEIGHTS: LossWeights = {
  heatmap: 1,
  colour: 1,
  shape: 1,
  size: 1,
  box: 1,
  points: 1,
};

/** Every term as a scalar tensor, and their weighted sum. */
export type PerceptionLoss = Record<HeadName | 'total', Tensor>;

/** log(1 + e^z), stable: relu(z) + log(1 + e^−|z|). */
function softplus(z: Tensor): Tensor {
  return add(relu(z), log(addScalar(exp(neg(abs(z))), 1)));
}

/**
 * CenterNet's penalty-reduced focal loss (α = 2, β = 4), summed and divided by the object count:
 * centres −(1 − p)² log p, elsewhere −(1 − Y)⁴ p² log(1 − p), with log p = −softplus(−z), log(1 − p) = −softplus(z).
 */
function focalLoss(logits: Tensor, targets: PerceptionTargets, backend: Backend): Tensor {
  const shape = logits.shape;
  const negativeWeights = targets.heatmap.map((y, i) => (targets.centres[i] ? 0 : (1 - y) ** 4));
  const positives = fromArray(targets.centres, shape, { backend });
  const negatives = fromArray(negativeWeights, shape, { backend });
  const p = sigmoid(logits);
  const spPos = softplus(logits);
  const positive = mul(mul(square(addScalar(neg(p), 1)), sub(spPos, logits)), positives);
  const negative = mul(mul(square(p), spPos), negatives);
  return mul(sum(add(positive, negative)), 1 / Math.max(1, targets.objects));
}

/** Cross-entropy of one attribute head over the centre cells (all other cells carry IGNORE). */
function attributeLoss(output: Tensor, name: HeadName, classes: Int32Array, backend: Backend): Tensor {
  const rows = permute(headOutput(output, name), [0, 2, 3, 1]);
  const logits = reshape(rows, [classes.length, HEAD_CHANNELS[name]]);
  return crossEntropy(logits, fromArray(classes, [classes.length], { backend, dtype: 'i32' }));
}

/** Mean absolute error per object and coordinate of a 4-channel offset head, at centre cells only. */
function offsetLoss(
  output: Tensor,
  name: 'box' | 'points',
  wanted: Float32Array,
  targets: PerceptionTargets,
): Tensor {
  const backend = output.backend;
  const predicted = headOutput(output, name);
  const { images, grid } = targets;
  const mask = fromArray(targets.centres, [images, 1, grid, grid], { backend });
  const error = abs(sub(predicted, fromArray(wanted, predicted.shape, { backend })));
  return mul(sum(mul(error, mask)), 1 / Math.max(1, 4 * targets.objects));
}

/** The loss of raw head outputs [B, OUTPUT_CHANNELS, G, G] against a batch's targets. */
export function perceptionLoss(
  output: Tensor,
  targets: PerceptionTargets,
  weights: LossWeights = DEFAULT_LOSS_WEIGHTS,
): PerceptionLoss {
  const backend = output.backend;
  const terms = {
    heatmap: focalLoss(headOutput(output, 'heatmap'), targets, backend),
    colour: attributeLoss(output, 'colour', targets.colour, backend),
    shape: attributeLoss(output, 'shape', targets.shape, backend),
    size: attributeLoss(output, 'size', targets.size, backend),
    box: offsetLoss(output, 'box', targets.box, targets),
    points: offsetLoss(output, 'points', targets.points, targets),
  };
  let total: Tensor | null = null;
  for (const [name, term] of Object.entries(terms) as [HeadName, Tensor][]) {
    const weighted = mul(term, weights[name]);
    total = total ? add(total, weighted) : weighted;
  }
  return { ...terms, total: total as Tensor };
}

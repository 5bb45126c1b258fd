// The policy's margin uncertainty (method.md §4) from per-step logits, one-shot or streaming, with entropy beside it.
import { UncertaintyInputError } from './errors';

export type Logits = ArrayLike<number>;

/** What one decoding step contributes: the two largest probabilities and the entropy (nats), at temperature 1. */
export interface StepStats {
  p1: number;
  p2: number;
  entropy: number;
}

export interface UncertaintySummary {
  /** Mean over positions of clamp(1 − (p1 − p2), 0, 1); 0 when there are no positions. */
  uncertainty: number;
  /** Mean entropy in nats; a separate signal, not the method's u. 0 when there are no positions. */
  meanEntropy: number;
  positions: number;
}

/** The two largest logits of logits[offset .. offset+size), in one pass. */
function topTwoLogits(logits: Logits, offset: number, size: number): { first: number; second: number } {
  let first = -Infinity;
  let second = -Infinity;
  for (let i = offset; i < offset + size; i++) {
    const value = logits[i] ?? NaN;
    if (Number.isNaN(value) || value === Infinity) {
      throw new UncertaintyInputError(`logits[${i}]`, `must be a finite number or -Infinity, got ${value}`);
    }
    if (value > first) {
      second = first;
      first = value;
    } else if (value > second) second = value;
  }
  if (first === -Infinity) throw new UncertaintyInputError('logits', 'every logit is -Infinity');
  return { first, second };
}

/**
 * Softmax statistics of one logits row (by default the whole array), shifted by the maximum so exp() cannot overflow. Masked entries
 * (-Infinity) have probability 0 and add nothing to the entropy.
 */
export function stepStatsFromLogits(logits: Logits, offset = 0, size = logits.length - offset): StepStats {
  if (size <= 0 || offset < 0 || offset + size > logits.length) {
    throw new UncertaintyInputError('logits', `no row of ${size} values at ${offset} in ${logits.length}`);
  }
  const { first, second } = topTwoLogits(logits, offset, size);
  let partition = 0;
  let weightedShift = 0; // Σ e^(l−m)·(l−m), for H = log Z − E[l−m]
  for (let i = offset; i < offset + size; i++) {
    const shifted = (logits[i] ?? -Infinity) - first;
    const weight = Math.exp(shifted);
    partition += weight;
    if (weight > 0) weightedShift += weight * shifted;
  }
  const entropy = Math.log(partition) - weightedShift / partition;
  return {
    p1: 1 / partition,
    p2: Math.exp(second - first) / partition,
    entropy: Math.max(0, entropy),
  };
}

/** u_t = clamp(1 − (p1 − p2), 0, 1): 0 when the policy is sure, 1 when the top two tie. */
export function marginUncertainty(p1: number, p2: number): number {
  return Math.min(1, Math.max(0, 1 - (p1 - p2)));
}

/** Tolerance for probabilities computed in float32 that land a hair outside [0, 1]. */
const PROBABILITY_SLACK = 1e-6;

function checkProbabilities(p1: number, p2: number, entropy: number): void {
  const inRange = (p: number) => Number.isFinite(p) && p >= -PROBABILITY_SLACK && p <= 1 + PROBABILITY_SLACK;
  if (!inRange(p1)) throw new UncertaintyInputError('p1', `must be a probability, got ${p1}`);
  if (!inRange(p2)) throw new UncertaintyInputError('p2', `must be a probability, got ${p2}`);
  if (p2 > p1 + PROBABILITY_SLACK)
    throw new UncertaintyInputError('p2', `must not exceed p1 (${p1}), got ${p2}`);
  if (!(Number.isFinite(entropy) && entropy >= 0)) {
    throw new UncertaintyInputError('entropy', `must be a non-negative finite number, got ${entropy}`);
  }
}

/** Streaming accumulator for one response: push each decoding step, read the summary at any time. */
export class UncertaintyAccumulator {
  private positions = 0;
  private uncertaintySum = 0;
  private entropySum = 0;

  /** One step, either as its logits row or as (p1, p2, entropy) already computed (e.g. on the GPU). */
  push(logits: Logits): StepStats;
  push(p1: number, p2: number, entropy?: number): StepStats;
  push(first: Logits | number, p2?: number, entropy = 0): StepStats {
    const stats =
      typeof first === 'number' ? { p1: first, p2: p2 ?? NaN, entropy } : stepStatsFromLogits(first);
    checkProbabilities(stats.p1, stats.p2, stats.entropy);
    this.positions++;
    this.uncertaintySum += marginUncertainty(stats.p1, stats.p2);
    this.entropySum += stats.entropy;
    return stats;
  }

  summary(): UncertaintySummary {
    if (this.positions === 0) return { uncertainty: 0, meanEntropy: 0, positions: 0 };
    return {
      uncertainty: this.uncertaintySum / this.positions,
      meanEntropy: this.entropySum / this.positions,
      positions: this.positions,
    };
  }

  reset(): void {
    this.positions = 0;
    this.uncertaintySum = 0;
    this.entropySum = 0;
  }
}

/** One-shot over all generated positions: `logits` holds positions × vocabSize values, row after row. */
export function uncertaintyFromLogits(logits: Logits, vocabSize: number): UncertaintySummary {
  if (!Number.isSafeInteger(vocabSize) || vocabSize <= 0) {
    throw new UncertaintyInputError('vocabSize', `must be a positive integer, got ${vocabSize}`);
  }
  if (logits.length % vocabSize !== 0) {
    throw new UncertaintyInputError('logits', `length ${logits.length} is not a multiple of ${vocabSize}`);
  }
  const accumulator = new UncertaintyAccumulator();
  for (let start = 0; start < logits.length; start += vocabSize) {
    const step = stepStatsFromLogits(logits, start, vocabSize);
    accumulator.push(step.p1, step.p2, step.entropy);
  }
  return accumulator.summary();
}

// Tests of the margin uncertainty: hand-computed softmax cases, stability, streaming equals one-shot.
import { describe, expect, it } from 'vitest';
import { UncertaintyInputError } from './errors';
import { SeededRandom } from './test-support';
import {
  UncertaintyAccumulator,
  marginUncertainty,
  stepStatsFromLogits,
  uncertaintyFromLogits,
} from './uncertainty';

describe('one step', () => {
  it('matches a hand-computed softmax', () => {
    // logits [ln 3, ln 1, 0 = ln 1] -> probabilities [3/5, 1/5, 1/5]
    const stats = stepStatsFromLogits([Math.log(3), 0, 0]);
    expect(stats.p1).toBeCloseTo(0.6, 15);
    expect(stats.p2).toBeCloseTo(0.2, 15);
    const entropy = -(0.6 * Math.log(0.6) + 2 * 0.2 * Math.log(0.2));
    expect(stats.entropy).toBeCloseTo(entropy, 14);
    expect(marginUncertainty(stats.p1, stats.p2)).toBeCloseTo(0.6, 15); // 1 − (0.6 − 0.2)
  });

  it('gives 1 for a tie at the top and 0 for a single certain token', () => {
    const tie = stepStatsFromLogits(new Float32Array([2, 2, -50]));
    expect(marginUncertainty(tie.p1, tie.p2)).toBeCloseTo(1, 12);
    const sure = stepStatsFromLogits([0, -Infinity, -Infinity]);
    expect(sure).toEqual({ p1: 1, p2: 0, entropy: 0 });
    expect(marginUncertainty(sure.p1, sure.p2)).toBe(0);
  });

  it('is stable for huge logits (no overflow) and shift-invariant', () => {
    const big = stepStatsFromLogits([1000, 999, 998]);
    const small = stepStatsFromLogits([2, 1, 0]);
    expect(big.p1).toBeCloseTo(small.p1, 12);
    expect(big.p2).toBeCloseTo(small.p2, 12);
    expect(big.entropy).toBeCloseTo(small.entropy, 12);
    expect(Number.isFinite(big.entropy)).toBe(true);
  });

  it('reads one row out of a flat buffer', () => {
    const flat = new Float32Array([9, 9, 9, Math.log(3), 0, 0]);
    expect(stepStatsFromLogits(flat, 3, 3).p1).toBeCloseTo(0.6, 6);
  });

  it('rejects NaN, +Infinity, all-masked and empty rows', () => {
    expect(() => stepStatsFromLogits([0, NaN])).toThrow(UncertaintyInputError);
    expect(() => stepStatsFromLogits([0, Infinity])).toThrow(expect.objectContaining({ field: 'logits[1]' }));
    expect(() => stepStatsFromLogits([-Infinity, -Infinity])).toThrow(UncertaintyInputError);
    expect(() => stepStatsFromLogits([])).toThrow(UncertaintyInputError);
  });

  it('clamps the margin uncertainty to [0, 1]', () => {
    expect(marginUncertainty(1.0000001, 0)).toBe(0);
    expect(marginUncertainty(0.5, 0.5000001)).toBe(1);
  });
});

describe('per response', () => {
  it('averages over positions and is 0 with none', () => {
    const accumulator = new UncertaintyAccumulator();
    expect(accumulator.summary()).toEqual({ uncertainty: 0, meanEntropy: 0, positions: 0 });
    accumulator.push(0.9, 0.05, 0.4); // u = 0.15
    accumulator.push(0.5, 0.3, 1.0); // u = 0.8
    const summary = accumulator.summary();
    expect(summary.uncertainty).toBeCloseTo((0.15 + 0.8) / 2, 15);
    expect(summary.meanEntropy).toBeCloseTo(0.7, 15);
    expect(summary.positions).toBe(2);
    accumulator.reset();
    expect(accumulator.summary().positions).toBe(0);
  });

  it('streams to the same result as the one-shot function', () => {
    const random = new SeededRandom(3);
    const vocab = 50;
    const steps = 40;
    const flat = new Float32Array(vocab * steps).map(() => random.uniform(-8, 8));
    const accumulator = new UncertaintyAccumulator();
    for (let t = 0; t < steps; t++) accumulator.push(flat.subarray(t * vocab, (t + 1) * vocab));
    const streamed = accumulator.summary();
    const oneShot = uncertaintyFromLogits(flat, vocab);
    expect(streamed.positions).toBe(steps);
    expect(oneShot.uncertainty).toBeCloseTo(streamed.uncertainty, 14);
    expect(oneShot.meanEntropy).toBeCloseTo(streamed.meanEntropy, 14);
    expect(oneShot.uncertainty).toBeGreaterThan(0);
    expect(oneShot.uncertainty).toBeLessThanOrEqual(1);
  });

  it('rejects probabilities out of order or out of range', () => {
    const accumulator = new UncertaintyAccumulator();
    expect(() => accumulator.push(0.2, 0.5)).toThrow(expect.objectContaining({ field: 'p2' }));
    expect(() => accumulator.push(1.5, 0)).toThrow(expect.objectContaining({ field: 'p1' }));
    expect(() => accumulator.push(0.5, 0.1, -1)).toThrow(expect.objectContaining({ field: 'entropy' }));
    expect(() => uncertaintyFromLogits([1, 2, 3], 2)).toThrow(UncertaintyInputError);
  });
});

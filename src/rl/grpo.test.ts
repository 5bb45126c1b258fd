// Tests of GRPO: hand-computed advantages, clipped loss and KL, and the gradients against finite differences.
import { describe, expect, it } from 'vitest';
import { GrpoInputError, GrpoParamError } from './errors';
import {
  DEFAULT_GRPO_PARAMS,
  advantagesByGroup,
  broadcastAdvantages,
  groupAdvantages,
  grpoTokenLoss,
  k3Kl,
  resolveGrpoParams,
} from './grpo';
import type { TokenLossInput } from './grpo';
import { SeededRandom } from './test-support';

describe('advantages', () => {
  it('normalise by the unbiased std plus 1e-6', () => {
    // mean 2.5, unbiased variance (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3
    const std = Math.sqrt(5 / 3);
    const advantages = groupAdvantages([1, 2, 3, 4]);
    expect(advantages[0]).toBeCloseTo(-1.5 / (std + 1e-6), 14);
    expect(advantages[3]).toBeCloseTo(1.5 / (std + 1e-6), 14);
    expect(advantages[1]).toBeCloseTo(-0.5 / (std + 1e-6), 14);
  });

  it('give 0 to a group of equal rewards and to a group of one', () => {
    expect(groupAdvantages([3, 3, 3])).toEqual([0, 0, 0]);
    expect(groupAdvantages([4.2])).toEqual([0]);
    expect(groupAdvantages([])).toEqual([]);
  });

  it('group a batch by id, whatever the order', () => {
    const batch = advantagesByGroup([1, 10, 3, 30, 5], ['a', 'b', 'a', 'b', 'c']);
    const a = groupAdvantages([1, 3]);
    const b = groupAdvantages([10, 30]);
    expect(batch).toEqual([a[0], b[0], a[1], b[1], 0]);
  });

  it('broadcast over each sequence’s tokens', () => {
    expect(Array.from(broadcastAdvantages([0.5, -1], [2, 3]))).toEqual([0.5, 0.5, -1, -1, -1]);
    expect(() => broadcastAdvantages([1], [1, 2])).toThrow(GrpoInputError);
  });
});

const NO_EXTRAS = { clip: 0.2, klCoef: 0, entropyCoef: 0 };

describe('clipped policy loss', () => {
  it('takes the pessimistic branch per token and averages over valid tokens', () => {
    const result = grpoTokenLoss(
      {
        logProbs: [Math.log(1.5), Math.log(0.5), 7],
        oldLogProbs: [0, 0, 0],
        advantages: [1, 2, 5],
        mask: [1, 1, 0],
      },
      NO_EXTRAS,
    );
    // token 0: ratio 1.5, A = 1: max(−1.5, −1.2) = −1.2 (clipped); token 1: ratio 0.5, A = 2: max(−1, −1.6) = −1
    expect(result.pgLoss).toBeCloseTo((-1.2 - 1) / 2, 14);
    expect(result.loss).toBeCloseTo(-1.1, 14);
    expect(result.clipFraction).toBe(0.5);
    expect(result.validTokens).toBe(2);
    // d/dlogp: 0 where the clipped branch wins, −A·r (/ N) where the unclipped one does, 0 for padding
    expect(Array.from(result.gradLogProbs)).toEqual([0, (-2 * 0.5) / 2, 0]);
    expect(result.approxKl).toBeCloseTo(-(Math.log(1.5) + Math.log(0.5)) / 2, 14);
  });

  it('mirrors for negative advantages', () => {
    const result = grpoTokenLoss(
      { logProbs: [Math.log(0.5), Math.log(1.5)], oldLogProbs: [0, 0], advantages: [-1, -1], mask: [1, 1] },
      NO_EXTRAS,
    );
    // ratio 0.5: max(0.5, 0.8) = 0.8 (clipped, flat); ratio 1.5: max(1.5, 1.2) = 1.5 (unclipped, slope r)
    expect(result.pgLoss).toBeCloseTo((0.8 + 1.5) / 2, 14);
    expect(result.gradLogProbs[0]).toBe(0);
    expect(result.gradLogProbs[1]).toBeCloseTo(1.5 / 2, 14);
  });

  it('is all zeros without a valid token', () => {
    const result = grpoTokenLoss({ logProbs: [-1], oldLogProbs: [-2], advantages: [1], mask: [0] });
    expect(result.loss).toBe(0);
    expect(result.gradLogProbs[0]).toBe(0);
  });
});

describe('KL to the reference (k3)', () => {
  it('is exp(ref − logp) − (ref − logp) − 1', () => {
    expect(k3Kl(0, Math.log(2))).toBeCloseTo(1 - Math.log(2), 15);
    expect(k3Kl(-1.3, -1.3)).toBe(0);
  });

  it('is clamped to 10 both ways', () => {
    expect(k3Kl(0, 20)).toBe(10);
    expect(k3Kl(20, 0)).toBe(10);
  });

  it('adds klCoef·kl and subtracts entropyCoef·entropy, as verl does', () => {
    const input: TokenLossInput = {
      logProbs: [0, -1],
      oldLogProbs: [0, -1],
      refLogProbs: [Math.log(2), 19],
      advantages: [0, 0],
      mask: [1, 1],
      entropies: [2, 4],
    };
    const result = grpoTokenLoss(input, { clip: 0.2, klCoef: 0.5, entropyCoef: 0.1 });
    const kl = (1 - Math.log(2) + 10) / 2;
    expect(result.kl).toBeCloseTo(kl, 14);
    expect(result.entropy).toBe(3);
    expect(result.loss).toBeCloseTo(0 - 0.1 * 3 + 0.5 * kl, 14);
    // token 0: d k3/dlogp = 1 − exp(ref − logp) = −1; token 1 is clamped, so no gradient
    expect(result.gradLogProbs[0]).toBeCloseTo((0.5 * -1) / 2, 14);
    expect(result.gradLogProbs[1]).toBe(0);
    expect(Array.from(result.gradEntropies ?? [])).toEqual([-0.05, -0.05]);
  });

  it('leaves the KL and entropy out when their inputs are missing', () => {
    const result = grpoTokenLoss({ logProbs: [0], oldLogProbs: [0], advantages: [1], mask: [1] });
    expect(result.kl).toBeNull();
    expect(result.entropy).toBeNull();
    expect(result.gradEntropies).toBeNull();
  });
});

function randomInput(random: SeededRandom, length: number): TokenLossInput {
  const oldLogProbs = Array.from({ length }, () => random.uniform(-6, -0.1));
  // Ratios spread over [0.5, 1.6] but kept away from the clip edges 0.8 and 1.2, where the loss has kinks.
  const logRatios = Array.from({ length }, () => {
    const ratio = random.pick([
      random.uniform(0.5, 0.78),
      random.uniform(0.82, 1.18),
      random.uniform(1.22, 1.6),
    ]);
    return Math.log(ratio);
  });
  return {
    logProbs: oldLogProbs.map((old, t) => old + (logRatios[t] ?? 0)),
    oldLogProbs,
    refLogProbs: oldLogProbs.map((old) => old + random.uniform(-2, 2)),
    advantages: Array.from({ length }, () => random.uniform(-2, 2)),
    mask: Array.from({ length }, () => (random.next() < 0.8 ? 1 : 0)),
    entropies: Array.from({ length }, () => random.uniform(0, 5)),
  };
}

function centralDifference(f: (x: number) => number, x: number, h: number): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

describe('gradients against central finite differences', () => {
  const random = new SeededRandom(11);
  const params = { clip: 0.2, klCoef: 0.3, entropyCoef: 0.05 };
  const h = 1e-6;

  it('d loss / d logp for every token', () => {
    for (let trial = 0; trial < 20; trial++) {
      const input = randomInput(random, 12);
      const { gradLogProbs } = grpoTokenLoss(input, params);
      for (let t = 0; t < 12; t++) {
        const lossAt = (value: number) => {
          const logProbs = Array.from(input.logProbs);
          logProbs[t] = value;
          return grpoTokenLoss({ ...input, logProbs }, params).loss;
        };
        const numeric = centralDifference(lossAt, input.logProbs[t] ?? 0, h);
        expect(Math.abs((gradLogProbs[t] ?? NaN) - numeric)).toBeLessThan(1e-7);
      }
    }
  });

  it('d loss / d entropy for every token', () => {
    const input = randomInput(random, 8);
    const { gradEntropies } = grpoTokenLoss(input, params);
    for (let t = 0; t < 8; t++) {
      const lossAt = (value: number) => {
        const entropies = Array.from(input.entropies ?? []);
        entropies[t] = value;
        return grpoTokenLoss({ ...input, entropies }, params).loss;
      };
      const numeric = centralDifference(lossAt, input.entropies?.[t] ?? 0, h);
      expect(Math.abs((gradEntropies?.[t] ?? NaN) - numeric)).toBeLessThan(1e-8);
    }
  });

  it('pushes up the log-probability of tokens with a positive advantage', () => {
    const { gradLogProbs } = grpoTokenLoss({ logProbs: [-1], oldLogProbs: [-1], advantages: [1], mask: [1] });
    expect(gradLogProbs[0]).toBeLessThan(0);
  });
});

describe('inputs and params', () => {
  it('reject arrays of different lengths and non-finite values, by name', () => {
    const base = { logProbs: [0, 0], oldLogProbs: [0, 0], advantages: [1, 1], mask: [1, 1] };
    expect(() => grpoTokenLoss({ ...base, mask: [1] })).toThrow(expect.objectContaining({ field: 'mask' }));
    expect(() => grpoTokenLoss({ ...base, oldLogProbs: [0, NaN] })).toThrow(
      expect.objectContaining({ field: 'oldLogProbs[1]' }),
    );
  });

  it('has the released defaults', () => {
    expect(DEFAULT_GRPO_PARAMS).toEqual({
      clip: 0.2,
      klCoef: 5e-3,
      entropyCoef: 1e-3,
      lr: 1e-6,
      weightDecay: 0.01,
      gradClip: 1.0,
      groupSize: 8,
      promptsPerStep: 16,
      temperature: 1.0,
      maxNewTokens: 1300,
    });
  });

  it.each([
    ['clip', { clip: 1.5 }],
    ['klCoef', { klCoef: -1 }],
    ['groupSize', { groupSize: 2.5 }],
    ['maxNewTokens', { maxNewTokens: 0 }],
    ['temperature', { temperature: 0 }],
    ['lr', { lr: NaN }],
  ])('name a bad %s', (param, partial) => {
    expect(() => resolveGrpoParams(partial)).toThrow(GrpoParamError);
    expect(() => resolveGrpoParams(partial)).toThrow(expect.objectContaining({ param }));
  });
});

// Tests of the reward: every public vector, the quirk vectors from the released code, params, γ, presets, properties.
import { describe, expect, it } from 'vitest';
import { RewardInputError, RewardParamError } from './errors';
import {
  DEFAULT_REWARD_PARAMS,
  lengthFactor,
  resolveRewardParams,
  scoreResponse,
  validateRewardParams,
} from './reward';
import { SeededRandom, readJsonFile } from './test-support';
import type { GroundTruth, RewardBreakdown, RewardParams } from './types';
import { parseRewardVectors } from './vectors';
import type { RewardVectorCase } from './vectors';

const publicVectors = parseRewardVectors(readJsonFile('tests/vectors/reward-public.json'));
const quirkVectors = parseRewardVectors(readJsonFile('src/rl/reward-quirks.vectors.json'));
const quirkNotes = (
  readJsonFile('src/rl/reward-quirks.vectors.json') as { cases: { note: string }[] }
).cases.map((c) => c.note);

function expectVectorMatches(vector: RewardVectorCase): void {
  const actual = scoreResponse(vector.response, vector.groundTruth, vector.context, vector.params);
  for (const [field, expected] of Object.entries(vector.expected)) {
    const value = actual[field as keyof RewardBreakdown];
    if (typeof expected === 'number' && typeof value === 'number') {
      expect(Math.abs(value - expected), `${field}: expected ${expected}, got ${value}`).toBeLessThanOrEqual(
        1e-9,
      );
    } else {
      expect(value, field).toBe(expected);
    }
  }
}

describe('public reward vectors (released code)', () => {
  it('has the 60 cases', () => expect(publicVectors.cases).toHaveLength(60));
  it.each(publicVectors.cases.map((vector, index) => [index, vector] as const))('case %i', (_, vector) =>
    expectVectorMatches(vector),
  );
});

describe('quirk vectors (released code run on hand-written edge cases)', () => {
  it.each(quirkVectors.cases.map((vector, index) => [quirkNotes[index] ?? String(index), vector] as const))(
    '%s',
    (_, vector) => expectVectorMatches(vector),
  );
});

const GT: GroundTruth = {
  bbox: [100, 100, 200, 200],
  points: [
    [120, 130],
    [180, 170],
  ],
};
const EXACT =
  '<think>the red cup</think><answer>{"bbox": [100, 100, 200, 200], "points_1": [120, 130], "points_2": [180, 170]}</answer>';

describe('accuracy terms', () => {
  it('scores an exact answer 5 with every term 1', () => {
    const result = scoreResponse(EXACT, GT, { difficulty: 4 });
    expect(result).toMatchObject({
      thinkFormat: 1,
      answerFormat: 1,
      boxIoU: 1,
      boxL1: 1,
      pointL1: 1,
      accuracy: 5,
    });
  });

  it('never throws on garbage responses', () => {
    const random = new SeededRandom(7);
    const alphabet = [
      '{',
      '}',
      '[',
      ']',
      '"',
      "'",
      ',',
      ':',
      '1',
      'NaN',
      '<think>',
      '</answer>',
      ' ',
      '\u3000',
      'bbox',
    ];
    for (let i = 0; i < 500; i++) {
      const response = Array.from({ length: random.int(0, 40) }, () => random.pick(alphabet)).join('');
      const result = scoreResponse(response, GT, {});
      expect(result.accuracy).toBeGreaterThanOrEqual(0);
      expect(result.accuracy).toBeLessThanOrEqual(5);
    }
  });

  it('gives 0 to terms whose ground truth the released `\\d+` pattern cannot read', () => {
    const negative: GroundTruth = { ...GT, bbox: [-1, 100, 200, 200] };
    const result = scoreResponse(EXACT.replace('[100, 100, 200, 200]', '[-1, 100, 200, 200]'), negative, {});
    expect(result).toMatchObject({ answerFormat: 1, boxIoU: 0, boxL1: 0, pointL1: 1 });
  });

  it('rejects a ground truth of the wrong shape with a typed error', () => {
    const broken = { bbox: [1, 2, 3], points: GT.points } as unknown as GroundTruth;
    expect(() => scoreResponse(EXACT, broken, {})).toThrow(RewardInputError);
  });
});

describe('context', () => {
  const padded = EXACT + ' word'.repeat(150); // 163 words

  it('counts a missing or null difficulty as 3.0 (easy branch)', () => {
    for (const difficulty of [undefined, null]) {
      const result = scoreResponse(padded, GT, { difficulty });
      expect(result).toMatchObject({ effectiveDifficulty: 3, level: 'easy', budget: 96, lengthUsed: 163 });
      expect(result.lengthFactor).toBeCloseTo(1 - (163 - 96) / 500, 12);
    }
  });

  it('names a non-finite difficulty or uncertainty', () => {
    expect(() => scoreResponse(EXACT, GT, { difficulty: NaN })).toThrow(
      expect.objectContaining({ field: 'difficulty' }),
    );
    expect(() => scoreResponse(EXACT, GT, { uncertainty: Infinity })).toThrow(
      expect.objectContaining({ field: 'uncertainty' }),
    );
  });

  it('uses the given token count in reasoning-tokens mode and requires it', () => {
    const params = { lengthMode: 'reasoning-tokens' } as const;
    expect(scoreResponse(EXACT, GT, { difficulty: 9, reasoningTokens: 300 }, params).lengthUsed).toBe(300);
    expect(() => scoreResponse(EXACT, GT, { difficulty: 9 }, params)).toThrow(
      expect.objectContaining({ name: 'RewardInputError', field: 'reasoningTokens' }),
    );
  });
});

describe('params', () => {
  it('has the released defaults', () => {
    expect(DEFAULT_REWARD_PARAMS).toEqual({
      tau1: 5,
      tau2: 3.5,
      gamma: 1,
      lowBudget: 96,
      baseBudget: 256,
      alpha: 25,
      beta: 0.002,
      iouThreshold: 0.5,
      boxL1Threshold: 10,
      pointThreshold: 100,
      lengthMode: 'words',
      preset: 'pixelthink',
    });
  });

  const invalid: [string, Partial<Record<string, unknown>>][] = [
    ['tau1', { tau1: 3, tau2: 3.5 }],
    ['tau2', { tau2: -1 }],
    ['lowBudget', { lowBudget: -5 }],
    ['baseBudget', { baseBudget: NaN }],
    ['alpha', { alpha: Infinity }],
    ['beta', { beta: -0.002 }],
    ['gamma', { gamma: 1.5 }],
    ['gamma', { gamma: -0.1 }],
    ['iouThreshold', { iouThreshold: '0.5' }],
    ['boxL1Threshold', { boxL1Threshold: -10 }],
    ['pointThreshold', { pointThreshold: NaN }],
    ['lengthMode', { lengthMode: 'chars' }],
    ['preset', { preset: 'grpo' }],
    ['tau', { tau: 5 }],
  ];

  it.each(invalid)('rejects a bad %s with a RewardParamError naming it', (param, partial) => {
    let thrown: unknown;
    try {
      resolveRewardParams(partial as Partial<RewardParams>);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RewardParamError);
    expect((thrown as RewardParamError).param).toBe(param);
    expect((thrown as RewardParamError).message).toContain(param);
  });

  it('accepts tau1 = tau2 and gamma at both ends', () => {
    expect(() => validateRewardParams({ ...DEFAULT_REWARD_PARAMS, tau1: 4, tau2: 4 })).not.toThrow();
    expect(resolveRewardParams({ gamma: 0 }).gamma).toBe(0);
    expect(resolveRewardParams({ gamma: undefined }).gamma).toBe(1);
  });

  it('validates params passed to scoreResponse', () => {
    expect(() => scoreResponse(EXACT, GT, {}, { beta: -1 })).toThrow(RewardParamError);
  });
});

describe('gamma: effective difficulty', () => {
  it('with γ = 0 only the uncertainty picks the branch (d_eff = 1 + 9u)', () => {
    const sure = scoreResponse(EXACT, GT, { difficulty: 9, uncertainty: 0 }, { gamma: 0 });
    const unsure = scoreResponse(EXACT, GT, { difficulty: 1, uncertainty: 1 }, { gamma: 0 });
    expect(sure).toMatchObject({ effectiveDifficulty: 1, level: 'easy', budget: 96 });
    expect(unsure).toMatchObject({ effectiveDifficulty: 10, level: 'hard', budget: 281 });
  });

  it('with the paper value 0.7 blends the two', () => {
    const result = scoreResponse(EXACT, GT, { difficulty: 4, uncertainty: 0.5 }, { gamma: 0.7 });
    expect(result.effectiveDifficulty).toBeCloseTo(0.7 * 4 + 0.3 * 5.5, 12);
    expect(result.level).toBe('medium');
  });
});

/** The released length logic written out independently, as the oracle for the properties below. */
function releasedReward(accuracy: number, words: number, d: number, u: number, p: RewardParams): number {
  const budget = d >= p.tau1 ? p.baseBudget + p.alpha * u : d >= p.tau2 ? null : p.lowBudget;
  if (budget === null) return accuracy * 1.0;
  const delta = words - budget;
  const scoreDelta = delta > 0 ? -p.beta * delta : p.beta * Math.abs(delta);
  return accuracy * Math.max(0.0, Math.min(1.0, 1 + scoreDelta));
}

function randomParams(random: SeededRandom): RewardParams {
  const tau2 = random.uniform(0, 6);
  return resolveRewardParams({
    tau2,
    tau1: random.uniform(tau2, 9),
    lowBudget: random.int(0, 200),
    baseBudget: random.int(0, 400),
    alpha: random.uniform(0, 60),
    beta: random.uniform(0, 0.01),
  });
}

describe('properties', () => {
  const random = new SeededRandom(20260525);
  const responses = publicVectors.cases.map((c) => c.response);

  it('the length factor stays in [0, 1] and never rises with length', () => {
    for (let trial = 0; trial < 60; trial++) {
      const budget = random.pick([null, random.uniform(0, 500)]);
      const beta = random.uniform(0, 0.05);
      let previous = Infinity;
      for (let length = 0; length <= 1500; length += random.int(1, 40)) {
        const factor = lengthFactor(length, budget, beta);
        expect(factor).toBeGreaterThanOrEqual(0);
        expect(factor).toBeLessThanOrEqual(1);
        expect(factor).toBeLessThanOrEqual(previous);
        previous = factor;
      }
    }
  });

  it('padding a response with words never raises its reward', () => {
    for (let trial = 0; trial < 100; trial++) {
      const params = randomParams(random);
      const context = { difficulty: random.uniform(1, 10), uncertainty: random.next() };
      const response = random.pick(responses);
      let previous = Infinity;
      for (let pad = 0; pad < 600; pad += random.int(1, 120)) {
        // Padding inside <think> keeps the format terms unchanged.
        const padded = response.replace('</think>', `${' more'.repeat(pad)}</think>`);
        const { reward, lengthFactor: factor } = scoreResponse(padded, GT, context, params);
        expect(factor).toBeGreaterThanOrEqual(0);
        expect(factor).toBeLessThanOrEqual(1);
        expect(reward).toBeLessThanOrEqual(previous);
        previous = reward;
      }
    }
  });

  it('γ = 1 gives the released reward exactly', () => {
    for (let trial = 0; trial < 300; trial++) {
      const params = { ...randomParams(random), gamma: 1 };
      const d = random.pick([random.uniform(1, 10), params.tau1, params.tau2]);
      const u = random.next();
      const result = scoreResponse(random.pick(responses), GT, { difficulty: d, uncertainty: u }, params);
      expect(result.reward).toBe(releasedReward(result.accuracy, result.lengthUsed, d, u, params));
      expect(result.effectiveDifficulty).toBe(d);
    }
  });

  it('the Seg-Zero preset ignores length: reward = accuracy', () => {
    for (let trial = 0; trial < 100; trial++) {
      const response = random.pick(responses) + ' pad'.repeat(random.int(0, 2000));
      const context = { difficulty: random.uniform(1, 10), uncertainty: random.next() };
      const result = scoreResponse(response, GT, context, { preset: 'seg-zero', lowBudget: 0 });
      expect(result.budget).toBeNull();
      expect(result.lengthFactor).toBe(1);
      expect(result.reward).toBe(result.accuracy);
    }
  });
});

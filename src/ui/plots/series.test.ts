// Unit tests of the plots' numbers: result points follow τ and γ, budget bands and curves follow the reward's own functions.
import { describe, expect, it } from 'vitest';
import { validateResult, type ResultRecord } from '../../data/results';
import { countWords, DEFAULT_REWARD_PARAMS, effectiveDifficulty, type RewardParams } from '../../rl';
import { budgetBands, budgetSeries, factorCurves, factorRange, lengthPoints, sameUnit } from './series';

const params = (over: Partial<RewardParams> = {}): RewardParams => ({ ...DEFAULT_REWARD_PARAMS, ...over });

function record(id: number, difficulty: number | null, iou: number | null, uncertainty = 0.5): ResultRecord {
  const response = '<think>a b c</think><answer>{}</answer>';
  const checked = validateResult({
    id,
    imageId: 'img',
    sampleId: null,
    query: `query ${id}`,
    modelId: 'm',
    response,
    words: countWords(response),
    tokens: 40 + id,
    uncertainty,
    difficulty,
    iou,
    timingsMs: {},
    createdAt: id,
  });
  if (!checked.ok) throw new Error(checked.errors.join('; '));
  return checked.record;
}

describe('lengthPoints', () => {
  const records = [record(1, 2, 0.9), record(2, 4, 0.2), record(3, 6, null), record(4, null, 0.6)];

  it('levels each result by the current τ1/τ2 and marks it correct, wrong or unknown', () => {
    const points = lengthPoints(records, params(), 'words');
    expect(points.map((p) => p.level)).toEqual(['easy', 'medium', 'hard', 'easy']);
    expect(points.map((p) => p.correct)).toEqual([true, false, null, true]);
    expect(points.map((p) => p.y)).toEqual([3, 3, 3, 3]);
    expect(
      lengthPoints(records, params({ tau1: 3.9, tau2: 1 }), 'tokens').map((p) => [p.level, p.y]),
    ).toEqual([
      ['medium', 41],
      ['hard', 42],
      ['hard', 43],
      ['medium', 44],
    ]);
  });

  it('places results at the effective difficulty when γ < 1, and says so in the tooltip', () => {
    const [point] = lengthPoints([record(5, 8, 0.7, 0.1)], params({ gamma: 0.5 }), 'words');
    expect(point!.x).toBe(effectiveDifficulty(8, 0.1, 0.5));
    expect(point!.level).toBe('medium');
    expect(point!.title).toBe(
      '#5 “query 5”\ndifficulty 8.00 · effective 4.95 · medium\n3 words · 45 tokens\nIoU 0.70 · u 0.10',
    );
  });
});

describe('budget bands and curves', () => {
  it('shades 0..L_low where easy and L_base..L_base+α where hard, and nothing under Seg-Zero', () => {
    expect(budgetBands(params())).toEqual([
      { level: 'easy', x1: 0, x2: 3.5, y1: 0, y2: 96 },
      { level: 'hard', x1: 5, x2: 10, y1: 256, y2: 281 },
    ]);
    expect(budgetBands(params({ preset: 'seg-zero' }))).toEqual([]);
    expect(budgetBands(params({ tau1: 10, tau2: 0 }))).toEqual([]);
  });

  it('samples the budget along difficulty: none when medium, α wider at u = 1 when hard', () => {
    const series = budgetSeries(params({ tau1: 6, tau2: 2, alpha: 40 }), 11);
    expect(series.map((s) => s.atZero)).toEqual([96, 96, null, null, null, null, 256, 256, 256, 256, 256]);
    expect(series.map((s) => s.atOne)).toEqual([96, 96, null, null, null, null, 296, 296, 296, 296, 296]);
  });

  it('draws the factor falling by β per unit over each budget, flat for medium', () => {
    const curves = factorCurves(params(), 596, 597);
    const at = (label: string, length: number) =>
      curves.find((c) => c.label === label)!.points.find((p) => p.length === length)!.factor;
    expect(at('easy', 96)).toBe(1);
    expect(at('easy', 346)).toBeCloseTo(0.5, 12);
    expect(at('easy', 596)).toBe(0);
    expect(at('hard, u = 0', 356)).toBeCloseTo(0.8, 12);
    expect(at('hard, u = 1', 356)).toBeCloseTo(0.85, 12);
    expect(curves.find((c) => c.label === 'medium')!.points.every((p) => p.factor === 1)).toBe(true);
    expect(factorRange(params())).toBe(Math.ceil(281 + 550));
    expect(factorRange(params(), 2000)).toBe(2200);
  });

  it('draws budgets only against the length the reward counts', () => {
    expect(sameUnit('words', params())).toBe(true);
    expect(sameUnit('tokens', params())).toBe(false);
    expect(sameUnit('tokens', params({ lengthMode: 'reasoning-tokens' }))).toBe(true);
  });
});

// The numbers behind the plots, from src/rl through src/data/results: result points, budget and factor curves, budget bands.
import { budgetFor, isCorrect, lengthTerms, type ResultRecord } from '../../data/results';
import { difficultyLevel, lengthFactor, type DifficultyLevel, type RewardParams } from '../../rl';

/** The difficulty axis of every plot: the method's 1..10 scale, from 0 so that τ = 0 stays visible. */
export const DIFFICULTY_DOMAIN: [number, number] = [0, 10];

export type LengthUnit = 'words' | 'tokens';

export interface LengthPoint {
  id: number;
  query: string;
  /** Difficulty that picks the branch: the effective one when γ < 1 (method.md §3). */
  x: number;
  y: number;
  level: DifficultyLevel;
  correct: boolean | null;
  title: string;
}

/** Whether the reward counts the length the plot shows, so that its budgets can be drawn against it. */
export function sameUnit(unit: LengthUnit, params: RewardParams): boolean {
  return (unit === 'words') === (params.lengthMode === 'words');
}

function describe(record: ResultRecord, x: number, level: DifficultyLevel, params: RewardParams): string {
  const difficulty =
    record.difficulty === null
      ? 'no difficulty (counts as 3.0)'
      : `difficulty ${record.difficulty.toFixed(2)}`;
  const source = record.difficultySource ? ` (${record.difficultySource})` : '';
  const effective = params.gamma < 1 ? ` · effective ${x.toFixed(2)}` : '';
  const iou = record.iou === null ? 'IoU unknown' : `IoU ${record.iou.toFixed(2)}`;
  const uncertainty = record.uncertainty === null ? '' : ` · u ${record.uncertainty.toFixed(2)}`;
  return [
    `#${record.id} “${record.query}”`,
    `${difficulty}${source}${effective} · ${level}`,
    `${record.words} words · ${record.tokens} tokens`,
    `${iou}${uncertainty}`,
  ].join('\n');
}

export function lengthPoints(records: ResultRecord[], params: RewardParams, unit: LengthUnit): LengthPoint[] {
  return records.map((record) => {
    const { effectiveDifficulty, level } = lengthTerms(record, params);
    return {
      id: record.id,
      query: record.query,
      x: effectiveDifficulty,
      y: unit === 'words' ? record.words : record.tokens,
      level,
      correct: isCorrect(record),
      title: describe(record, effectiveDifficulty, level, params),
    };
  });
}

export interface BudgetBand {
  level: DifficultyLevel;
  x1: number;
  x2: number;
  y1: number;
  y2: number;
}

/** Where the budgets hold: 0..L_low over the easy range, L_base..L_base+α (u = 0..1) over the hard range. */
export function budgetBands(params: RewardParams): BudgetBand[] {
  const [lo, hi] = DIFFICULTY_DOMAIN;
  const bands: BudgetBand[] = [];
  const easy = budgetFor('easy', 0, params);
  if (easy !== null && params.tau2 > lo)
    bands.push({ level: 'easy', x1: lo, x2: params.tau2, y1: 0, y2: easy });
  const hard = [budgetFor('hard', 0, params), budgetFor('hard', 1, params)];
  if (hard[0] != null && hard[1] != null && params.tau1 < hi)
    bands.push({ level: 'hard', x1: params.tau1, x2: hi, y1: hard[0], y2: hard[1] });
  return bands;
}

export interface BudgetSample {
  x: number;
  level: DifficultyLevel;
  /** Budget at uncertainty 0 and 1 (they differ only when hard); null where there is none. */
  atZero: number | null;
  atOne: number | null;
}

/** The budget along the difficulty axis, sampled through difficultyLevel and lengthBudget. */
export function budgetSeries(params: RewardParams, samples = 501): BudgetSample[] {
  const [lo, hi] = DIFFICULTY_DOMAIN;
  return Array.from({ length: samples }, (_, i) => {
    const x = lo + ((hi - lo) * i) / (samples - 1);
    const level = difficultyLevel(x, params);
    return { x, level, atZero: budgetFor(level, 0, params), atOne: budgetFor(level, 1, params) };
  });
}

export interface FactorCurve {
  label: string;
  level: DifficultyLevel;
  budget: number | null;
  points: { length: number; factor: number }[];
}

/** The longest length worth showing: past the largest budget by the length at which β takes the factor to 0. */
export function factorRange(params: RewardParams, atLeast = 0): number {
  const largest = Math.max(params.lowBudget, params.baseBudget + params.alpha);
  const toZero = params.beta > 0 ? Math.min(1 / params.beta, 2000) : 200;
  return Math.ceil(Math.max(largest + toZero * 1.1, atLeast * 1.1, 10));
}

/** Length factor against length for the easy budget, the hard budget at u = 0 and u = 1, and medium. */
export function factorCurves(params: RewardParams, maxLength: number, samples = 301): FactorCurve[] {
  const specs: { label: string; level: DifficultyLevel; uncertainty: number }[] = [
    { label: 'easy', level: 'easy', uncertainty: 0 },
    { label: 'medium', level: 'medium', uncertainty: 0 },
    { label: 'hard, u = 0', level: 'hard', uncertainty: 0 },
    { label: 'hard, u = 1', level: 'hard', uncertainty: 1 },
  ];
  return specs.map(({ label, level, uncertainty }) => {
    const budget = budgetFor(level, uncertainty, params);
    const points = Array.from({ length: samples }, (_, i) => {
      const length = (maxLength * i) / (samples - 1);
      return { length, factor: lengthFactor(length, budget, params.beta) };
    });
    return { label, level, budget, points };
  });
}

// The PixelThink reward (method.md §2–3): the released accuracy terms with their quirks, times the soft length factor.
import { RewardInputError, RewardParamError } from './errors';
import { checkThinkFormat, hasAnswerShape, readAnswerJson } from './prompt';
import type { PyJsonObject, PyJsonValue } from './pyjson';
import { pyCodePoints, pyInt, pyMax, pyMin, pyNumber, pySplitCount, pyTrueDivide } from './python';
import type {
  Box,
  DifficultyLevel,
  GroundTruth,
  LengthMode,
  Point,
  RewardBreakdown,
  RewardContext,
  RewardParams,
  RewardPreset,
} from './types';

export const DEFAULT_REWARD_PARAMS: Readonly<RewardParams> = Object.freeze({
  tau1: 5.0,
  tau2: 3.5,
  gamma: 1.0,
  lowBudget: 96,
  baseBudget: 256,
  alpha: 25,
  beta: 1 / 500,
  iouThreshold: 0.5,
  boxL1Threshold: 10,
  pointThreshold: 100,
  lengthMode: 'words',
  preset: 'pixelthink',
});

/** The difficulty a sample without a score gets, as in the released reward manager. */
export const DEFAULT_DIFFICULTY = 3.0;

/** The paper's γ, shown in the UI beside the default; the released code never uses γ. */
export const PAPER_GAMMA = 0.7;

const NUMERIC_PARAMS = [
  'tau1',
  'tau2',
  'gamma',
  'lowBudget',
  'baseBudget',
  'alpha',
  'beta',
  'iouThreshold',
  'boxL1Threshold',
  'pointThreshold',
] as const;
const LENGTH_MODES: readonly LengthMode[] = ['words', 'reasoning-tokens'];
const PRESETS: readonly RewardPreset[] = ['pixelthink', 'seg-zero'];
const KNOWN_PARAMS: readonly string[] = Object.keys(DEFAULT_REWARD_PARAMS);

function checkNumericParam(name: (typeof NUMERIC_PARAMS)[number], value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RewardParamError(name, `must be a finite number, got ${String(value)}`);
  }
  if (value < 0) throw new RewardParamError(name, `must be non-negative, got ${value}`);
}

function checkChoice<T extends string>(name: string, value: unknown, choices: readonly T[]): void {
  if (!choices.some((choice) => choice === value)) {
    throw new RewardParamError(name, `must be one of ${choices.join(', ')}, got ${String(value)}`);
  }
}

/** Throws a RewardParamError naming the first parameter that is unknown or out of its domain. */
export function validateRewardParams(params: RewardParams): void {
  const unknown = Object.keys(params).find((key) => !KNOWN_PARAMS.includes(key));
  if (unknown !== undefined) throw new RewardParamError(unknown, 'unknown reward parameter');
  for (const name of NUMERIC_PARAMS) checkNumericParam(name, params[name]);
  if (params.gamma > 1) throw new RewardParamError('gamma', `must be within [0, 1], got ${params.gamma}`);
  if (params.tau1 < params.tau2) {
    throw new RewardParamError('tau1', `must be >= tau2 (${params.tau2}), got ${params.tau1}`);
  }
  checkChoice('lengthMode', params.lengthMode, LENGTH_MODES);
  checkChoice('preset', params.preset, PRESETS);
}

/** Defaults overlaid with the given values (undefined means "not given"), validated. */
export function resolveRewardParams(partial: Partial<RewardParams> = {}): RewardParams {
  const given = Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined));
  const params: RewardParams = { ...DEFAULT_REWARD_PARAMS, ...given };
  validateRewardParams(params);
  return params;
}

// ---------------------------------------------------------------------------------------------------------
// Accuracy terms. Each mirrors one released function; wherever Python would raise, the term is 0.

export interface AccuracyTerms {
  thinkFormat: number;
  answerFormat: number;
  boxIoU: number;
  boxL1: number;
  pointL1: number;
}

/** The released code reads the ground truth with `\d+` patterns: anything else makes its terms 0. */
function readableByReleasedPattern(values: readonly number[]): boolean {
  return values.every((v) => Number.isSafeInteger(v) && v >= 0);
}

/** data['bbox'] as the box terms use it: a list of exactly 4 values Python can do arithmetic on. */
function numericBox(object: PyJsonObject): Box | null {
  const value = object.get('bbox');
  if (!Array.isArray(value) || value.length !== 4) return null;
  const numbers = value.map(pyNumber);
  const [x1, y1, x2, y2] = numbers;
  if (x1 == null || y1 == null || x2 == null || y2 == null) return null;
  return [x1, y1, x2, y2];
}

/**
 * [int(p[0]), int(p[1])]: p may be any list of 2 or more items, or even a string, which Python indexes by
 * character ("57" is the point [5, 7]).
 */
function truncatedPoint(value: PyJsonValue | undefined): Point | null {
  const items = typeof value === 'string' ? pyCodePoints(value) : Array.isArray(value) ? value : null;
  if (items === null || items.length < 2) return null;
  const x = pyInt(items[0]);
  const y = pyInt(items[1]);
  return x === null || y === null ? null : [x, y];
}

/** IoU with inclusive pixel areas (+1 on each side); null where Python raises ZeroDivisionError. */
export function inclusiveBoxIoU(predicted: Box, truth: Box): number | null {
  const ix1 = pyMax(predicted[0], truth[0]);
  const iy1 = pyMax(predicted[1], truth[1]);
  const ix2 = pyMin(predicted[2], truth[2]);
  const iy2 = pyMin(predicted[3], truth[3]);
  const intersection = ix1 < ix2 && iy1 < iy2 ? (ix2 - ix1 + 1) * (iy2 - iy1 + 1) : 0;
  const predictedArea = (predicted[2] - predicted[0] + 1) * (predicted[3] - predicted[1] + 1);
  const truthArea = (truth[2] - truth[0] + 1) * (truth[3] - truth[1] + 1);
  return pyTrueDivide(intersection, predictedArea + truthArea - intersection);
}

/** Mean of the four absolute corner differences. */
export function boxL1Distance(predicted: Box, truth: Box): number {
  const sum =
    Math.abs(predicted[0] - truth[0]) +
    Math.abs(predicted[1] - truth[1]) +
    Math.abs(predicted[2] - truth[2]) +
    Math.abs(predicted[3] - truth[3]);
  return sum / 4;
}

function euclidean(a: Point, b: Point): number {
  const dx = a[0] - b[0];
  const dy = a[1] - b[1];
  return Math.sqrt(dx * dx + dy * dy);
}

/** Half the summed Euclidean distance under the better of the two pairings ("L1" upstream, but it is not). */
export function pairedPointDistance(
  predicted: readonly [Point, Point],
  truth: readonly [Point, Point],
): number {
  const straight = euclidean(predicted[0], truth[0]) + euclidean(predicted[1], truth[1]);
  const crossed = euclidean(predicted[0], truth[1]) + euclidean(predicted[1], truth[0]);
  return pyMin(straight, crossed) / 2;
}

function insideBox(point: Point, box: Box): boolean {
  return box[0] <= point[0] && point[0] <= box[2] && box[1] <= point[1] && point[1] <= box[3];
}

function boxIoUTerm(object: PyJsonObject | null, truth: GroundTruth, params: RewardParams): number {
  const box = object && numericBox(object);
  if (!box || !readableByReleasedPattern(truth.bbox)) return 0;
  const iou = inclusiveBoxIoU(box, truth.bbox);
  return iou !== null && iou > params.iouThreshold ? 1 : 0;
}

function boxL1Term(object: PyJsonObject | null, truth: GroundTruth, params: RewardParams): number {
  const box = object && numericBox(object);
  if (!box || !readableByReleasedPattern(truth.bbox)) return 0;
  return boxL1Distance(box, truth.bbox) < params.boxL1Threshold ? 1 : 0;
}

/** Both truncated points inside the PREDICTED box (inclusive), and close enough to the ground-truth points. */
function pointTerm(object: PyJsonObject | null, truth: GroundTruth, params: RewardParams): number {
  const box = object && numericBox(object);
  const point1 = object && truncatedPoint(object.get('points_1'));
  const point2 = object && truncatedPoint(object.get('points_2'));
  if (!box || !point1 || !point2 || !readableByReleasedPattern(truth.points.flat())) return 0;
  if (!insideBox(point1, box) || !insideBox(point2, box)) return 0;
  return pairedPointDistance([point1, point2], truth.points) < params.pointThreshold ? 1 : 0;
}

/** The five binary terms. The answer JSON is decoded once; the released code decodes it per term, identically. */
export function accuracyTerms(response: string, truth: GroundTruth, params: RewardParams): AccuracyTerms {
  const json = readAnswerJson(response);
  const object = json.kind === 'object' ? json.object : null;
  return {
    thinkFormat: checkThinkFormat(response) ? 1 : 0,
    answerFormat: object !== null && hasAnswerShape(object) ? 1 : 0,
    boxIoU: boxIoUTerm(object, truth, params),
    boxL1: boxL1Term(object, truth, params),
    pointL1: pointTerm(object, truth, params),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Soft length factor.

/** γ·d + (1−γ)·(1 + 9u): u mapped onto the 1..10 difficulty scale. γ = 1 returns d untouched. */
export function effectiveDifficulty(difficulty: number, uncertainty: number, gamma: number): number {
  if (gamma === 1) return difficulty;
  return gamma * difficulty + (1 - gamma) * (1 + 9 * uncertainty);
}

export function difficultyLevel(
  difficulty: number,
  params: Pick<RewardParams, 'tau1' | 'tau2'>,
): DifficultyLevel {
  if (difficulty >= params.tau1) return 'hard';
  if (difficulty >= params.tau2) return 'medium';
  return 'easy';
}

/** Hard: L_base + α·u; medium: no budget; easy: L_low. */
export function lengthBudget(
  level: DifficultyLevel,
  uncertainty: number,
  params: RewardParams,
): number | null {
  if (level === 'hard') return params.baseBudget + params.alpha * uncertainty;
  if (level === 'medium') return null;
  return params.lowBudget;
}

/** clip(1 − β·max(0, L − B), 0, 1); no budget means no penalty. */
export function lengthFactor(lengthUsed: number, budget: number | null, beta: number): number {
  if (budget === null) return 1;
  const over = lengthUsed - budget;
  if (!(over > 0)) return 1;
  return Math.max(0, Math.min(1, 1 - beta * over));
}

// ---------------------------------------------------------------------------------------------------------
// Scoring.

function isNumberTuple(value: unknown, length: number): boolean {
  return Array.isArray(value) && value.length === length && value.every((v) => typeof v === 'number');
}

function checkGroundTruth(truth: GroundTruth): void {
  if (!isNumberTuple(truth.bbox, 4)) throw new RewardInputError('groundTruth.bbox', 'must be 4 numbers');
  const points: unknown = truth.points;
  if (!Array.isArray(points) || points.length !== 2 || !points.every((p) => isNumberTuple(p, 2))) {
    throw new RewardInputError('groundTruth.points', 'must be two [x, y] pairs of numbers');
  }
}

function finiteOr(value: number | null | undefined, fallback: number, field: string): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RewardInputError(field, `must be a finite number, got ${String(value)}`);
  }
  return value;
}

/** L: whitespace words of the whole response (Python split()), or the caller's count of reasoning tokens. */
function measureLength(response: string, context: RewardContext, mode: LengthMode): number {
  if (mode === 'words') return pySplitCount(response);
  const tokens = context.reasoningTokens;
  if (typeof tokens !== 'number' || !Number.isSafeInteger(tokens) || tokens < 0) {
    throw new RewardInputError(
      'reasoningTokens',
      "a non-negative integer is required in 'reasoning-tokens' mode",
    );
  }
  return tokens;
}

/**
 * Score one response against its ground truth (model frame). Never throws because of the response's content;
 * throws RewardParamError / RewardInputError for invalid parameters or context.
 */
export function scoreResponse(
  response: string,
  groundTruth: GroundTruth,
  context: RewardContext = {},
  params: Partial<RewardParams> = {},
): RewardBreakdown {
  const resolved = resolveRewardParams(params);
  if (typeof response !== 'string') throw new RewardInputError('response', 'must be a string');
  checkGroundTruth(groundTruth);
  const difficulty = finiteOr(context.difficulty, DEFAULT_DIFFICULTY, 'difficulty');
  const uncertainty = finiteOr(context.uncertainty, 0, 'uncertainty');

  const terms = accuracyTerms(response, groundTruth, resolved);
  const accuracy = terms.thinkFormat + terms.answerFormat + terms.boxIoU + terms.pointL1 + terms.boxL1;
  const effective = effectiveDifficulty(difficulty, uncertainty, resolved.gamma);
  const level = difficultyLevel(effective, resolved);
  const lengthUsed = measureLength(response, context, resolved.lengthMode);
  const budget = resolved.preset === 'seg-zero' ? null : lengthBudget(level, uncertainty, resolved);
  const factor = lengthFactor(lengthUsed, budget, resolved.beta);
  return {
    ...terms,
    accuracy,
    lengthUsed,
    budget,
    lengthFactor: factor,
    reward: accuracy * factor,
    level,
    effectiveDifficulty: effective,
  };
}

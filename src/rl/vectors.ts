// Reward vectors files (format of tests/vectors/reward-public.json): validation, snake_case params, checking.
import { RlError, RewardParamError, VectorsFormatError } from './errors';
import { resolveRewardParams, scoreResponse } from './reward';
import type { GroundTruth, LengthMode, RewardBreakdown, RewardContext, RewardParams } from './types';

export type ExpectedValue = number | string | null;

export interface RewardVectorCase {
  response: string;
  groundTruth: GroundTruth;
  context: RewardContext;
  params: Partial<RewardParams>;
  /** A subset of the breakdown's fields; each one given must match. */
  expected: Partial<Record<keyof RewardBreakdown, ExpectedValue>>;
}

export interface RewardVectorFile {
  source: string | null;
  cases: RewardVectorCase[];
}

/** The released code's parameter names (PixelThinkRewardParams) and ours. */
export const SNAKE_CASE_REWARD_PARAMS: Readonly<Record<string, keyof RewardParams>> = {
  hard_difficulty_threshold: 'tau1',
  medium_difficulty_threshold: 'tau2',
  hard_token_budget: 'baseBudget',
  easy_token_budget: 'lowBudget',
  uncertainty_budget_scale: 'alpha',
  length_penalty_beta: 'beta',
  iou_threshold: 'iouThreshold',
  box_l1_threshold: 'boxL1Threshold',
  point_l1_threshold: 'pointThreshold',
  length_counting_mode: 'lengthMode',
};

/** The released length modes (verl/utils/reward_score/length.py) and ours. */
const SNAKE_CASE_LENGTH_MODES: Readonly<Record<string, LengthMode>> = {
  reward_word_tokens: 'words',
  reward_reasoning_tokens: 'reasoning-tokens',
};

const BREAKDOWN_FIELDS: readonly (keyof RewardBreakdown)[] = [
  'thinkFormat',
  'answerFormat',
  'boxIoU',
  'boxL1',
  'pointL1',
  'accuracy',
  'lengthUsed',
  'budget',
  'lengthFactor',
  'reward',
  'level',
  'effectiveDifficulty',
];

/** Floats must agree to this absolute difference. */
export const VECTOR_TOLERANCE = 1e-9;

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireRecord(value: unknown, path: string): JsonRecord {
  if (!isRecord(value)) throw new VectorsFormatError(path, 'must be an object');
  return value;
}

function requireNumbers(value: unknown, length: number, path: string): number[] {
  if (!Array.isArray(value) || value.length !== length || !value.every((v) => typeof v === 'number')) {
    throw new VectorsFormatError(path, `must be an array of ${length} numbers`);
  }
  return value;
}

function optionalNumber(value: unknown, path: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new VectorsFormatError(path, 'must be a number');
  return value;
}

function parseGroundTruth(value: unknown, path: string): GroundTruth {
  const record = requireRecord(value, path);
  const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = requireNumbers(record.bbox, 4, `${path}.bbox`);
  const points = record.points;
  if (!Array.isArray(points) || points.length !== 2)
    throw new VectorsFormatError(`${path}.points`, 'must hold 2 points');
  const [a = [], b = []] = points.map((p: unknown, i) => requireNumbers(p, 2, `${path}.points[${i}]`));
  return {
    bbox: [x1, y1, x2, y2],
    points: [
      [a[0] ?? 0, a[1] ?? 0],
      [b[0] ?? 0, b[1] ?? 0],
    ],
  };
}

function parseContext(record: JsonRecord, path: string): RewardContext {
  const difficulty = record.difficulty;
  if (difficulty !== undefined && difficulty !== null && typeof difficulty !== 'number') {
    throw new VectorsFormatError(`${path}.difficulty`, 'must be a number or null');
  }
  const context: RewardContext = { difficulty: difficulty ?? null };
  const uncertainty = optionalNumber(record.uncertainty, `${path}.uncertainty`);
  if (uncertainty !== undefined) context.uncertainty = uncertainty;
  const reasoningTokens = optionalNumber(
    record.reasoningTokens ?? record.reasoning_token_count,
    `${path}.reasoningTokens`,
  );
  if (reasoningTokens !== undefined) context.reasoningTokens = reasoningTokens;
  return context;
}

function mapParamValue(name: string, value: unknown): unknown {
  if (name === 'lengthMode' && typeof value === 'string') return SNAKE_CASE_LENGTH_MODES[value] ?? value;
  return value;
}

/**
 * A vectors file's params object (released snake_case names, or this project's names) as reward params.
 * Throws VectorsFormatError naming the offending key, also when a value is out of its domain.
 */
export function rewardParamsFromVector(value: unknown, path = 'params'): Partial<RewardParams> {
  if (value === undefined) return {};
  const record = requireRecord(value, path);
  const params: JsonRecord = {};
  for (const [key, raw] of Object.entries(record)) {
    const name = SNAKE_CASE_REWARD_PARAMS[key] ?? key;
    params[name] = mapParamValue(name, raw);
  }
  // resolveRewardParams checks every value, which is what makes the casts below sound.
  try {
    resolveRewardParams(params as Partial<RewardParams>);
  } catch (error) {
    if (!(error instanceof RewardParamError)) throw error;
    const key =
      Object.keys(record).find((k) => (SNAKE_CASE_REWARD_PARAMS[k] ?? k) === error.param) ?? error.param;
    throw new VectorsFormatError(`${path}.${key}`, error.message);
  }
  return params as Partial<RewardParams>;
}

function parseExpected(value: unknown, path: string): RewardVectorCase['expected'] {
  const record = requireRecord(value, path);
  const expected: RewardVectorCase['expected'] = {};
  for (const [key, raw] of Object.entries(record)) {
    const field = BREAKDOWN_FIELDS.find((f) => f === key);
    if (field === undefined)
      throw new VectorsFormatError(`${path}.${key}`, 'is not a field of the reward breakdown');
    if (raw !== null && typeof raw !== 'number' && typeof raw !== 'string') {
      throw new VectorsFormatError(`${path}.${key}`, 'must be a number, a string or null');
    }
    expected[field] = raw;
  }
  if (Object.keys(expected).length === 0) throw new VectorsFormatError(path, 'must name at least one field');
  return expected;
}

function parseCase(value: unknown, path: string): RewardVectorCase {
  const record = requireRecord(value, path);
  if (typeof record.response !== 'string')
    throw new VectorsFormatError(`${path}.response`, 'must be a string');
  return {
    response: record.response,
    groundTruth: parseGroundTruth(record.groundTruth, `${path}.groundTruth`),
    context: parseContext(record, path),
    params: rewardParamsFromVector(record.params, `${path}.params`),
    expected: parseExpected(record.expected, `${path}.expected`),
  };
}

/** Validate a decoded vectors file and return it typed; throws VectorsFormatError with the path of the problem. */
export function parseRewardVectors(data: unknown): RewardVectorFile {
  const root = requireRecord(data, '(root)');
  if (!Array.isArray(root.cases) || root.cases.length === 0) {
    throw new VectorsFormatError('cases', 'must be a non-empty array');
  }
  return {
    source: typeof root.source === 'string' ? root.source : null,
    cases: root.cases.map((c: unknown, i) => parseCase(c, `cases[${i}]`)),
  };
}

export interface FieldMismatch {
  caseIndex: number;
  /** A breakdown field, or 'error' when scoring threw. */
  field: string;
  expected: ExpectedValue;
  actual: ExpectedValue;
}

export interface VectorsReport {
  total: number;
  passed: number;
  failed: number;
  mismatches: FieldMismatch[];
}

function valuesMatch(expected: ExpectedValue, actual: ExpectedValue, tolerance: number): boolean {
  if (typeof expected === 'number' && typeof actual === 'number') {
    return expected === actual || Math.abs(expected - actual) <= tolerance;
  }
  return expected === actual;
}

/** Score one case and list the expected fields it gets wrong (none when it passes). */
export function checkRewardCase(
  vector: RewardVectorCase,
  caseIndex: number,
  tolerance = VECTOR_TOLERANCE,
): FieldMismatch[] {
  let actual: RewardBreakdown;
  try {
    actual = scoreResponse(vector.response, vector.groundTruth, vector.context, vector.params);
  } catch (error) {
    if (!(error instanceof RlError)) throw error;
    return [{ caseIndex, field: 'error', expected: null, actual: error.message }];
  }
  const mismatches: FieldMismatch[] = [];
  for (const field of BREAKDOWN_FIELDS) {
    const expected = vector.expected[field];
    if (expected === undefined) continue;
    if (!valuesMatch(expected, actual[field], tolerance)) {
      mismatches.push({ caseIndex, field, expected, actual: actual[field] });
    }
  }
  return mismatches;
}

export function checkRewardVectors(file: RewardVectorFile, tolerance = VECTOR_TOLERANCE): VectorsReport {
  const mismatches = file.cases.flatMap((vector, i) => checkRewardCase(vector, i, tolerance));
  const failedCases = new Set(mismatches.map((m) => m.caseIndex)).size;
  return {
    total: file.cases.length,
    passed: file.cases.length - failedCases,
    failed: failedCases,
    mismatches,
  };
}

export function formatMismatch(mismatch: FieldMismatch): string {
  const where = `case ${mismatch.caseIndex}: ${mismatch.field}`;
  if (mismatch.field === 'error') return `${where}: ${String(mismatch.actual)}`;
  const show = (value: ExpectedValue) => (typeof value === 'string' ? JSON.stringify(value) : String(value));
  return `${where}: expected ${show(mismatch.expected)}, got ${show(mismatch.actual)}`;
}

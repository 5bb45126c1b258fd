// Stored query results: validating a record, reading, deleting and clearing them, and rescoring them with src/rl.
import {
  countWords,
  DEFAULT_DIFFICULTY,
  describeIssue,
  difficultyLevel,
  effectiveDifficulty,
  issueSeverity,
  lengthBudget,
  lengthFactor,
  MODEL_FRAME,
  parseResponse,
  scoreResponse,
  type BoxPoints,
  type DifficultyLevel,
  type RewardBreakdown,
  type RewardParams,
} from '../rl';
import type { DifficultySource, PlaygroundDb, ResultGroundTruth, StoredResult, StoredSample } from './store';
import { toStorageError } from './store';

/** A validated stored result: it has its key, and the fields older records lack are filled with null. */
export type ResultRecord = Required<StoredResult>;

export type ResultValidation =
  { ok: true; record: ResultRecord } | { ok: false; id: number | null; errors: string[] };

const DIFFICULTY_SOURCES: readonly DifficultySource[] = ['shapeworld', 'user', 'estimated'];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isFiniteNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isNumberList = (value: unknown, length: number): boolean =>
  Array.isArray(value) && value.length === length && value.every(isFiniteNumber);
const inRange = (value: unknown, min: number, max: number): boolean =>
  isFiniteNumber(value) && value >= min && value <= max;

function rleErrors(mask: unknown): string[] {
  const size = isObject(mask) ? mask.size : undefined;
  const counts = isObject(mask) ? mask.counts : undefined;
  if (!Array.isArray(size) || size.length !== 2 || !size.every(isCount) || !Array.isArray(counts))
    return ['groundTruth.mask must be an RLE {size: [h, w], counts}'];
  const [height, width] = size as [number, number];
  const total = counts.every(isCount) ? counts.reduce((a: number, b: number) => a + b, 0) : NaN;
  return total === height * width ? [] : [`groundTruth.mask counts must add up to ${height}×${width}`];
}

function groundTruthErrors(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!isObject(value)) return ['groundTruth must be an object or null'];
  const errors: string[] = [];
  if (!isNumberList(value.bbox, 4)) errors.push('groundTruth.bbox must be 4 numbers');
  const points = value.points;
  if (!Array.isArray(points) || points.length !== 2 || !points.every((p) => isNumberList(p, 2)))
    errors.push('groundTruth.points must be two [x, y] pairs');
  if (value.mask !== undefined) errors.push(...rleErrors(value.mask));
  return errors;
}

function fieldErrors(value: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const check = (ok: boolean, message: string) => {
    if (!ok) errors.push(message);
  };
  const optional = (key: string, ok: (v: unknown) => boolean, message: string) =>
    check(value[key] === undefined || value[key] === null || ok(value[key]), message);
  check(Number.isSafeInteger(value.id), 'id must be an integer');
  check(typeof value.imageId === 'string' && value.imageId !== '', 'imageId must be a non-empty string');
  check(value.sampleId === null || typeof value.sampleId === 'string', 'sampleId must be a string or null');
  check(typeof value.query === 'string', 'query must be a string');
  check(typeof value.modelId === 'string', 'modelId must be a string');
  optional('segmenterId', (v) => typeof v === 'string', 'segmenterId must be a string or null');
  check(typeof value.response === 'string', 'response must be a string');
  check(isCount(value.words), 'words must be a non-negative integer');
  if (typeof value.response === 'string' && isCount(value.words)) {
    const counted = countWords(value.response);
    check(value.words === counted, `words is ${value.words}, but the response has ${counted}`);
  }
  check(isCount(value.tokens), 'tokens must be a non-negative integer');
  check(value.uncertainty === null || inRange(value.uncertainty, 0, 1), 'uncertainty must be 0..1 or null');
  optional('entropy', (v) => inRange(v, 0, Infinity), 'entropy must be a non-negative number or null');
  check(value.difficulty === null || inRange(value.difficulty, 0, 10), 'difficulty must be 0..10 or null');
  optional(
    'difficultySource',
    (v) => DIFFICULTY_SOURCES.some((s) => s === v),
    `difficultySource must be one of ${DIFFICULTY_SOURCES.join(', ')} or null`,
  );
  errors.push(...groundTruthErrors(value.groundTruth));
  optional('iou', (v) => inRange(v, 0, 1), 'iou must be 0..1 or null');
  check(
    isObject(value.timingsMs) && Object.values(value.timingsMs).every((v) => inRange(v, 0, Infinity)),
    'timingsMs must map stage names to non-negative milliseconds',
  );
  check(isFiniteNumber(value.createdAt), 'createdAt must be a time in milliseconds');
  return errors;
}

/**
 * Checks a record read from the results store. A malformed response (bad answer JSON, missing tags) is a
 * valid record: it is what the model wrote, and the reward scores it. Only a record the app cannot read is not.
 */
export function validateResult(value: unknown): ResultValidation {
  if (!isObject(value)) return { ok: false, id: null, errors: ['a result must be an object'] };
  const errors = fieldErrors(value);
  if (errors.length)
    return { ok: false, id: Number.isSafeInteger(value.id) ? (value.id as number) : null, errors };
  const stored = value as unknown as StoredResult;
  const record: ResultRecord = {
    ...stored,
    id: stored.id!,
    segmenterId: stored.segmenterId ?? null,
    entropy: stored.entropy ?? null,
    difficultySource: stored.difficultySource ?? null,
    groundTruth: stored.groundTruth ?? null,
    iou: stored.iou ?? null,
  };
  return { ok: true, record };
}

/** The result's own ground truth, else that of its sample (the reference) when the sample is given. */
export function resultGroundTruth(
  record: ResultRecord,
  sample: StoredSample | null | undefined,
): ResultGroundTruth | null {
  if (record.groundTruth) return record.groundTruth;
  if (sample && record.sampleId !== null && sample.id === record.sampleId)
    return { bbox: sample.gt.bbox, points: sample.gt.points };
  return null;
}

/** Correct when the mask IoU exceeds 0.5; null when there is no IoU (no mask or no ground truth). */
export function isCorrect(record: ResultRecord): boolean | null {
  return record.iou === null ? null : record.iou > 0.5;
}

/** The length the reward counts in its current mode. */
export function lengthOf(record: ResultRecord, mode: RewardParams['lengthMode']): number {
  return mode === 'words' ? record.words : record.tokens;
}

export interface LengthTerms {
  effectiveDifficulty: number;
  level: DifficultyLevel;
  lengthUsed: number;
  budget: number | null;
  lengthFactor: number;
}

/** The budget scoreResponse applies: lengthBudget under PixelThink, none under the Seg-Zero preset. */
export function budgetFor(level: DifficultyLevel, uncertainty: number, params: RewardParams): number | null {
  return params.preset === 'seg-zero' ? null : lengthBudget(level, uncertainty, params);
}

/**
 * The length side of the reward (method.md §3) from src/rl's own functions, for results without ground
 * truth; with ground truth, scoreResult gives the same values and the accuracy terms (a unit test holds them equal).
 */
export function lengthTerms(record: ResultRecord, params: RewardParams): LengthTerms {
  const difficulty = record.difficulty ?? DEFAULT_DIFFICULTY;
  const uncertainty = record.uncertainty ?? 0;
  const effective = effectiveDifficulty(difficulty, uncertainty, params.gamma);
  const level = difficultyLevel(effective, params);
  const lengthUsed = lengthOf(record, params.lengthMode);
  const budget = budgetFor(level, uncertainty, params);
  return {
    effectiveDifficulty: effective,
    level,
    lengthUsed,
    budget,
    lengthFactor: lengthFactor(lengthUsed, budget, params.beta),
  };
}

/** The full reward of a result under the given parameters: scoreResponse on what was stored. */
export function scoreResult(
  record: ResultRecord,
  truth: ResultGroundTruth,
  params: RewardParams,
): RewardBreakdown {
  const context = {
    difficulty: record.difficulty,
    uncertainty: record.uncertainty ?? 0,
    reasoningTokens: record.tokens,
  };
  return scoreResponse(record.response, truth, context, params);
}

export interface ResponseParts {
  /** The reasoning inside <think>, or null without one. */
  think: string | null;
  /** The text inside <answer>, or null without one. */
  answerText: string | null;
  /** The box and points, in the model frame, when they can be read (leniently). */
  answer: BoxPoints | null;
  /** What is wrong with the answer, as text (bad JSON, missing tags, …); empty when it is usable. */
  errors: string[];
}

/** The response split for display by the lenient parser; never throws, whatever the model wrote. */
export function responseParts(record: ResultRecord): ResponseParts {
  const parsed = parseResponse(record.response, { frame: MODEL_FRAME });
  return {
    think: parsed.think,
    answerText: parsed.answerText,
    answer: parsed.answer,
    errors: parsed.issues.filter((issue) => issueSeverity(issue) === 'error').map(describeIssue),
  };
}

export interface ResultList {
  /** Newest first. */
  records: ResultRecord[];
  /** Records that could not be read, with why. */
  invalid: { id: number | null; errors: string[] }[];
}

/** Every stored result, read whole (not through the by-created index, which skips records without a time). */
export async function listResults(db: PlaygroundDb): Promise<ResultList> {
  let stored: unknown[];
  try {
    stored = await db.getAll('results');
  } catch (err) {
    throw toStorageError(err);
  }
  const list: ResultList = { records: [], invalid: [] };
  for (const value of stored) {
    const checked = validateResult(value);
    if (checked.ok) list.records.push(checked.record);
    else list.invalid.push({ id: checked.id, errors: checked.errors });
  }
  list.records.sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
  return list;
}

export async function deleteResult(db: PlaygroundDb, id: number): Promise<void> {
  try {
    await db.delete('results', id);
  } catch (err) {
    throw toStorageError(err);
  }
}

export async function clearResults(db: PlaygroundDb): Promise<void> {
  try {
    await db.clear('results');
  } catch (err) {
    throw toStorageError(err);
  }
}

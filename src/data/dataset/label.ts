// The rules of a label (box, two points, query, difficulty) in the 840 frame, and moving points between image and frame.
import { effectiveDifficulty } from '../../rl';
import { maskGroundTruth } from '../shapeworld/groundtruth';
import type { Box, DifficultySource, Point } from '../store';
import { LabelError, type LabelErrorCode } from './errors';
import { LABEL_FRAME, LIMITS } from './format';

export interface ImageSize {
  width: number;
  height: number;
}

/** Box and two points in the 840 frame: what a sample's ground truth and the policy's answer share. */
export interface BoxAndPoints {
  bbox: Box;
  points: [Point, Point];
}

/** A label ready to store: everything checked, coordinates integers of the 840 frame. */
export interface Label extends BoxAndPoints {
  query: string;
  difficulty: number | null;
  difficultySource: DifficultySource | null;
}

export const MIN_DIFFICULTY = 1;
export const MAX_DIFFICULTY = 10;

const isFrameInteger = (v: unknown): v is number =>
  Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) < LABEL_FRAME;

/** What is wrong with a ground truth in the 840 frame, or null: integer pixels, x1 ≤ x2, y1 ≤ y2, points in the box. */
export function groundTruthProblem(gt: {
  bbox: readonly number[];
  points: readonly (readonly number[])[];
}): { code: LabelErrorCode; message: string } | null {
  const { bbox, points } = gt;
  const last = LABEL_FRAME - 1;
  if (bbox.length !== 4 || !bbox.every(isFrameInteger))
    return { code: 'bad-box', message: `the box must be 4 integers in 0..${last}` };
  const [x1, y1, x2, y2] = bbox as Box;
  if (x1 > x2 || y1 > y2)
    return { code: 'bad-box', message: `the box [${bbox.join(', ')}] has x1 > x2 or y1 > y2` };
  if (points.length !== 2 || !points.every((p) => p.length === 2 && p.every(isFrameInteger)))
    return { code: 'bad-points', message: `there must be two points of 2 integers in 0..${last}` };
  const outside = points.find(([x, y]) => x! < x1 || x! > x2 || y! < y1 || y! > y2);
  if (outside)
    return {
      code: 'bad-points',
      message: `the point (${outside.join(', ')}) lies outside the box [${bbox.join(', ')}]`,
    };
  return null;
}

/** What is wrong with a difficulty (null is allowed: it then counts as 3.0), or null. */
export function difficultyProblem(difficulty: number | null): string | null {
  if (difficulty === null) return null;
  return Number.isFinite(difficulty) && difficulty >= MIN_DIFFICULTY && difficulty <= MAX_DIFFICULTY
    ? null
    : `the difficulty must be ${MIN_DIFFICULTY}..${MAX_DIFFICULTY} or none`;
}

export interface LabelInput {
  /** In the 840 frame; null when no box was drawn yet. */
  bbox: Box | null;
  /** In the 840 frame; the user clicks two. */
  points: readonly Point[];
  query: string;
  difficulty: number | null;
  difficultySource: DifficultySource | null;
}

/** Checks a label before it is saved; throws LabelError with a sentence for the user. */
export function validateLabel(input: LabelInput): Label {
  const query = input.query.trim();
  if (!input.bbox) throw new LabelError('no-box', 'Draw a box around the object first.');
  if (input.points.length !== 2)
    throw new LabelError(
      'no-points',
      `Click two points inside the object (${input.points.length} of 2 so far).`,
    );
  const points: [Point, Point] = [input.points[0]!, input.points[1]!];
  const problem = groundTruthProblem({ bbox: input.bbox, points });
  if (problem) throw new LabelError(problem.code, `Cannot save: ${problem.message}.`);
  if (!query) throw new LabelError('no-query', 'Write the query that names the object.');
  if (query.length > LIMITS.queryLength)
    throw new LabelError(
      'bad-query',
      `The query is ${query.length} characters; the limit is ${LIMITS.queryLength}.`,
    );
  const difficulty = difficultyProblem(input.difficulty);
  if (difficulty) throw new LabelError('bad-difficulty', `Cannot save: ${difficulty}.`);
  return {
    bbox: input.bbox,
    points,
    query,
    difficulty: input.difficulty,
    difficultySource: input.difficulty === null ? null : input.difficultySource,
  };
}

const clampToFrame = (v: number) => Math.min(LABEL_FRAME - 1, Math.max(0, Math.round(v)));

/** A point in image pixels to the 840 frame (aspect ratio not kept, as the policy sees the image). */
export function toFrame([x, y]: readonly [number, number], image: ImageSize): Point {
  return [clampToFrame((x * LABEL_FRAME) / image.width), clampToFrame((y * LABEL_FRAME) / image.height)];
}

/** A point of the 840 frame back to image pixels, for drawing it over the image. */
export function fromFrame([x, y]: readonly [number, number], image: ImageSize): Point {
  return [(x * image.width) / LABEL_FRAME, (y * image.height) / LABEL_FRAME];
}

/** A box drawn in image pixels, corners in any order, to the 840 frame. */
export function boxToFrame(corners: readonly [number, number, number, number], image: ImageSize): Box {
  const [ax, ay] = toFrame([corners[0], corners[1]], image);
  const [bx, by] = toFrame([corners[2], corners[3]], image);
  return [Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by)];
}

/**
 * Box and the two largest-inscribed-circle points of a mask at image size, in the 840 frame: the same measure as
 * ShapeWorld's ground truth. Throws LabelError when the mask is empty (or vanishes in the 840 frame).
 */
export function labelFromMask(mask: Uint8Array, image: ImageSize): BoxAndPoints {
  const truth = maskGroundTruth(mask, image.width, image.height);
  if (!truth)
    throw new LabelError('no-box', 'The mask is empty: there is nothing to take a box and points from.');
  return { bbox: truth.bbox, points: truth.points };
}

export interface DifficultyEstimate {
  value: number;
  source: DifficultySource;
  /** Where the number comes from, for the user. */
  basis: string;
}

/**
 * The estimate offered beside the slider: a ShapeWorld sample's own score; else, when the policy ran on this image,
 * 1 + 9u from its margin uncertainty u (the mapping method.md's γ uses); else none. One decimal.
 */
export function estimateDifficulty(known: {
  shapeworld: number | null;
  uncertainty: number | null;
}): DifficultyEstimate | null {
  const round = (v: number) => Math.round(v * 10) / 10;
  if (known.shapeworld !== null && Number.isFinite(known.shapeworld))
    return { value: round(known.shapeworld), source: 'shapeworld', basis: 'ShapeWorld score' };
  if (known.uncertainty !== null && Number.isFinite(known.uncertainty)) {
    const u = Math.min(1, Math.max(0, known.uncertainty));
    return {
      value: round(effectiveDifficulty(0, u, 0)),
      source: 'estimated',
      basis: `1 + 9u from the policy's uncertainty u = ${u.toFixed(3)}`,
    };
  }
  return null;
}

// Oracle segmenter: returns the exact mask of the scene object the prompt points at, like an ideal SAM would.
import { objectMask } from '../data/shapeworld/index';
import { inclusiveBoxIoU } from '../rl/index';
import type { Box, BoxPoints } from '../rl/index';
import { EvalError, RunnerOutputError } from './errors';
import { labelAt, labelRegions } from './label-regions';
import type { LabelRegion } from './label-regions';
import type { SegmenterInput, SegmenterOutput, SegmenterRunner } from './types';

export const ORACLE_SEGMENTER_ID = 'oracle';

/** Without a point on an object, only a box that clearly matches it selects it (the usual "IoU > 0.5" bar). */
export const BOX_ONLY_MIN_IOU = 0.5;

interface Candidate {
  region: LabelRegion;
  /** How many of the two prompted points fall on the object's mask. */
  hits: number;
  boxIoU: number;
}

/** A model may answer x2 < x1; a segmenter prompt box has no orientation, so corners are sorted first. */
function sortedCorners([x1, y1, x2, y2]: Box): Box {
  return [Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2)];
}

function candidate(region: LabelRegion, pointLabels: readonly number[], box: Box): Candidate {
  const hits = pointLabels.filter((label) => label === region.label).length;
  return { region, hits, boxIoU: inclusiveBoxIoU(box, region.box) ?? 0 };
}

function isEligible(c: Candidate): boolean {
  return c.hits > 0 || c.boxIoU >= BOX_ONLY_MIN_IOU;
}

/** More points on the mask first (objects never overlap, so only one object can hold both), then box IoU. */
function better(a: Candidate, b: Candidate): Candidate {
  if (a.hits !== b.hits) return a.hits > b.hits ? a : b;
  return a.boxIoU >= b.boxIoU ? a : b;
}

/**
 * The object the prompt selects: the one whose mask holds both points (its box IoU breaks ties); failing
 * that, one point or a box with IoU ≥ 0.5 and the best box IoU; null when the prompt hits nothing.
 */
export function selectObject(
  labels: Uint8Array,
  width: number,
  height: number,
  prompt: BoxPoints,
): Candidate | null {
  const pointLabels = prompt.points.map((point) => labelAt(labels, width, height, point));
  const box = sortedCorners(prompt.bbox);
  const eligible = labelRegions(labels, width)
    .map((region) => candidate(region, pointLabels, box))
    .filter(isEligible);
  return eligible.length === 0 ? null : eligible.reduce(better);
}

function segmentWithLabels(input: SegmenterInput): SegmenterOutput {
  const { image, labels, prompt } = input;
  if (labels === undefined) {
    throw new EvalError(
      `segmenter "${ORACLE_SEGMENTER_ID}" needs input.labels (the scene's object label map)`,
    );
  }
  if (labels.length !== image.width * image.height) {
    throw new RunnerOutputError(
      ORACLE_SEGMENTER_ID,
      `labels have ${labels.length} pixels, the image ${image.width}×${image.height}`,
    );
  }
  const chosen = selectObject(labels, image.width, image.height, prompt);
  if (chosen === null) return { mask: new Uint8Array(labels.length), score: 0, timingsMs: {} };
  const mask = objectMask({ ...image, labels }, chosen.region.label - 1);
  return { mask, score: chosen.boxIoU, timingsMs: {} };
}

export function createOracleSegmenter(): SegmenterRunner {
  return {
    id: ORACLE_SEGMENTER_ID,
    // async, so a missing label map rejects the promise rather than throwing at the call.
    segment: async (input) => segmentWithLabels(input),
  };
}

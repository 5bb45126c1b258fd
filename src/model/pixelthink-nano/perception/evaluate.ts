// Detection quality on a ShapeWorld split: matching, recall/precision, attribute accuracy, box and point errors, speed.
import type { Backend } from '../../../webgpu/backend';
import type { ObjectRecord, Split } from '../../../data/shapeworld/index';
import { fromArray } from '../../../webgpu/creation';
import type { PerceptionConfig } from './config';
import { INPUT_CHANNELS } from './config';
import { sceneBatch } from './data';
import type { DecodeOptions, DetectedObject } from './decode';
import { DEFAULT_DECODE_OPTIONS } from './decode';
import { detect } from './detect';
import type { PerceptionParams } from './model';

/** The reward's box term: a box counts as right when its mean absolute coordinate error is under this (840 frame). */
export const BOX_L1_THRESHOLD = 10;

/** Sums over matched pairs and counts, before averaging (so images can be pooled). */
export interface DetectionTally {
  images: number;
  objects: number;
  detections: number;
  matched: number;
  colourRight: number;
  shapeRight: number;
  sizeRight: number;
  boxL1: number;
  boxUnderThreshold: number;
  pointDistance: number;
}

export interface DetectionMetrics {
  images: number;
  objects: number;
  detections: number;
  recall: number;
  precision: number;
  colourAccuracy: number;
  shapeAccuracy: number;
  sizeAccuracy: number;
  /** Mean over matched objects of the mean |Δ| of x1, y1, x2, y2 (840 frame). */
  meanBoxL1: number;
  /** Fraction of matched objects whose box L1 is under BOX_L1_THRESHOLD. */
  boxL1Under10: number;
  /** Mean over matched objects and both points of the distance to the ground-truth point of the same rank. */
  meanPointDistance: number;
  imagesPerSecond: number;
}

export const emptyTally = (): DetectionTally => ({
  images: 0,
  objects: 0,
  detections: 0,
  matched: 0,
  colourRight: 0,
  shapeRight: 0,
  sizeRight: 0,
  boxL1: 0,
  boxUnderThreshold: 0,
  pointDistance: 0,
});

const inside = (box: readonly number[], x: number, y: number): boolean =>
  x >= (box[0] as number) && x <= (box[2] as number) && y >= (box[1] as number) && y <= (box[3] as number);

/**
 * Pairs detections with objects, most confident detection first: a detection matches the first still unmatched
 * object whose ground-truth box holds the detection's box centre. Returns object index per detection (−1 = none).
 */
export function matchDetections(
  objects: readonly ObjectRecord[],
  detections: readonly DetectedObject[],
): number[] {
  const taken = new Set<number>();
  const order = detections
    .map((_, i) => i)
    .sort((a, b) => (detections[b]?.score ?? 0) - (detections[a]?.score ?? 0));
  const matches = new Array<number>(detections.length).fill(-1);
  for (const d of order) {
    const [x1, y1, x2, y2] = (detections[d] as DetectedObject).bbox;
    const o = objects.findIndex(
      (object, i) => !taken.has(i) && inside(object.gt.bbox, (x1 + x2) / 2, (y1 + y2) / 2),
    );
    if (o < 0) continue;
    taken.add(o);
    matches[d] = o;
  }
  return matches;
}

const distance = (a: readonly number[], b: readonly number[]): number =>
  Math.hypot((a[0] as number) - (b[0] as number), (a[1] as number) - (b[1] as number));

/** Adds one image's objects and detections to the tally. */
export function tallyImage(
  tally: DetectionTally,
  objects: readonly ObjectRecord[],
  detections: readonly DetectedObject[],
): void {
  tally.images++;
  tally.objects += objects.length;
  tally.detections += detections.length;
  matchDetections(objects, detections).forEach((o, d) => {
    const object = objects[o];
    const detection = detections[d] as DetectedObject;
    if (!object) return;
    tally.matched++;
    tally.colourRight += Number(detection.colour === object.colour);
    tally.shapeRight += Number(detection.shape === object.shape);
    tally.sizeRight += Number(detection.size === object.size);
    const l1 =
      detection.bbox.reduce((total, v, k) => total + Math.abs(v - (object.gt.bbox[k] as number)), 0) / 4;
    tally.boxL1 += l1;
    tally.boxUnderThreshold += Number(l1 < BOX_L1_THRESHOLD);
    tally.pointDistance +=
      (distance(detection.points[0], object.gt.points[0]) +
        distance(detection.points[1], object.gt.points[1])) /
      2;
  });
}

/** Averages of a tally; `seconds` is the detector's time for its images. */
export function summarise(tally: DetectionTally, seconds: number): DetectionMetrics {
  const perMatch = (n: number) => (tally.matched > 0 ? n / tally.matched : NaN);
  return {
    images: tally.images,
    objects: tally.objects,
    detections: tally.detections,
    recall: tally.objects > 0 ? tally.matched / tally.objects : NaN,
    precision: tally.detections > 0 ? tally.matched / tally.detections : NaN,
    colourAccuracy: perMatch(tally.colourRight),
    shapeAccuracy: perMatch(tally.shapeRight),
    sizeAccuracy: perMatch(tally.sizeRight),
    meanBoxL1: perMatch(tally.boxL1),
    boxL1Under10: perMatch(tally.boxUnderThreshold),
    meanPointDistance: perMatch(tally.pointDistance),
    imagesPerSecond: seconds > 0 ? tally.images / seconds : NaN,
  };
}

export interface EvaluateOptions {
  split: Split;
  /** Scenes 0 … count − 1 of the split. */
  count: number;
  /** Images per forward pass. */
  batch: number;
  decode: DecodeOptions;
}

export const DEFAULT_EVALUATE_OPTIONS: EvaluateOptions = {
  split: 'val',
  count: 500,
  batch: 25,
  decode: DEFAULT_DECODE_OPTIONS,
};

/** Detects every scene of the split's first `count` and scores it; the speed counts the detector only, not rendering. */
export async function evaluateDetector(
  params: PerceptionParams,
  config: PerceptionConfig,
  backend: Backend,
  options: EvaluateOptions = DEFAULT_EVALUATE_OPTIONS,
): Promise<DetectionMetrics> {
  const tally = emptyTally();
  let seconds = 0;
  const S = config.inputSize;
  for (let first = 0; first < options.count; first += options.batch) {
    const n = Math.min(options.batch, options.count - first);
    const { input, records } = sceneBatch(config, options.split, first, n);
    const started = performance.now();
    const pixels = fromArray(input, [n, INPUT_CHANNELS, S, S], { backend });
    const detections = await detect(params, config, pixels, options.decode);
    pixels.dispose();
    seconds += (performance.now() - started) / 1000;
    records.forEach((record, b) => tallyImage(tally, record.objects, detections[b] ?? []));
  }
  return summarise(tally, seconds);
}

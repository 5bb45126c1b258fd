// Training examples for nano-sam from ShapeWorld: a rendered scene, one object's prompt (box / points, varied) and its exact mask.
import type { Box, Point, ShapeWorldSample, Split } from '../../data/shapeworld/index';
import { FRAME, objectMask, renderScene, sample } from '../../data/shapeworld/index';
import type { Random } from '../../webgpu/random';
import type { NanoSamConfig } from './config';
import type { NanoSamPrompt } from './prompt';

/** A batch ready for the engine: normalised pixels [B, 3, S, S], prompts in model pixels, 0/1 masks [B, 1, S, S]. */
export interface NanoSamBatch {
  pixels: Float32Array;
  prompts: NanoSamPrompt[];
  masks: Float32Array;
  size: number;
}

/** SamImageProcessor's normalisation: /255, mean 0.5, std 0.5 → [-1, 1], channels first. */
export function normalisePixels(
  rgba: Uint8ClampedArray,
  size: number,
  out: Float32Array,
  offset: number,
): void {
  const plane = size * size;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[offset + c * plane + i] = (rgba[4 * i + c] as number) / 127.5 - 1;
  }
}

/**
 * The ground truth of a ShapeWorld object (840 frame) as a prompt at the model's input size: box + both points, scaled
 * the way the app scales a policy's answer and SamProcessor then scales it again (plain multiplication, no offsets).
 */
export function groundTruthPrompt(gt: { bbox: Box; points: readonly Point[] }, size: number): NanoSamPrompt {
  const k = size / FRAME;
  const [x1, y1, x2, y2] = gt.bbox;
  return {
    box: [x1 * k, y1 * k, x2 * k, y2 * k],
    points: gt.points.map(([x, y]) => [x * k, y * k] as const),
  };
}

/** A uniformly drawn pixel centre of the mask, in model pixels. */
function pointInside(mask: Uint8Array, size: number, random: Random): readonly [number, number] | null {
  const inside: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) inside.push(i);
  if (inside.length === 0) return null;
  const i = inside[random.int(inside.length)] as number;
  return [(i % size) + 0.5, Math.floor(i / size) + 0.5];
}

/** The box moved by up to `amount` of its size on each edge (a user's or a policy's imperfect box). */
function jitterBox(
  box: readonly [number, number, number, number],
  amount: number,
  random: Random,
): NanoSamPrompt['box'] {
  const [x1, y1, x2, y2] = box;
  const [w, h] = [x2 - x1, y2 - y1];
  const shift = (span: number): number => (random.uniform() * 2 - 1) * amount * span;
  return [x1 + shift(w), y1 + shift(h), x2 + shift(w), y2 + shift(h)];
}

/**
 * Prompt kinds in training: mostly what the app sends (box + two points, exact or slightly off), plus box-only,
 * points-only and a negative click, so every prompt SAM accepts is seen.
 */
function trainingPrompt(
  record: ShapeWorldSample,
  objectIndex: number,
  mask: Uint8Array,
  size: number,
  random: Random,
): NanoSamPrompt {
  const object = record.objects[objectIndex];
  if (!object) throw new RangeError(`object ${objectIndex} out of range`);
  const exact = groundTruthPrompt(object.gt, size);
  const box = exact.box as readonly [number, number, number, number];
  const randomPoints = (n: number) =>
    Array.from({ length: n }, () => pointInside(mask, size, random)).filter((p) => p !== null);
  const points = random.uniform() < 0.6 ? (exact.points ?? []) : randomPoints(2);
  const someOf = <T>(list: readonly T[]): T[] => list.slice(0, 1 + random.int(2));
  const roll = random.uniform();
  if (roll < 0.45) return { box, points };
  if (roll < 0.7) return { box: jitterBox(box, 0.1, random), points };
  if (roll < 0.8) return { box: jitterBox(box, 0.05, random) };
  if (roll < 0.9) return { points: someOf(points) };
  const other = (objectIndex + 1 + random.int(record.objects.length - 1)) % record.objects.length;
  const negative = groundTruthPrompt((record.objects[other] ?? object).gt, size).points?.[0];
  return { box, points: points.slice(0, 1), negatives: negative ? [negative] : [] };
}

/**
 * `scenes` consecutive ShapeWorld scenes from `firstScene`, `perScene` objects each (the query's target first, then
 * random others), rendered at the model's input size.
 */
export function trainingBatch(
  config: NanoSamConfig,
  split: Split,
  firstScene: number,
  scenes: number,
  perScene: number,
  random: Random,
): NanoSamBatch {
  const size = config.inputSize;
  const plane = size * size;
  const count = scenes * perScene;
  const batch: NanoSamBatch = {
    pixels: new Float32Array(count * 3 * plane),
    prompts: [],
    masks: new Float32Array(count * plane),
    size,
  };
  for (let s = 0; s < scenes; s++) {
    const record = sample(split, firstScene + s);
    const rendered = renderScene(record, size);
    const others = shuffled(
      record.objects.map((_, i) => i).filter((i) => i !== record.target),
      random,
    );
    const chosen = [record.target, ...others].slice(0, perScene);
    while (chosen.length < perScene) chosen.push(record.target);
    chosen.forEach((objectIndex) => {
      const b = batch.prompts.length;
      const mask = objectMask(rendered, objectIndex);
      normalisePixels(rendered.rgba, size, batch.pixels, b * 3 * plane);
      batch.masks.set(mask, b * plane);
      batch.prompts.push(trainingPrompt(record, objectIndex, mask, size, random));
    });
  }
  return batch;
}

function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

// Supervised examples for pixelthink-nano: a ShapeWorld sample re-indexed left to right, its object list and its reasoning.
import type { ShapeWorldSample, Split } from '../../data/shapeworld/index';
import { sample } from '../../data/shapeworld/index';
import { referenceResponses } from '../../data/shapeworld/reasoning';
import type { PerceivedObject } from './scene-text';
import { leftToRight } from './scene-text';

export interface SftExample {
  query: string;
  objects: PerceivedObject[];
  /** The object the query refers to (one of `objects`). */
  target: PerceivedObject;
  /** The reference response, `<think>…</think><answer>{…}</answer>`. */
  response: string;
  level: ShapeWorldSample['level'];
}

/** The ground-truth object list of a sample, as a perfect perception front end would report it. */
export function groundTruthObjects(record: ShapeWorldSample): PerceivedObject[] {
  return record.objects.map((o) => ({
    size: o.size,
    colour: o.colour,
    shape: o.shape,
    x: o.x,
    y: o.y,
    bbox: o.gt.bbox,
    points: o.gt.points,
  }));
}

/**
 * The sample with its objects re-indexed left to right and its references regenerated, so every list in the
 * reasoning follows the order of the object list the decoder reads (the program names objects by attributes only).
 */
export function leftToRightSample(record: ShapeWorldSample): ShapeWorldSample {
  const order = leftToRight(record.objects.map((o, index) => ({ x: o.x, y: o.y, index }))).map(
    (o) => o.index,
  );
  const objects = order.map((i) => record.objects[i] as ShapeWorldSample['objects'][number]);
  const target = order.indexOf(record.target);
  const scene = { background: record.background, objects };
  const references = referenceResponses({
    scene,
    program: record.program,
    target,
    query: record.query,
    groundTruth: objects.map((o) => o.gt),
  });
  return { ...record, objects, target, references };
}

/** Example (split, index) with the long or the short reference chain. */
export function sftExample(split: Split, index: number, chain: 'long' | 'short'): SftExample {
  const record = leftToRightSample(sample(split, index));
  const objects = groundTruthObjects(record);
  return {
    query: record.query,
    objects,
    target: objects[record.target] as PerceivedObject,
    response: record.references[chain],
    level: record.level,
  };
}

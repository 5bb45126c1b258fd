// Selector examples from ShapeWorld: the perceived-object view of a sample (left to right, as the policy lists them) and its target.
import { sampleQuery, type Level, type QueryKind, type Split } from '../../../data/shapeworld/index';
import { cachedGroundTruth } from '../../../data/shapeworld/groundtruth';
import type { PerceivedObject } from '../scene-text';
import { leftToRight } from '../scene-text';

export interface SelectorExample {
  query: string;
  objects: PerceivedObject[];
  /** Index of the query's object in `objects`. */
  target: number;
  kind: QueryKind;
  level: Level;
}

/**
 * Sample (split, index) as the selector sees it: the objects a perfect perception front end reports (ground-truth
 * boxes and points, without rasterising the scene), left to right.
 */
export function selectorExample(split: Split, index: number): SelectorExample {
  const { query, scene, target, kind, level } = sampleQuery(split, index);
  const perceived = scene.objects.map((object, original) => {
    const { bbox, points } = cachedGroundTruth(object);
    const { size, colour, shape, x, y } = object;
    return { size, colour, shape, x, y, bbox, points, original };
  });
  const ordered = leftToRight(perceived);
  return {
    query,
    objects: ordered.map(({ original: _, ...object }) => object),
    target: ordered.findIndex((object) => object.original === target),
    kind,
    level,
  };
}

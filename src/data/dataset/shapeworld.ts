// ShapeWorld samples as dataset entries: the rendered sample (from the data worker) as a StoredSample, and which to add next.
import { SPLIT_SIZES, sampleId, type Split } from '../shapeworld/splits';
import type { Box, Point, StoredSample } from '../store';

/** A ShapeWorld sample rendered at 840 px: the image and the target mask as PNG bytes, and its record. */
export interface RenderedShapeWorldSample {
  id: string;
  query: string;
  difficulty: number;
  png: Uint8Array;
  maskPng: Uint8Array;
  gt: { bbox: Box; points: [Point, Point] };
  references: { long: string; short: string };
}

/** The stored sample of a rendered ShapeWorld sample whose image is stored under `imageId`. */
export function shapeWorldSample(
  rendered: RenderedShapeWorldSample,
  imageId: string,
  createdAt: number,
): StoredSample {
  return {
    id: rendered.id,
    imageId,
    query: rendered.query,
    gt: { ...rendered.gt, mask: new Blob([rendered.maskPng as BlobPart], { type: 'image/png' }) },
    difficulty: rendered.difficulty,
    difficultySource: 'shapeworld',
    references: rendered.references,
    createdAt,
  };
}

/** The first `count` indices of a split, from `start` on, whose sample is not stored yet (fewer at the split's end). */
export function unusedShapeWorldIndices(
  split: Split,
  stored: ReadonlySet<string>,
  count: number,
  start = 0,
): number[] {
  const indices: number[] = [];
  for (let index = start; indices.length < count && index < SPLIT_SIZES[split]; index++)
    if (!stored.has(sampleId(split, index))) indices.push(index);
  return indices;
}

// Per-object boxes and areas of an object label map (0 background, i + 1 for object i), in one pass.
import type { Box, Point } from '../rl/index';

export interface LabelRegion {
  label: number;
  /** Tight inclusive box [x1, y1, x2, y2] in pixels of the label map. */
  box: Box;
  area: number;
}

interface Extent {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  area: number;
}

function grow(extent: Extent | undefined, x: number, y: number): Extent {
  if (extent === undefined) return { x1: x, y1: y, x2: x, y2: y, area: 1 };
  extent.x1 = Math.min(extent.x1, x);
  extent.y1 = Math.min(extent.y1, y);
  extent.x2 = Math.max(extent.x2, x);
  extent.y2 = Math.max(extent.y2, y);
  extent.area++;
  return extent;
}

/** Every non-zero label present in the map, with its box and pixel count, in label order. */
export function labelRegions(labels: Uint8Array, width: number): LabelRegion[] {
  const extents = new Map<number, Extent>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] ?? 0;
    if (label === 0) continue;
    extents.set(label, grow(extents.get(label), i % width, Math.floor(i / width)));
  }
  return [...extents]
    .sort(([a], [b]) => a - b)
    .map(([label, e]) => ({ label, box: [e.x1, e.y1, e.x2, e.y2], area: e.area }));
}

/** The label under a point (coordinates truncated to the pixel); 0 outside the map. */
export function labelAt(labels: Uint8Array, width: number, height: number, point: Point): number {
  const x = Math.trunc(point[0]);
  const y = Math.trunc(point[1]);
  if (!(x >= 0 && x < width && y >= 0 && y < height)) return 0;
  return labels[y * width + x] ?? 0;
}

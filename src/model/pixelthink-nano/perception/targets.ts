// Per-cell training targets of the detector from ShapeWorld ground truth: centre heatmap, attributes, box and points.
import type { ObjectRecord } from '../../../data/shapeworld/index';
import { COLOURS, SHAPES, SIZES } from '../../../data/shapeworld/index';
import type { PerceptionConfig } from './config';
import { cellFrameSize, gridSize } from './config';

/** Class index of cells that hold no object centre (crossEntropy ignores every negative target). */
export const IGNORE = -100;

/**
 * Targets for a batch of scenes, cell-major per image (row y, column x). Offsets are in cell units of the 840 frame
 * from the centre of the object's centre cell.
 */
export interface PerceptionTargets {
  images: number;
  grid: number;
  /** [B, 1, G, G] Gaussian peaks (exactly 1 at each centre cell). */
  heatmap: Float32Array;
  /** [B, 1, G, G] 1 at centre cells, else 0. */
  centres: Float32Array;
  /** [B·G·G] class per cell, IGNORE away from centres. */
  colour: Int32Array;
  shape: Int32Array;
  size: Int32Array;
  /** [B, 4, G, G] offsets to x1, y1, x2, y2 (inclusive box), zero away from centres. */
  box: Float32Array;
  /** [B, 4, G, G] offsets to p1.x, p1.y, p2.x, p2.y, zero away from centres. */
  points: Float32Array;
  /** Number of objects in the batch (the normaliser of the per-object losses). */
  objects: number;
}

/** The cell (column, row) holding the centre of an inclusive 840-frame box. */
export function centreCell(bbox: readonly number[], config: PerceptionConfig): [number, number] {
  const [x1, y1, x2, y2] = bbox as [number, number, number, number];
  const cell = cellFrameSize(config);
  const last = gridSize(config) - 1;
  const at = (u: number) => Math.min(last, Math.max(0, Math.floor(u / cell)));
  return [at((x1 + x2 + 1) / 2), at((y1 + y2 + 1) / 2)];
}

/** Centre of cell `index` along one axis, in 840-frame pixels. */
export function cellCentre(index: number, config: PerceptionConfig): number {
  return (index + 0.5) * cellFrameSize(config);
}

/** Heatmap spread in cells: a sixth of the box's shorter side (CenterNet's diameter / 6), at least half a cell. */
function gaussianSigma(bbox: readonly number[], config: PerceptionConfig): number {
  const [x1, y1, x2, y2] = bbox as [number, number, number, number];
  return Math.max(0.5, Math.min(x2 - x1 + 1, y2 - y1 + 1) / (6 * cellFrameSize(config)));
}

export function emptyTargets(images: number, config: PerceptionConfig): PerceptionTargets {
  const grid = gridSize(config);
  const cells = images * grid * grid;
  return {
    images,
    grid,
    heatmap: new Float32Array(cells),
    centres: new Float32Array(cells),
    colour: new Int32Array(cells).fill(IGNORE),
    shape: new Int32Array(cells).fill(IGNORE),
    size: new Int32Array(cells).fill(IGNORE),
    box: new Float32Array(4 * cells),
    points: new Float32Array(4 * cells),
    objects: 0,
  };
}

/** Splats one object's Gaussian onto image `b`'s heatmap (max with what is there). */
function splatGaussian(targets: PerceptionTargets, b: number, cx: number, cy: number, sigma: number): void {
  const { grid, heatmap } = targets;
  const reach = Math.ceil(3 * sigma);
  for (let y = Math.max(0, cy - reach); y <= Math.min(grid - 1, cy + reach); y++) {
    for (let x = Math.max(0, cx - reach); x <= Math.min(grid - 1, cx + reach); x++) {
      const value = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma));
      const i = (b * grid + y) * grid + x;
      heatmap[i] = Math.max(heatmap[i] as number, value);
    }
  }
}

/** Adds image `b`'s objects to the targets. */
export function addImageTargets(
  targets: PerceptionTargets,
  b: number,
  objects: readonly ObjectRecord[],
  config: PerceptionConfig,
): void {
  const { grid } = targets;
  const unit = cellFrameSize(config);
  const plane = grid * grid;
  for (const object of objects) {
    const { bbox, points } = object.gt;
    const [cx, cy] = centreCell(bbox, config);
    splatGaussian(targets, b, cx, cy, gaussianSigma(bbox, config));
    const cell = cy * grid + cx;
    const i = b * plane + cell;
    targets.centres[i] = 1;
    targets.colour[i] = COLOURS.indexOf(object.colour);
    targets.shape[i] = SHAPES.indexOf(object.shape);
    targets.size[i] = SIZES.indexOf(object.size);
    const [ox, oy] = [cellCentre(cx, config), cellCentre(cy, config)];
    const edges = [bbox[0] - ox, bbox[1] - oy, bbox[2] - ox, bbox[3] - oy];
    const [[p1x, p1y], [p2x, p2y]] = points;
    const inscribed = [p1x - ox, p1y - oy, p2x - ox, p2y - oy];
    for (let k = 0; k < 4; k++) {
      targets.box[(4 * b + k) * plane + cell] = (edges[k] as number) / unit;
      targets.points[(4 * b + k) * plane + cell] = (inscribed[k] as number) / unit;
    }
    targets.objects++;
  }
}

// Host decoding of the detector's head maps into an object list: heatmap peaks, argmax attributes, 840-frame geometry.
import type { Box, Colour, Point, Shape, Size } from '../../../data/shapeworld/index';
import { COLOURS, FRAME, SHAPES, SIZES } from '../../../data/shapeworld/index';
import type { HeadName, PerceptionConfig } from './config';
import { cellFrameSize, gridSize, HEAD_CHANNELS, OUTPUT_CHANNELS } from './config';
import { headOffset } from './model';
import { cellCentre } from './targets';

/** One object as the perception front end reports it; geometry in the 840 frame, integers like the ground truth. */
export interface DetectedObject {
  colour: Colour;
  shape: Shape;
  size: Size;
  /** Inclusive box [x1, y1, x2, y2]. */
  bbox: Box;
  /** The two inscribed-circle centres, deepest first (the ground truth's order). */
  points: [Point, Point];
  /** Heatmap probability at the peak: the detection's confidence. */
  score: number;
  /** Softmax probability of each reported attribute. */
  attributeScores: { colour: number; shape: number; size: number };
  /** Grid cell (column, row) of the peak. */
  cell: [number, number];
}

export interface DecodeOptions {
  /** Lowest heatmap probability reported as an object. */
  threshold: number;
}

export const DEFAULT_DECODE_OPTIONS: DecodeOptions = { threshold: 0.3 };

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * Peaks of one image's heatmap logits [G·G] at or above `threshold` (as a probability): a cell is a peak when it beats
 * its 3×3 neighbours, ties going to the first in row-major order so a flat top gives one peak (host max-pool NMS).
 */
export function heatmapPeaks(logits: ArrayLike<number>, grid: number, threshold: number): number[] {
  const peaks: number[] = [];
  for (let y = 0; y < grid; y++) {
    for (let x = 0; x < grid; x++) {
      const i = y * grid + x;
      const value = logits[i] as number;
      if (sigmoid(value) < threshold || !beatsNeighbours(logits, grid, x, y, value)) continue;
      peaks.push(i);
    }
  }
  return peaks;
}

function beatsNeighbours(
  logits: ArrayLike<number>,
  grid: number,
  x: number,
  y: number,
  value: number,
): boolean {
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const [nx, ny] = [x + dx, y + dy];
      if ((dx === 0 && dy === 0) || nx < 0 || ny < 0 || nx >= grid || ny >= grid) continue;
      const other = logits[ny * grid + nx] as number;
      const earlier = dy < 0 || (dy === 0 && dx < 0);
      if (other > value || (earlier && other === value)) return false;
    }
  }
  return true;
}

/** Argmax of a head's logits at one cell, with its softmax probability. */
function classify(
  maps: ArrayLike<number>,
  name: HeadName,
  cell: number,
  plane: number,
): { index: number; probability: number } {
  const first = headOffset(name);
  const logits = Array.from(
    { length: HEAD_CHANNELS[name] },
    (_, k) => maps[(first + k) * plane + cell] as number,
  );
  const best = logits.indexOf(Math.max(...logits));
  const normaliser = logits.reduce((total, z) => total + Math.exp(z - (logits[best] as number)), 0);
  return { index: best, probability: 1 / normaliser };
}

const toFrame = (u: number): number => Math.min(FRAME - 1, Math.max(0, Math.round(u)));

/** The four cell-unit offsets of a head at one cell as 840-frame integers (x, y, x, y). */
function frameCoordinates(
  maps: ArrayLike<number>,
  name: 'box' | 'points',
  cell: number,
  [cx, cy]: [number, number],
  config: PerceptionConfig,
): [number, number, number, number] {
  const plane = gridSize(config) ** 2;
  const [unit, first] = [cellFrameSize(config), headOffset(name)];
  const origin = [cellCentre(cx, config), cellCentre(cy, config)];
  const at = (k: number) =>
    toFrame((origin[k % 2] as number) + (maps[(first + k) * plane + cell] as number) * unit);
  return [at(0), at(1), at(2), at(3)];
}

/** One image's raw head maps [OUTPUT_CHANNELS, G, G] → its objects, most confident first. */
export function decodeDetections(
  maps: ArrayLike<number>,
  config: PerceptionConfig,
  options: DecodeOptions = DEFAULT_DECODE_OPTIONS,
): DetectedObject[] {
  const grid = gridSize(config);
  const plane = grid * grid;
  if (maps.length !== OUTPUT_CHANNELS * plane)
    throw new RangeError(`expected ${OUTPUT_CHANNELS * plane} map values, got ${maps.length}`);
  const heat = Array.prototype.slice.call(
    maps,
    headOffset('heatmap') * plane,
    (headOffset('heatmap') + 1) * plane,
  );
  const objects = heatmapPeaks(heat as number[], grid, options.threshold).map((cell) => {
    const at: [number, number] = [cell % grid, Math.floor(cell / grid)];
    const [colour, shape, size] = [
      classify(maps, 'colour', cell, plane),
      classify(maps, 'shape', cell, plane),
      classify(maps, 'size', cell, plane),
    ];
    const [x1, y1, x2, y2] = frameCoordinates(maps, 'box', cell, at, config);
    const [p1x, p1y, p2x, p2y] = frameCoordinates(maps, 'points', cell, at, config);
    return {
      colour: COLOURS[colour.index] as Colour,
      shape: SHAPES[shape.index] as Shape,
      size: SIZES[size.index] as Size,
      bbox: [Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2)] as Box,
      points: [
        [p1x, p1y],
        [p2x, p2y],
      ] as [Point, Point],
      score: sigmoid(heat[cell] as number),
      attributeScores: { colour: colour.probability, shape: shape.probability, size: size.probability },
      cell: at,
    };
  });
  return objects.sort((a, b) => b.score - a.score);
}

// Exact row spans of a shape for the rasteriser: float estimates of the edges, corrected with the exact integer test.
import type { Outline } from './shapes';

/** Half-open pixel spans [start, end) of one row that are inside the shape. */
export type Spans = [number, number][];

/**
 * The scaled sample coordinate of pixel p: pixel centres (p + ½)·840/size, times 2·size. Must match the
 * convention of raster.ts, whose per-pixel definition these spans reproduce exactly.
 */
export type SampleAt = (pixel: number) => number;

/**
 * First pixel in [low, high + 1] for which `before` is false, where `before` is true up to some pixel and
 * false after it; `guess` is where to start looking (from a float estimate, any value works).
 */
function boundary(before: (p: number) => boolean, guess: number, low: number, high: number): number {
  let p = Math.min(high + 1, Math.max(low, Number.isFinite(guess) ? Math.round(guess) : low));
  while (p > low && !before(p - 1)) p--;
  while (p <= high && before(p)) p++;
  return p;
}

/** Pixel index whose scaled sample coordinate is about x (only a starting guess for `boundary`). */
function pixelNear(x: number, frame: number): number {
  return (x / frame - 1) / 2;
}

/**
 * Spans of a disc or ring centred at (cx, cy) (scaled units) on the row sampled at y, for pixels low..high.
 * Inside means d² ≤ radius² and, for a ring, d² > hole², exactly as insideTest.
 */
function discSpans(
  shape: Extract<Outline, { kind: 'disc' }>,
  cx: number,
  cy: number,
  scale: number,
  y: number,
  sampleAt: SampleAt,
  frame: number,
  low: number,
  high: number,
): Spans {
  const dy2 = (y - cy) * (y - cy);
  const outer = (shape.radius * scale) ** 2 - dy2;
  if (outer < 0) return [];
  const within = (limit: number) => {
    const reach = Math.sqrt(limit);
    const start = boundary(
      (p) => (sampleAt(p) - cx) ** 2 > limit && sampleAt(p) < cx,
      pixelNear(cx - reach, frame),
      low,
      high,
    );
    const end = boundary(
      (p) => sampleAt(p) <= cx || (sampleAt(p) - cx) ** 2 <= limit,
      pixelNear(cx + reach, frame),
      low,
      high,
    );
    return [start, end] as [number, number];
  };
  const [start, end] = within(outer);
  if (start >= end) return [];
  const inner = shape.hole === 0 ? -1 : (shape.hole * scale) ** 2 - dy2;
  if (inner < 0) return [[start, end]];
  const [holeStart, holeEnd] = within(inner);
  if (holeStart >= holeEnd) return [[start, end]];
  return (
    [
      [start, holeStart],
      [holeEnd, end],
    ] as [number, number][]
  ).filter(([a, b]) => a < b);
}

/**
 * Spans of a polygon (vertices in scaled units) on the row sampled at y. The even–odd rule of insideTest
 * toggles at every edge crossing the row for the pixels left of the crossing; each crossing's first pixel
 * not left of it is found exactly, then the sorted crossings pair up into spans.
 */
function polygonSpans(
  xs: readonly number[],
  ys: readonly number[],
  y: number,
  sampleAt: SampleAt,
  frame: number,
  low: number,
  high: number,
): Spans {
  const crossings: number[] = [];
  const n = xs.length;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const ax = xs[j] as number;
    const ay = ys[j] as number;
    const bx = xs[i] as number;
    const by = ys[i] as number;
    if (ay > y === by > y) continue;
    const leftOfCrossing = (p: number) => {
      const lhs = (sampleAt(p) - ax) * (by - ay);
      const rhs = (y - ay) * (bx - ax);
      return by > ay ? lhs < rhs : lhs > rhs;
    };
    const estimate = ax + ((y - ay) * (bx - ax)) / (by - ay);
    crossings.push(boundary(leftOfCrossing, pixelNear(estimate, frame) + 0.5, low, high));
  }
  crossings.sort((a, b) => a - b);
  const spans: Spans = [];
  for (let k = 0; k + 1 < crossings.length; k += 2) {
    const start = crossings[k] as number;
    const end = crossings[k + 1] as number;
    if (start < end) spans.push([start, end]);
  }
  return spans;
}

/** Inside spans of an outline centred at (cx, cy) frame px, on the row sampled at y, among pixels low..high. */
export function rowSpans(
  shape: Outline,
  cx: number,
  cy: number,
  scale: number,
  y: number,
  sampleAt: SampleAt,
  frame: number,
  low: number,
  high: number,
): Spans {
  const x0 = cx * scale;
  const y0 = cy * scale;
  if (shape.kind === 'disc') return discSpans(shape, x0, y0, scale, y, sampleAt, frame, low, high);
  const xs = shape.vertices.map(([vx]) => x0 + vx * scale);
  const ys = shape.vertices.map(([, vy]) => y0 + vy * scale);
  return polygonSpans(xs, ys, y, sampleAt, frame, low, high);
}

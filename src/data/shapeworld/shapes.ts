// Exact geometry of each shape: integer outlines in the 840 frame and a point-inside test in integer arithmetic.
import type { Shape } from './attributes';

/** cos and sin of −90° + 36°·k, k = 0..9: the ten vertex directions of an upright five-pointed star. */
const STAR_DIRECTIONS: readonly (readonly [number, number])[] = [
  [0, -1],
  [0.5877852522924731, -0.8090169943749475],
  [0.9510565162951535, -0.3090169943749474],
  [0.9510565162951535, 0.3090169943749474],
  [0.5877852522924731, 0.8090169943749475],
  [0, 1],
  [-0.5877852522924731, 0.8090169943749475],
  [-0.9510565162951535, 0.3090169943749474],
  [-0.9510565162951535, -0.3090169943749474],
  [-0.5877852522924731, -0.8090169943749475],
];

const SQUARE_HALF_SIDE = 0.85;
const STAR_INNER_RADIUS = 0.5;
const RING_INNER_RADIUS = 0.55;

/** A shape outline as integer offsets (840 px) from the object's centre. */
export type Outline =
  { kind: 'disc'; radius: number; hole: number } | { kind: 'polygon'; vertices: [number, number][] };

/**
 * The outline of a shape with half extent r. Vertices are rounded to integers once, here, from literal
 * constants (no Math.sin/cos), so every engine gets the same polygon.
 */
export function outline(shape: Shape, r: number): Outline {
  switch (shape) {
    case 'circle':
      return { kind: 'disc', radius: r, hole: 0 };
    case 'ring':
      return { kind: 'disc', radius: r, hole: Math.round(r * RING_INNER_RADIUS) };
    case 'square': {
      const s = Math.round(r * SQUARE_HALF_SIDE);
      return {
        kind: 'polygon',
        vertices: [
          [-s, -s],
          [s, -s],
          [s, s],
          [-s, s],
        ],
      };
    }
    case 'triangle':
      return {
        kind: 'polygon',
        vertices: [
          [0, -r],
          [r, r],
          [-r, r],
        ],
      };
    case 'diamond':
      return {
        kind: 'polygon',
        vertices: [
          [0, -r],
          [r, 0],
          [0, r],
          [-r, 0],
        ],
      };
    case 'star':
      return {
        kind: 'polygon',
        vertices: STAR_DIRECTIONS.map(([c, s], k) => {
          const radius = k % 2 === 0 ? r : r * STAR_INNER_RADIUS;
          return [Math.round(radius * c), Math.round(radius * s)];
        }),
      };
  }
}

/** A point-inside test in scaled integer units: every coordinate is multiplied by the same integer scale. */
export type InsideTest = (x: number, y: number) => boolean;

/**
 * Builds the inside test of an outline centred at (cx, cy), with every length multiplied by `scale`.
 * All products stay far below 2^53, so the test is exact integer arithmetic in any engine.
 */
export function insideTest(shape: Outline, cx: number, cy: number, scale: number): InsideTest {
  const x0 = cx * scale;
  const y0 = cy * scale;
  if (shape.kind === 'disc') {
    const outer = (shape.radius * scale) ** 2;
    const inner = (shape.hole * scale) ** 2;
    return (x, y) => {
      const d2 = (x - x0) * (x - x0) + (y - y0) * (y - y0);
      return d2 <= outer && (inner === 0 || d2 > inner);
    };
  }
  const xs = shape.vertices.map(([vx]) => x0 + vx * scale);
  const ys = shape.vertices.map(([, vy]) => y0 + vy * scale);
  return (x, y) => insidePolygon(xs, ys, x, y);
}

/** Even–odd crossing test with the edge intersection compared by cross-multiplication (no division). */
function insidePolygon(xs: readonly number[], ys: readonly number[], x: number, y: number): boolean {
  let inside = false;
  const n = xs.length;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const ax = xs[j] as number;
    const ay = ys[j] as number;
    const bx = xs[i] as number;
    const by = ys[i] as number;
    if (ay > y === by > y) continue;
    const lhs = (x - ax) * (by - ay);
    const rhs = (y - ay) * (bx - ax);
    if (by > ay ? lhs < rhs : lhs > rhs) inside = !inside;
  }
  return inside;
}

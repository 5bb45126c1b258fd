// Exact Euclidean distance transform and the centres of the two largest inscribed circles of a binary mask.

/**
 * Squared Euclidean distance from each pixel to the nearest background pixel (Felzenszwalb & Huttenlocher),
 * 0 on the background. Pixels outside the mask array count as background. All values are exact integers.
 */
export function squaredDistanceTransform(mask: Uint8Array, width: number, height: number): Float64Array {
  // A one-pixel background frame makes every column and row contain a zero, so all values stay finite.
  const w = width + 2;
  const h = height + 2;
  const grid = new Float64Array(w * h);
  columnDistances(mask, width, height, grid);
  const row = new Float64Array(w);
  const out = new Float64Array(w);
  const v = new Int32Array(w);
  const z = new Float64Array(w + 1);
  const result = new Float64Array(width * height);
  for (let y = 1; y <= height; y++) {
    for (let x = 0; x < w; x++) row[x] = grid[y * w + x] as number;
    lowerEnvelope(row, w, out, v, z);
    for (let x = 1; x <= width; x++) result[(y - 1) * width + (x - 1)] = out[x] as number;
  }
  return result;
}

/** Squared distance to the nearest zero along each column of the padded grid. */
function columnDistances(mask: Uint8Array, width: number, height: number, grid: Float64Array): void {
  const w = width + 2;
  const h = height + 2;
  // Padded copy of the mask: a frame of background all round, so no bounds checks below.
  const padded = new Uint8Array(w * h);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) padded[(y + 1) * w + x + 1] = mask[y * width + x] ? 1 : 0;
  for (let x = 0; x < w; x++) {
    let distance = 0;
    for (let y = 0; y < h; y++) {
      distance = padded[y * w + x] ? distance + 1 : 0;
      grid[y * w + x] = distance;
    }
    distance = 0;
    for (let y = h - 1; y >= 0; y--) {
      distance = padded[y * w + x] ? distance + 1 : 0;
      const nearest = Math.min(grid[y * w + x] as number, distance);
      grid[y * w + x] = nearest * nearest;
    }
  }
}

/** 1-D squared distance transform of f (the lower envelope of parabolas). */
function lowerEnvelope(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  const intersection = (q: number, p: number) =>
    ((f[q] as number) + q * q - ((f[p] as number) + p * p)) / (2 * q - 2 * p);
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let s = intersection(q, v[k] as number);
    while (s <= (z[k] as number)) {
      k--;
      s = intersection(q, v[k] as number);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while ((z[k + 1] as number) < q) k++;
    const p = v[k] as number;
    d[q] = (q - p) * (q - p) + (f[p] as number);
  }
}

export interface InscribedPoints {
  /** Centre of the largest inscribed circle, [x, y] in mask pixels. */
  first: [number, number];
  /** Centre of the largest inscribed circle outside the first circle (with fallbacks for thin shapes). */
  second: [number, number];
  /** Squared radius of the first circle (its squared distance to the background). */
  radiusSquared: number;
}

/** How a search ranks pixels: only eligible ones count; larger primary wins, then larger secondary. */
interface Ranking {
  eligible(x: number, y: number): boolean;
  primary(x: number, y: number, distance: number): number;
  secondary(x: number, y: number): number;
}

/** The foreground pixel ranked highest; row-major first on ties; null when no pixel is eligible. */
function best(
  distances: Float64Array,
  width: number,
  height: number,
  ranking: Ranking,
): [number, number] | null {
  let winner: [number, number] | null = null;
  let top = -Infinity;
  let second = -Infinity;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const distance = distances[y * width + x] as number;
      if (distance === 0 || !ranking.eligible(x, y)) continue;
      const primary = ranking.primary(x, y, distance);
      if (primary < top) continue;
      const secondary = ranking.secondary(x, y);
      if (primary > top || secondary > second) {
        winner = [x, y];
        top = primary;
        second = secondary;
      }
    }
  }
  return winner;
}

/** The box [x1, y1, x2, y2] of the foreground (inclusive), or null for an empty mask. */
export function maskBox(
  mask: Uint8Array,
  width: number,
  height: number,
): [number, number, number, number] | null {
  let x1 = width;
  let y1 = height;
  let x2 = -1;
  let y2 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      if (x < x1) x1 = x;
      if (x > x2) x2 = x;
      if (y < y1) y1 = y;
      if (y > y2) y2 = y;
    }
  }
  return x2 < 0 ? null : [x1, y1, x2, y2];
}

/** A second circle smaller than this fraction of the first radius (squared: 1/16) is a sliver, not a part. */
const SLIVER_RATIO_SQUARED = 1 / 16;

/**
 * The two points PixelThink asks for: the centre of the largest inscribed circle (ties go to the pixel
 * nearest the box centre), then the deepest pixel outside that circle (ties go to the one farthest from
 * the first). A disc-like shape has nothing outside its own inscribed circle but slivers of edge, so when
 * that second circle is under a quarter of the first radius the second point falls back to the deepest
 * pixel at least half a radius away, then to the farthest pixel, then to the first point.
 * Returns null for an empty mask.
 */
export function inscribedPoints(mask: Uint8Array, width: number, height: number): InscribedPoints | null {
  const box = maskBox(mask, width, height);
  if (!box) return null;
  const distances = squaredDistanceTransform(mask, width, height);
  const [bx1, by1, bx2, by2] = box;
  // Doubled coordinates keep the box centre an integer.
  const offCentre = (x: number, y: number) => (2 * x - bx1 - bx2) ** 2 + (2 * y - by1 - by2) ** 2;
  const depth = (x: number, y: number, distance: number) => distance;
  const everywhere = () => true;
  const first = best(distances, width, height, {
    eligible: everywhere,
    primary: depth,
    secondary: (x, y) => -offCentre(x, y),
  });
  if (!first) return null;
  const [fx, fy] = first;
  const radiusSquared = distances[fy * width + fx] as number;
  const fromFirst = (x: number, y: number) => (x - fx) ** 2 + (y - fy) ** 2;
  const deepestWhere = (eligible: Ranking['eligible']) =>
    best(distances, width, height, { eligible, primary: depth, secondary: fromFirst });
  const outside = deepestWhere((x, y) => fromFirst(x, y) > radiusSquared);
  const outsideDepth = outside ? (distances[outside[1] * width + outside[0]] as number) : 0;
  const second =
    (outsideDepth >= radiusSquared * SLIVER_RATIO_SQUARED ? outside : null) ??
    deepestWhere((x, y) => 4 * fromFirst(x, y) >= radiusSquared) ??
    best(distances, width, height, { eligible: everywhere, primary: fromFirst, secondary: () => 0 }) ??
    first;
  return { first, second, radiusSquared };
}

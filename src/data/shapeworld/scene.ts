// Scene layout: samples the background and 3–8 non-overlapping objects (shape, colour, size, position) from a seed.
import {
  COLOURS,
  COLOUR_JITTER,
  COLOUR_RGB,
  FRAME,
  SHAPES,
  SIZE_RADIUS,
  type Colour,
  type Rgb,
  type Shape,
  type Size,
} from './attributes';
import type { Random } from './random';

export interface SceneObject {
  shape: Shape;
  colour: Colour;
  size: Size;
  /** Centre in the 840 frame (integer). */
  x: number;
  y: number;
  /** Half extent in 840 px (integer): the shape fits in the box centre ± radius. */
  radius: number;
  /** The drawn colour: the base colour of `colour` with a small jitter. */
  rgb: Rgb;
}

export const PATTERNS = ['plain', 'stripes', 'checker', 'noise'] as const;
export type Pattern = (typeof PATTERNS)[number];
export type StripeDirection = 'horizontal' | 'vertical' | 'diagonal';

export interface Background {
  pattern: Pattern;
  /** Mean colour, a light grey with a faint tint. */
  rgb: Rgb;
  /** Peak deviation of the texture per channel (0 for plain). */
  amplitude: number;
  /** Stripe width, checker cell or noise cell in 840 px. */
  period: number;
  direction: StripeDirection;
  /** Seed of the noise texture. */
  seed: number;
}

export interface Scene {
  background: Background;
  objects: SceneObject[];
}

export const MIN_OBJECTS = 3;
export const MAX_OBJECTS = 8;
/** Minimum empty space between the boxes of two objects, so masks never touch, even at 96 px. */
export const OBJECT_GAP = 24;
/** Minimum distance between an object's box and the image border. */
export const BORDER = 16;
const PLACEMENT_TRIES = 80;

const PATTERN_WEIGHTS: readonly (readonly [Pattern, number])[] = [
  ['plain', 0.4],
  ['stripes', 0.2],
  ['checker', 0.2],
  ['noise', 0.2],
];

/** Larger scenes get smaller objects on average, so that 8 objects still fit without overlapping. */
function sizeWeights(objectCount: number): readonly (readonly [Size, number])[] {
  const crowded = objectCount >= 6;
  return [
    ['small', crowded ? 0.45 : 0.33],
    ['medium', crowded ? 0.35 : 0.37],
    ['large', crowded ? 0.2 : 0.3],
  ];
}

export function sampleBackground(random: Random): Background {
  const pattern = random.weighted(PATTERN_WEIGHTS);
  const grey = random.int(200, 240);
  const rgb: Rgb = [grey + random.int(-6, 6), grey + random.int(-6, 6), grey + random.int(-6, 6)];
  return {
    pattern,
    rgb,
    amplitude: pattern === 'plain' ? 0 : random.int(4, 12),
    period: random.int(10, 40),
    direction: random.pick(['horizontal', 'vertical', 'diagonal'] as const),
    seed: random.uint32(),
  };
}

function jitteredColour(colour: Colour, random: Random): Rgb {
  const channel = (value: number) =>
    Math.min(255, Math.max(0, value + random.int(-COLOUR_JITTER, COLOUR_JITTER)));
  const [r, g, b] = COLOUR_RGB[colour];
  return [channel(r), channel(g), channel(b)];
}

/** Two objects are separate when their boxes (centre ± radius) are OBJECT_GAP apart along some axis. */
export function boxesSeparate(a: Pick<SceneObject, 'x' | 'y' | 'radius'>, b: typeof a): boolean {
  const reach = a.radius + b.radius + OBJECT_GAP;
  return Math.abs(a.x - b.x) >= reach || Math.abs(a.y - b.y) >= reach;
}

function findPosition(
  radius: number,
  placed: readonly SceneObject[],
  random: Random,
): [number, number] | null {
  const low = BORDER + radius;
  const high = FRAME - 1 - BORDER - radius;
  for (let attempt = 0; attempt < PLACEMENT_TRIES; attempt++) {
    const x = random.int(low, high);
    const y = random.int(low, high);
    if (placed.every((other) => boxesSeparate({ x, y, radius }, other))) return [x, y];
  }
  return null;
}

/**
 * Places up to `count` objects; an object that does not fit is retried small, then skipped, so a crowded
 * scene may end up with fewer objects (never fewer than MIN_OBJECTS in practice: three always fit).
 */
function placeObjects(count: number, random: Random): SceneObject[] {
  const objects: SceneObject[] = [];
  for (let i = 0; i < count; i++) {
    let size = random.weighted(sizeWeights(count));
    const shape = random.pick(SHAPES);
    const colour = random.pick(COLOURS);
    let [low, high] = SIZE_RADIUS[size];
    let radius = random.int(low, high);
    let position = findPosition(radius, objects, random);
    if (!position && size !== 'small') {
      size = 'small';
      [low, high] = SIZE_RADIUS.small;
      radius = random.int(low, high);
      position = findPosition(radius, objects, random);
    }
    if (!position) continue;
    const [x, y] = position;
    objects.push({ shape, colour, size, x, y, radius, rgb: jitteredColour(colour, random) });
  }
  return objects;
}

export function sampleScene(random: Random): Scene {
  const background = sampleBackground(random);
  const objects = placeObjects(random.int(MIN_OBJECTS, MAX_OBJECTS), random);
  return { background, objects };
}

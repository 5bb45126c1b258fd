// The vocabulary of ShapeWorld-Reason: the frame, shapes, colours and sizes with their names and numbers.

/** Ground truth always lives in the 840×840 frame of the released PixelThink models. */
export const FRAME = 840;

export const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'star', 'ring'] as const;
export type Shape = (typeof SHAPES)[number];

export const COLOURS = ['red', 'orange', 'yellow', 'green', 'blue', 'purple'] as const;
export type Colour = (typeof COLOURS)[number];

export const SIZES = ['small', 'medium', 'large'] as const;
export type Size = (typeof SIZES)[number];

export type Rgb = [number, number, number];
export type Point = [number, number];
/** Inclusive pixel box [x1, y1, x2, y2]. */
export type Box = [number, number, number, number];

/** Base colours, far apart in hue so that each name is unambiguous even after a small per-object jitter. */
export const COLOUR_RGB: Record<Colour, Rgb> = {
  red: [214, 39, 40],
  orange: [245, 130, 20],
  yellow: [236, 206, 26],
  green: [44, 160, 60],
  blue: [36, 92, 214],
  purple: [138, 60, 182],
};

/** How far each channel of an object's colour may stray from its base colour. */
export const COLOUR_JITTER = 14;

/**
 * Half extent r (840 px) of each size class. The gaps between classes (64→78, 96→112) keep "small" and
 * "large" readable at 96 px too.
 */
export const SIZE_RADIUS: Record<Size, [number, number]> = {
  small: [50, 64],
  medium: [78, 96],
  large: [112, 132],
};

/**
 * Area of each shape divided by r², from its geometry in shapes.ts. Superlatives compare areas as well as
 * extents so that "the largest" is never a matter of opinion.
 */
export const AREA_PER_RADIUS_SQUARED: Record<Shape, number> = {
  circle: 3.14159,
  square: 2.89,
  triangle: 2,
  diamond: 2,
  star: 1.47,
  ring: 2.19,
};

/** The article before a word ("a" / "an"). */
export function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

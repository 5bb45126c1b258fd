// Tests of the query program evaluator on hand-built scenes: each operation, and the refusals of unclear cases.
import { describe, expect, it } from 'vitest';
import type { Colour, Shape, Size } from './attributes';
import { evaluate, filterChain, resolve, type Program } from './program';
import type { Scene, SceneObject } from './scene';

function object(
  shape: Shape,
  colour: Colour,
  x: number,
  y: number,
  size: Size = 'medium',
  radius = 80,
): SceneObject {
  return { shape, colour, size, x, y, radius, rgb: [0, 0, 0] };
}

const plain: Scene['background'] = {
  pattern: 'plain',
  rgb: [220, 220, 220],
  amplitude: 0,
  period: 10,
  direction: 'horizontal',
  seed: 0,
};

/** 0 red circle left, 1 blue circle middle (large), 2 red square right, 3 green star below the blue circle. */
const scene: Scene = {
  background: plain,
  objects: [
    object('circle', 'red', 150, 300),
    object('circle', 'blue', 420, 300, 'large', 120),
    object('square', 'red', 700, 300, 'small', 60),
    object('star', 'green', 430, 650),
  ],
};

const circles = filterChain([{ attribute: 'shape', value: 'circle', negate: false }]);
const red = filterChain([{ attribute: 'colour', value: 'red', negate: false }]);

describe('evaluate', () => {
  it('filters by attribute, and by negated attribute', () => {
    expect(evaluate(circles, scene)).toEqual({ members: [0, 1] });
    expect(
      resolve(
        filterChain([
          { attribute: 'colour', value: 'red', negate: false },
          { attribute: 'shape', value: 'circle', negate: true },
        ]),
        scene,
      ),
    ).toBe(2);
    expect(resolve(circles, scene)).toBeNull();
  });

  it('orders by position and size, with ranks', () => {
    expect(resolve({ op: 'extreme', key: 'x', order: 'min', rank: 0, of: red }, scene)).toBe(0);
    expect(resolve({ op: 'extreme', key: 'x', order: 'max', rank: 0, of: red }, scene)).toBe(2);
    expect(resolve({ op: 'extreme', key: 'x', order: 'min', rank: 1, of: circles }, scene)).toBe(1);
    // Second from the left of everything: the blue circle (x 420) and the star (x 430) are too close to order.
    expect(
      evaluate({ op: 'extreme', key: 'x', order: 'min', rank: 1, of: { op: 'scene' } }, scene),
    ).toHaveProperty('unclear');
    expect(resolve({ op: 'extreme', key: 'size', order: 'max', rank: 0, of: circles }, scene)).toBe(1);
    expect(resolve({ op: 'extreme', key: 'size', order: 'min', rank: 0, of: red }, scene)).toBe(2);
    expect(evaluate({ op: 'extreme', key: 'x', order: 'min', rank: 5, of: red }, scene)).toEqual({
      members: [],
    });
  });

  it('finds the nearest object in a direction from a unique anchor', () => {
    const blueCircle = filterChain([{ attribute: 'colour', value: 'blue', negate: false }]);
    expect(resolve({ op: 'relate', relation: 'below', anchor: blueCircle, of: { op: 'scene' } }, scene)).toBe(
      3,
    );
    expect(resolve({ op: 'relate', relation: 'left', anchor: blueCircle, of: { op: 'scene' } }, scene)).toBe(
      0,
    );
    expect(
      resolve({ op: 'relate', relation: 'above', anchor: blueCircle, of: { op: 'scene' } }, scene),
    ).toBeNull();
    expect(
      evaluate({ op: 'relate', relation: 'below', anchor: circles, of: { op: 'scene' } }, scene),
    ).toHaveProperty('unclear');
  });

  it('follows a same-attribute hop and excludes the anchor', () => {
    const leftmostCircle: Program = { op: 'extreme', key: 'x', order: 'min', rank: 0, of: circles };
    const notCircle = filterChain([{ attribute: 'shape', value: 'circle', negate: true }]);
    expect(resolve({ op: 'same', attribute: 'colour', anchor: leftmostCircle, of: notCircle }, scene)).toBe(
      2,
    );
    expect(
      resolve({ op: 'same', attribute: 'shape', anchor: leftmostCircle, of: { op: 'scene' } }, scene),
    ).toBe(1);
  });

  it('calls positions closer than the margin unclear instead of guessing', () => {
    const close: Scene = {
      background: plain,
      objects: [object('circle', 'red', 300, 200), object('circle', 'blue', 320, 600)],
    };
    expect(
      evaluate({ op: 'extreme', key: 'x', order: 'min', rank: 0, of: { op: 'scene' } }, close),
    ).toHaveProperty('unclear');
    expect(resolve({ op: 'extreme', key: 'y', order: 'min', rank: 0, of: { op: 'scene' } }, close)).toBe(0);
  });

  it('calls sizes unclear unless both extent and area differ by the ratio', () => {
    // A large star (area 1.47 r²) is not clearly bigger than a medium square (2.89 r²).
    const mixed: Scene = {
      background: plain,
      objects: [
        object('star', 'red', 200, 200, 'large', 120),
        object('square', 'blue', 600, 600, 'medium', 96),
      ],
    };
    expect(
      evaluate({ op: 'extreme', key: 'size', order: 'max', rank: 0, of: { op: 'scene' } }, mixed),
    ).toHaveProperty('unclear');
  });

  it('calls objects on the edge of a direction cone unclear', () => {
    const diagonal: Scene = {
      background: plain,
      objects: [object('circle', 'red', 200, 200), object('square', 'blue', 500, 510)],
    };
    const anchor = filterChain([{ attribute: 'shape', value: 'circle', negate: false }]);
    expect(
      evaluate({ op: 'relate', relation: 'below', anchor, of: { op: 'scene' } }, diagonal),
    ).toHaveProperty('unclear');
  });
});

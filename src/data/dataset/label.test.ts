// Unit tests of the label rules: validation with typed errors, image ↔ 840-frame coordinates, labels from a mask, the estimate.
import { describe, expect, it } from 'vitest';
import { LabelError } from './errors';
import {
  boxToFrame,
  estimateDifficulty,
  fromFrame,
  groundTruthProblem,
  labelFromMask,
  toFrame,
  validateLabel,
  type LabelInput,
} from './label';

const good: LabelInput = {
  bbox: [10, 20, 300, 400],
  points: [
    [50, 60],
    [200, 300],
  ],
  query: '  the red circle left of the square  ',
  difficulty: 6.5,
  difficultySource: 'user',
};

function refusal(input: Partial<LabelInput>): LabelError {
  try {
    validateLabel({ ...good, ...input });
  } catch (err) {
    if (err instanceof LabelError) return err;
    throw err;
  }
  throw new Error('the label was accepted');
}

describe('validateLabel', () => {
  it('accepts a box, two points inside it, a query and a difficulty, and trims the query', () => {
    const label = validateLabel(good);
    expect(label).toEqual({ ...good, query: 'the red circle left of the square' });
  });

  it('keeps no difficulty as null (it then counts as 3.0) and drops the source with it', () => {
    expect(validateLabel({ ...good, difficulty: null }).difficultySource).toBeNull();
  });

  it('refuses each missing or wrong part with its own code', () => {
    expect(refusal({ bbox: null }).code).toBe('no-box');
    expect(refusal({ points: [[50, 60]] }).code).toBe('no-points');
    expect(refusal({ points: [[50, 60]] }).message).toContain('1 of 2');
    expect(refusal({ bbox: [300, 20, 10, 400] }).code).toBe('bad-box');
    expect(refusal({ bbox: [10, 20, 300, 840] }).code).toBe('bad-box');
    expect(refusal({ bbox: [10.5, 20, 300, 400] }).code).toBe('bad-box');
    const outside = refusal({
      points: [
        [5, 60],
        [200, 300],
      ],
    });
    expect(outside.code).toBe('bad-points');
    expect(outside.message).toContain('(5, 60)');
    expect(refusal({ query: '   ' }).code).toBe('no-query');
    expect(refusal({ query: 'x'.repeat(1001) }).code).toBe('bad-query');
    expect(refusal({ difficulty: 0.5 }).code).toBe('bad-difficulty');
    expect(refusal({ difficulty: Number.NaN }).code).toBe('bad-difficulty');
  });
});

describe('groundTruthProblem', () => {
  it('allows a one-pixel box with both points on it', () => {
    expect(
      groundTruthProblem({
        bbox: [5, 5, 5, 5],
        points: [
          [5, 5],
          [5, 5],
        ],
      }),
    ).toBeNull();
  });
});

describe('image ↔ 840 frame', () => {
  const image = { width: 1680, height: 420 };

  it('stretches each axis on its own (aspect ratio not kept), rounds and clamps', () => {
    expect(toFrame([840, 210], image)).toEqual([420, 420]);
    expect(toFrame([1679.9, 419.9], image)).toEqual([839, 839]);
    expect(toFrame([-3, 0], image)).toEqual([0, 0]);
    expect(fromFrame([420, 420], image)).toEqual([840, 210]);
  });

  it('orders the corners of a box dragged in any direction', () => {
    expect(boxToFrame([1000, 300, 200, 100], image)).toEqual([100, 200, 500, 600]);
  });
});

describe('labelFromMask', () => {
  it('takes the box and two inscribed-circle points of a mask at image size, in the 840 frame', () => {
    // A 420×420 image with a 100×50 rectangle: twice as large in the frame.
    const [width, height] = [420, 420];
    const mask = new Uint8Array(width * height);
    for (let y = 100; y < 150; y++) for (let x = 50; x < 150; x++) mask[y * width + x] = 1;
    const label = labelFromMask(mask, { width, height });
    expect(label.bbox).toEqual([100, 200, 299, 299]);
    expect(groundTruthProblem(label)).toBeNull();
    // A 2:1 rectangle: the two circles sit side by side on its middle row.
    const [[ax, ay], [bx, by]] = label.points;
    expect(Math.abs(ax - bx)).toBeGreaterThan(50);
    expect(Math.abs(ay - 249.5)).toBeLessThanOrEqual(1);
    expect(Math.abs(by - 249.5)).toBeLessThanOrEqual(1);
  });

  it('refuses an empty mask', () => {
    expect(() => labelFromMask(new Uint8Array(64), { width: 8, height: 8 })).toThrow(LabelError);
  });
});

describe('estimateDifficulty', () => {
  it("takes a ShapeWorld sample's score, else 1 + 9u from the policy's uncertainty, else nothing", () => {
    expect(estimateDifficulty({ shapeworld: 6.04, uncertainty: 0.9 })).toMatchObject({
      value: 6,
      source: 'shapeworld',
    });
    expect(estimateDifficulty({ shapeworld: null, uncertainty: 0.25 })).toMatchObject({
      value: 3.3,
      source: 'estimated',
    });
    expect(estimateDifficulty({ shapeworld: null, uncertainty: null })).toBeNull();
  });
});

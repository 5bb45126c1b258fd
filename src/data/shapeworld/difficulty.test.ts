// Tests of the difficulty formula: its terms on hand-built programs, its monotonicity, clamping and rounding.
import { describe, expect, it } from 'vitest';
import { difficultyFromTerms, reasoningSteps, type DifficultyTerms } from './difficulty';
import { filterChain, type Program } from './program';

const redCircle = filterChain([
  { attribute: 'colour', value: 'red', negate: false },
  { attribute: 'shape', value: 'circle', negate: false },
]);

const base: DifficultyTerms = { steps: 1, distractors: 0, smallTarget: 0, objects: 3, textured: 0 };

describe('difficulty', () => {
  it('counts reasoning steps per operation, anchors included', () => {
    expect(reasoningSteps(redCircle)).toBe(2);
    expect(reasoningSteps(filterChain([{ attribute: 'colour', value: 'red', negate: true }]))).toBe(1.5);
    expect(reasoningSteps({ op: 'extreme', key: 'x', order: 'min', rank: 1, of: { op: 'scene' } })).toBe(1.5);
    const relation: Program = { op: 'relate', relation: 'below', anchor: redCircle, of: filterChain([]) };
    expect(reasoningSteps(relation)).toBe(4);
    const hop: Program = {
      op: 'same',
      attribute: 'colour',
      anchor: {
        op: 'extreme',
        key: 'size',
        order: 'min',
        rank: 0,
        of: filterChain([{ attribute: 'shape', value: 'circle', negate: false }]),
      },
      of: filterChain([{ attribute: 'shape', value: 'circle', negate: true }]),
    };
    expect(reasoningSteps(hop)).toBe(5.5);
  });

  it('is 1 for the easiest case and follows the documented weights', () => {
    expect(difficultyFromTerms(base)).toBe(1);
    expect(difficultyFromTerms({ steps: 4, distractors: 3, smallTarget: 1, objects: 7, textured: 1 })).toBe(
      Math.round((1 + 3 + 0.9 + 0.6 + 1 + 0.2) * 10) / 10,
    );
  });

  it('grows with every term', () => {
    const d = difficultyFromTerms({ ...base, steps: 2, distractors: 1, smallTarget: 0.5, objects: 5 });
    for (const change of [
      { steps: 3 },
      { distractors: 2 },
      { smallTarget: 1 },
      { objects: 6 },
      { textured: 1 },
    ])
      expect(
        difficultyFromTerms({ ...base, steps: 2, distractors: 1, smallTarget: 0.5, objects: 5, ...change }),
      ).toBeGreaterThan(d);
  });

  it('is clamped to 10 and has one decimal', () => {
    expect(difficultyFromTerms({ steps: 20, distractors: 20, smallTarget: 1, objects: 8, textured: 1 })).toBe(
      10,
    );
    expect(difficultyFromTerms({ ...base, distractors: 1 })).toBe(1.3);
  });
});

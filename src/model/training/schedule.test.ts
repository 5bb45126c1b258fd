// The learning-rate schedule: warm-up, cosine to the floor, and a restart at startStep.
import { describe, expect, it } from 'vitest';
import { learningRate } from './schedule';

const OPTIONS = { lr: 1, steps: 110, warmupSteps: 10, finalLrRatio: 0.1 };

describe('learningRate', () => {
  it('warms up linearly, then follows the cosine down to the floor', () => {
    expect(learningRate(OPTIONS, 0)).toBeCloseTo(0.1);
    expect(learningRate(OPTIONS, 9)).toBeCloseTo(1);
    expect(learningRate(OPTIONS, 60)).toBeCloseTo(0.55);
    expect(learningRate(OPTIONS, 500)).toBeCloseTo(0.1);
  });

  it('restarted at startStep, runs the same shape from there to steps', () => {
    const restarted = { ...OPTIONS, startStep: 1000, steps: 1110 };
    for (const step of [0, 9, 60, 110]) {
      expect(learningRate(restarted, 1000 + step)).toBeCloseTo(learningRate(OPTIONS, step));
    }
  });
});

// Tests of the evaluation metrics: mask counts, gIoU vs cIoU, unparsed samples, per-level summaries and means.
import { describe, expect, it } from 'vitest';
import { MetricsInputError } from './errors';
import {
  SegmentationMetrics,
  countForeground,
  maskIntersectionUnion,
  maskIoU,
  sampleCounts,
} from './metrics';

const mask = (bits: string) => Uint8Array.from(bits, (bit) => (bit === '1' ? 1 : 0));

describe('mask counts', () => {
  it('count intersection and union of non-zero pixels', () => {
    expect(maskIntersectionUnion(mask('1100'), mask('0110'))).toEqual({ intersection: 1, union: 3 });
    expect(maskIoU(mask('1100'), mask('0110'))).toBeCloseTo(1 / 3, 15);
    expect(maskIoU(new Float32Array([0.7, 0]), Uint8Array.from([255, 0]))).toBe(1);
  });

  it('give 0 for two empty masks', () => expect(maskIoU(mask('000'), mask('000'))).toBe(0));

  it('count an unparsed answer as I = 0, U = |GT|', () => {
    expect(sampleCounts(null, mask('0111'))).toEqual({ intersection: 0, union: 3 });
    expect(countForeground(mask('0111'))).toBe(3);
  });

  it('refuse masks of different sizes', () => {
    expect(() => maskIntersectionUnion(mask('11'), mask('111'))).toThrow(MetricsInputError);
  });
});

describe('SegmentationMetrics', () => {
  it('computes gIoU (mean of ratios) and cIoU (ratio of sums) per level and overall', () => {
    const metrics = new SegmentationMetrics();
    metrics.add({ level: 'easy', counts: { intersection: 1, union: 2 }, words: 10, tokens: 20, reward: 4 });
    metrics.add({
      level: 'easy',
      counts: { intersection: 90, union: 100 },
      words: 30,
      tokens: 40,
      reward: 2,
    });
    metrics.addMasks(null, mask('1111'), { level: 'hard', uncertainty: 0.5 });
    const { overall, byLevel } = metrics.summary();

    expect(byLevel.easy.gIoU).toBeCloseTo((0.5 + 0.9) / 2, 15);
    expect(byLevel.easy.cIoU).toBeCloseTo(91 / 102, 15);
    expect(byLevel.hard).toMatchObject({
      count: 1,
      gIoU: 0,
      cIoU: 0,
      union: 4,
      meanUncertainty: 0.5,
      meanWords: null,
    });
    expect(byLevel.medium).toMatchObject({ count: 0, gIoU: null, cIoU: null });
    expect(overall.count).toBe(3);
    expect(overall.gIoU).toBeCloseTo((0.5 + 0.9 + 0) / 3, 15);
    expect(overall.cIoU).toBeCloseTo(91 / 106, 15);
    // Means only over the samples that report the quantity.
    expect(overall.meanWords).toBe(20);
    expect(overall.meanTokens).toBe(30);
    expect(overall.meanReward).toBe(3);
  });

  it('averages timings per stage and computes tokens per second from the generation stage', () => {
    const metrics = new SegmentationMetrics('generate');
    const counts = { intersection: 1, union: 1 };
    metrics.add({ level: 'medium', counts, tokens: 100, timingsMs: { generate: 2000, segment: 100 } });
    metrics.add({ level: 'medium', counts, tokens: 50, timingsMs: { generate: 1000 } });
    const summary = metrics.summary().overall;
    expect(summary.meanTimingsMs).toEqual({ generate: 1500, segment: 100 });
    expect(summary.tokensPerSecond).toBe(50);
    metrics.reset();
    expect(metrics.summary().overall.count).toBe(0);
  });

  it('rejects impossible counts and unknown levels', () => {
    const metrics = new SegmentationMetrics();
    expect(() => metrics.add({ level: 'easy', counts: { intersection: 3, union: 2 } })).toThrow(
      MetricsInputError,
    );
    expect(() => metrics.add({ level: 'extreme' as 'easy', counts: { intersection: 0, union: 0 } })).toThrow(
      expect.objectContaining({ field: 'level' }),
    );
    expect(() => metrics.add({ level: 'easy', counts: { intersection: 0, union: 1 }, reward: NaN })).toThrow(
      expect.objectContaining({ field: 'reward' }),
    );
  });
});

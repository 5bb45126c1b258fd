// End-to-end tests of the harness with the oracles and with policies that fail in known ways.
import { beforeAll, describe, expect, it } from 'vitest';
import { RewardParamError } from '../rl/index';
import type { RewardParams } from '../rl/index';
import { EvalOptionError, RunnerOutputError } from './errors';
import { evaluate, evaluateItems } from './evaluate';
import type { ItemsReport } from './evaluate';
import { createOraclePolicy } from './oracle-policy';
import { createOracleSegmenter } from './oracle-segmenter';
import { shapeWorldItems } from './shapeworld-items';
import { atRenderSize, garbagePolicy, wrongObjectPolicy } from './test-support';
import type { EvalItem, EvalProgress, PolicyRunner } from './types';

const SAMPLES = 30;
const oracle = createOraclePolicy('short');
const oracleLong = createOraclePolicy('long');
const segmenter = createOracleSegmenter();

describe('evaluate with the oracle pair', () => {
  it('scores gIoU 1 and cIoU 1 on every level, with full accuracy and a progress call per sample', async () => {
    const progress: EvalProgress[] = [];
    const summary = await evaluate('test', {
      n: SAMPLES,
      policy: oracle,
      segmenter,
      onProgress: (p) => progress.push(p),
    });
    expect(summary.count).toBe(SAMPLES);
    expect(summary.overall.gIoU).toBe(1);
    expect(summary.overall.cIoU).toBe(1);
    expect(summary.overall.meanAccuracy).toBe(5);
    expect(summary.overall.unparsed).toBe(0);
    for (const level of ['easy', 'medium', 'hard'] as const) {
      expect(summary.byLevel[level].count).toBeGreaterThan(0);
      expect(summary.byLevel[level].gIoU).toBe(1);
    }
    expect(progress.map((p) => p.done)).toEqual(Array.from({ length: SAMPLES }, (_, i) => i + 1));
    expect(summary.rows[0]?.id).toBe('sw1-test-000000');
  });

  it('reports words, tokens, uncertainty and the time of every stage', async () => {
    const summary = await evaluate('test', { n: 3, offset: 10, policy: oracle, segmenter });
    const row = summary.rows[0];
    expect(row?.id).toBe('sw1-test-000010');
    expect(row?.tokens).toBe(row?.words);
    expect(row?.uncertainty).toBe(0);
    expect(Object.keys(row?.timingsMs ?? {}).sort()).toEqual(['generate', 'render', 'segment']);
    expect(summary.overall.meanUncertainty).toBe(0);
    expect(summary.overall.tokensPerSecond).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });

  it('renders at the sizes the runners ask for and scales the answer to the segmenter image', async () => {
    const seenWidths: number[] = [];
    const watchingPolicy: PolicyRunner = {
      ...atRenderSize(oracle, 224),
      answer: (input) => {
        seenWidths.push(input.image.width);
        return oracle.answer(input);
      },
    };
    const summary = await evaluate('test', {
      n: 5,
      policy: watchingPolicy,
      segmenter: atRenderSize(segmenter, 420),
    });
    expect(seenWidths).toEqual([224, 224, 224, 224, 224]);
    expect(summary.segmenter.renderSize).toBe(420);
    expect(summary.overall.gIoU).toBe(1);
  });
});

describe('reward settings through the harness', () => {
  let items: EvalItem[];
  const run = (policy: PolicyRunner, rewardParams: Partial<RewardParams>): Promise<ItemsReport> =>
    evaluateItems(items, items.length, { policy, segmenter, rewardParams });

  beforeAll(() => {
    // Rendered once: the four runs below differ only in policy and reward settings.
    items = [...shapeWorldItems('test', 0, SAMPLES, { policy: 840, segmenter: 840 })];
  });

  it('gives the long reference a lower mean reward on easy samples under the PixelThink preset', async () => {
    const short = await run(oracle, { preset: 'pixelthink' });
    const long = await run(oracleLong, { preset: 'pixelthink' });
    expect(long.byLevel.easy.meanReward).toBeLessThan(short.byLevel.easy.meanReward ?? 0);
    expect(long.byLevel.easy.meanAccuracy).toBe(5);
    expect(long.overall.gIoU).toBe(1);
    expect(long.byLevel.easy.meanWords).toBeGreaterThan(short.byLevel.easy.meanWords ?? Infinity);
  });

  it('gives both references the same reward under the Seg-Zero preset', async () => {
    const short = await run(oracle, { preset: 'seg-zero' });
    const long = await run(oracleLong, { preset: 'seg-zero' });
    expect(long.byLevel.easy.meanReward).toBe(short.byLevel.easy.meanReward);
    expect(long.overall.meanReward).toBe(5);
  });

  it('measures length in reasoning tokens when asked, from the policy', async () => {
    const report = await run(oracleLong, { lengthMode: 'reasoning-tokens' });
    for (const row of report.rows) expect(row.reward.lengthUsed).toBe(row.reasoningTokens);
  });

  it('refuses the reasoning-tokens mode for a policy that does not count them', async () => {
    await expect(run(garbagePolicy(), { lengthMode: 'reasoning-tokens' })).rejects.toThrow(EvalOptionError);
  });

  it('rejects invalid reward settings before the first sample', async () => {
    await expect(run(oracle, { tau1: 2, tau2: 3 })).rejects.toThrow(RewardParamError);
  });
});

describe('evaluate with failing policies', () => {
  it('counts garbage answers as unparsed: gIoU 0, cIoU 0, reward 0, no exception', async () => {
    const summary = await evaluate('test', { n: 12, policy: garbagePolicy(), segmenter });
    expect(summary.overall.gIoU).toBe(0);
    expect(summary.overall.cIoU).toBe(0);
    expect(summary.overall.meanReward).toBe(0);
    expect(summary.overall.meanAccuracy).toBe(0);
    expect(summary.overall.unparsed).toBe(12);
    expect(summary.rows.every((row) => row.union > 0 && row.intersection === 0)).toBe(true);
  });

  it('gives a confident answer about the wrong object the wrong mask', async () => {
    const summary = await evaluate('test', { n: 10, policy: wrongObjectPolicy(), segmenter });
    expect(summary.overall.unparsed).toBe(0);
    expect(summary.overall.gIoU).toBeLessThan(1);
    for (const row of summary.rows) {
      expect(row.iou).toBeLessThan(1);
      expect(row.segmenterScore).toBe(1);
      expect(row.reward.thinkFormat).toBe(1);
    }
  });
});

describe('evaluate guards', () => {
  it('rejects ranges outside the split', async () => {
    await expect(evaluate('test', { n: 2, offset: 999, policy: oracle, segmenter })).rejects.toThrow(
      /n: must be an integer in 1..1/,
    );
    await expect(evaluate('train', { policy: oracle, segmenter })).rejects.toThrow(/endless/);
  });

  it('fails loudly when a segmenter returns a mask of the wrong size', async () => {
    const broken = {
      id: 'broken',
      segment: () => Promise.resolve({ mask: new Uint8Array(7), score: 1, timingsMs: {} }),
    };
    await expect(evaluate('test', { n: 1, policy: oracle, segmenter: broken })).rejects.toThrow(
      RunnerOutputError,
    );
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const done: number[] = [];
    const run = evaluate('test', {
      n: 20,
      policy: oracle,
      segmenter,
      signal: controller.signal,
      onProgress: (p) => {
        done.push(p.done);
        if (p.done === 2) controller.abort(new Error('stop'));
      },
    });
    await expect(run).rejects.toThrow('stop');
    expect(done).toEqual([1, 2]);
  });
});

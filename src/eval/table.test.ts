// Tests of the text table and progress line: one row per level and overall, stage columns, and no-value marks.
import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate';
import { createOraclePolicy } from './oracle-policy';
import { createOracleSegmenter } from './oracle-segmenter';
import { formatProgress } from './progress';
import { describeReward, formatSummaryTable } from './table';
import { DEFAULT_REWARD_PARAMS } from '../rl/index';

describe('formatSummaryTable', () => {
  it('shows every level, the overall row and each timed stage; empty levels show a dash', async () => {
    const progress: string[] = [];
    const summary = await evaluate('test', {
      n: 2,
      policy: createOraclePolicy('short'),
      segmenter: createOracleSegmenter(),
      onProgress: (p) => progress.push(formatProgress(p)),
    });
    const table = formatSummaryTable(summary);
    const header = table.split('\n').find((line) => line.startsWith('level'));
    expect(header).toMatch(/render ms\s+generate ms\s+segment ms\s+tok\/s$/);
    for (const level of ['easy', 'medium', 'hard', 'overall'])
      expect(table).toMatch(new RegExp(`^${level}\\s`, 'm'));
    const emptyLevel = (['easy', 'medium', 'hard'] as const).find(
      (level) => summary.byLevel[level].count === 0,
    );
    if (emptyLevel !== undefined) expect(table).toMatch(new RegExp(`^${emptyLevel}\\s+0\\s+—`, 'm'));
    expect(table).toContain('on test [0..1]: 2 samples');
    expect(progress[1]).toMatch(/^2\/2 samples · gIoU 100\.00/);
  });

  it('describes the reward settings', () => {
    expect(describeReward(DEFAULT_REWARD_PARAMS)).toContain('pixelthink preset, τ1 5, τ2 3.5, γ 1');
    expect(describeReward({ ...DEFAULT_REWARD_PARAMS, preset: 'seg-zero' })).toContain('no length factor');
  });
});

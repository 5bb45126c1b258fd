// Running per-level aggregation of sample rows: src/rl's SegmentationMetrics plus accuracy, unparsed and think tokens.
import { SegmentationMetrics } from '../rl/index';
import type { DifficultyLevel, GroupSummary } from '../rl/index';
import { STAGES } from './timing';
import type { LevelReport, SampleRow } from './types';

/** What SegmentationMetrics does not track: accuracy reward, unusable answers, tokens inside <think>. */
class Extras {
  private count = 0;
  private accuracySum = 0;
  private unparsed = 0;
  private reasoningTokensSum = 0;
  private reasoningTokensCount = 0;

  add(row: SampleRow): void {
    this.count++;
    this.accuracySum += row.reward.accuracy;
    if (!row.parsed) this.unparsed++;
    if (row.reasoningTokens !== null) {
      this.reasoningTokensSum += row.reasoningTokens;
      this.reasoningTokensCount++;
    }
  }

  report(group: GroupSummary): LevelReport {
    return {
      ...group,
      meanAccuracy: this.count === 0 ? null : this.accuracySum / this.count,
      unparsed: this.unparsed,
      meanReasoningTokens:
        this.reasoningTokensCount === 0 ? null : this.reasoningTokensSum / this.reasoningTokensCount,
    };
  }
}

export interface LevelReports {
  overall: LevelReport;
  byLevel: Record<DifficultyLevel, LevelReport>;
}

export class EvalAccumulator {
  private readonly metrics = new SegmentationMetrics(STAGES.generate);
  private readonly overall = new Extras();
  private readonly byLevel: Record<DifficultyLevel, Extras> = {
    easy: new Extras(),
    medium: new Extras(),
    hard: new Extras(),
  };

  add(row: SampleRow): void {
    this.metrics.add({
      level: row.level,
      counts: { intersection: row.intersection, union: row.union },
      words: row.words,
      tokens: row.tokens,
      uncertainty: row.uncertainty ?? undefined,
      reward: row.reward.reward,
      timingsMs: row.timingsMs,
    });
    this.overall.add(row);
    this.byLevel[row.level].add(row);
  }

  report(): LevelReports {
    const summary = this.metrics.summary();
    const level = (name: DifficultyLevel) => this.byLevel[name].report(summary.byLevel[name]);
    return {
      overall: this.overall.report(summary.overall),
      byLevel: { easy: level('easy'), medium: level('medium'), hard: level('hard') },
    };
  }
}

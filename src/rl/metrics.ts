// Evaluation metrics (method.md §7): mask IoU counts, gIoU and cIoU per difficulty level and overall, with means.
import { MetricsInputError } from './errors';
import { DIFFICULTY_LEVELS } from './types';
import type { DifficultyLevel } from './types';

/** A binary mask, row-major; any non-zero value is foreground. */
export type MaskLike = ArrayLike<number>;

export interface MaskCounts {
  intersection: number;
  union: number;
}

export function countForeground(mask: MaskLike): number {
  let count = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) count++;
  return count;
}

export function maskIntersectionUnion(predicted: MaskLike, truth: MaskLike): MaskCounts {
  if (predicted.length !== truth.length) {
    throw new MetricsInputError(
      'predicted',
      `has ${predicted.length} pixels, the ground truth ${truth.length}`,
    );
  }
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < truth.length; i++) {
    const inPredicted = Boolean(predicted[i]);
    const inTruth = Boolean(truth[i]);
    if (inPredicted && inTruth) intersection++;
    if (inPredicted || inTruth) union++;
  }
  return { intersection, union };
}

/** I / U, with 0 for an empty union (both masks empty), as the gIoU convention wants. */
export function iouFromCounts(counts: MaskCounts): number {
  return counts.union === 0 ? 0 : counts.intersection / counts.union;
}

export function maskIoU(predicted: MaskLike, truth: MaskLike): number {
  return iouFromCounts(maskIntersectionUnion(predicted, truth));
}

/** A sample whose answer could not be parsed has no mask: it scores I = 0 and U = |ground truth|. */
export function sampleCounts(predicted: MaskLike | null, truth: MaskLike): MaskCounts {
  if (predicted === null) return { intersection: 0, union: countForeground(truth) };
  return maskIntersectionUnion(predicted, truth);
}

export interface EvalSample {
  level: DifficultyLevel;
  /** Intersection and union of this sample (see sampleCounts, or SegmentationMetrics.addMasks). */
  counts: MaskCounts;
  /** Whitespace words of the response. */
  words?: number;
  /** Reasoning tokens of the response. */
  tokens?: number;
  uncertainty?: number;
  reward?: number;
  /** Milliseconds per pipeline stage (e.g. 'generate', 'segment'). */
  timingsMs?: Readonly<Record<string, number>>;
}

export interface GroupSummary {
  count: number;
  /** Mean of per-sample I/U, 0..1; null without samples. */
  gIoU: number | null;
  /** ΣI / ΣU, 0..1; null without samples (or with ΣU = 0). */
  cIoU: number | null;
  intersection: number;
  union: number;
  meanWords: number | null;
  meanTokens: number | null;
  meanUncertainty: number | null;
  meanReward: number | null;
  meanTimingsMs: Record<string, number>;
  /** Σ tokens / Σ time of the generation stage, over samples that report both; null otherwise. */
  tokensPerSecond: number | null;
}

export interface MetricsSummary {
  overall: GroupSummary;
  byLevel: Record<DifficultyLevel, GroupSummary>;
}

/** Running mean of an optional quantity: samples that do not report it do not count. */
class Mean {
  private sum = 0;
  private count = 0;

  add(value: number | undefined): void {
    if (value === undefined) return;
    this.sum += value;
    this.count++;
  }

  value(): number | null {
    return this.count === 0 ? null : this.sum / this.count;
  }
}

class Group {
  private count = 0;
  private intersection = 0;
  private union = 0;
  private iouSum = 0;
  private readonly words = new Mean();
  private readonly tokens = new Mean();
  private readonly uncertainty = new Mean();
  private readonly reward = new Mean();
  private readonly timings = new Map<string, Mean>();
  private throughputTokens = 0;
  private throughputMs = 0;

  constructor(private readonly generationStage: string) {}

  add(sample: EvalSample): void {
    this.count++;
    this.intersection += sample.counts.intersection;
    this.union += sample.counts.union;
    this.iouSum += iouFromCounts(sample.counts);
    this.words.add(sample.words);
    this.tokens.add(sample.tokens);
    this.uncertainty.add(sample.uncertainty);
    this.reward.add(sample.reward);
    for (const [stage, ms] of Object.entries(sample.timingsMs ?? {})) {
      const mean = this.timings.get(stage) ?? new Mean();
      mean.add(ms);
      this.timings.set(stage, mean);
    }
    const generationMs = sample.timingsMs?.[this.generationStage];
    if (sample.tokens !== undefined && generationMs !== undefined) {
      this.throughputTokens += sample.tokens;
      this.throughputMs += generationMs;
    }
  }

  summary(): GroupSummary {
    const meanTimingsMs: Record<string, number> = {};
    for (const [stage, mean] of this.timings) meanTimingsMs[stage] = mean.value() ?? 0;
    return {
      count: this.count,
      gIoU: this.count === 0 ? null : this.iouSum / this.count,
      cIoU: this.union === 0 ? null : this.intersection / this.union,
      intersection: this.intersection,
      union: this.union,
      meanWords: this.words.value(),
      meanTokens: this.tokens.value(),
      meanUncertainty: this.uncertainty.value(),
      meanReward: this.reward.value(),
      meanTimingsMs,
      tokensPerSecond: this.throughputMs > 0 ? (this.throughputTokens * 1000) / this.throughputMs : null,
    };
  }
}

function checkCounts(counts: MaskCounts): void {
  const { intersection, union } = counts;
  if (
    !Number.isSafeInteger(intersection) ||
    !Number.isSafeInteger(union) ||
    intersection < 0 ||
    union < intersection
  ) {
    throw new MetricsInputError('counts', `need 0 <= intersection <= union, got ${intersection} / ${union}`);
  }
}

function checkOptionalNumbers(sample: EvalSample): void {
  const optional: [string, number | undefined][] = [
    ['words', sample.words],
    ['tokens', sample.tokens],
    ['uncertainty', sample.uncertainty],
    ['reward', sample.reward],
    ...Object.entries(sample.timingsMs ?? {}).map(([stage, ms]): [string, number] => [
      `timingsMs.${stage}`,
      ms,
    ]),
  ];
  for (const [field, value] of optional) {
    if (value !== undefined && !Number.isFinite(value))
      throw new MetricsInputError(field, `must be finite, got ${value}`);
  }
}

interface Groups {
  overall: Group;
  byLevel: Record<DifficultyLevel, Group>;
}

function createGroups(generationStage: string): Groups {
  return {
    overall: new Group(generationStage),
    byLevel: {
      easy: new Group(generationStage),
      medium: new Group(generationStage),
      hard: new Group(generationStage),
    },
  };
}

/** Accumulates evaluation samples; summary() gives gIoU, cIoU and means overall and per difficulty level. */
export class SegmentationMetrics {
  private groups: Groups;

  /** @param generationStage the timing stage whose time divides the tokens for tokens/s */
  constructor(private readonly generationStage = 'generate') {
    this.groups = createGroups(generationStage);
  }

  add(sample: EvalSample): void {
    if (!DIFFICULTY_LEVELS.includes(sample.level))
      throw new MetricsInputError('level', `unknown level ${sample.level}`);
    checkCounts(sample.counts);
    checkOptionalNumbers(sample);
    this.groups.overall.add(sample);
    this.groups.byLevel[sample.level].add(sample);
  }

  /** Masks in, counts computed; `predicted` null means the answer could not be parsed. */
  addMasks(predicted: MaskLike | null, truth: MaskLike, rest: Omit<EvalSample, 'counts'>): void {
    this.add({ ...rest, counts: sampleCounts(predicted, truth) });
  }

  summary(): MetricsSummary {
    const { overall, byLevel } = this.groups;
    return {
      overall: overall.summary(),
      byLevel: {
        easy: byLevel.easy.summary(),
        medium: byLevel.medium.summary(),
        hard: byLevel.hard.summary(),
      },
    };
  }

  reset(): void {
    this.groups = createGroups(this.generationStage);
  }
}

// What a GRPO step reports: reward and its terms, lengths per level, the loss terms, speed, and the guard's action.
import { DIFFICULTY_LEVELS } from '../../rl/index';
import type { DifficultyLevel } from '../../rl/index';
import type { StepLoss } from './loss';
import type { RolloutGroup, ScoredResponse } from './rollout';

/** Means over one set of responses (a level, or the whole step); null fields when the set is empty. */
export interface ResponseStats {
  responses: number;
  reward: number | null;
  /** R_acc, 0..5. */
  accuracy: number | null;
  lengthFactor: number | null;
  /** Whitespace words of the whole response. */
  words: number | null;
  /** Generated tokens without the stop token. */
  tokens: number | null;
  reasoningTokens: number | null;
  uncertainty: number | null;
}

export interface AccuracyTermMeans {
  thinkFormat: number;
  answerFormat: number;
  boxIoU: number;
  boxL1: number;
  pointL1: number;
}

export type GuardReason = 'non-finite-logits' | 'non-finite-loss' | 'loss-explosion' | 'non-finite-grad-norm';

/** What the guard did on a bad step: the update was skipped and the last good checkpoint restored. */
export interface GuardAction {
  reason: GuardReason;
  detail: string;
  /** The step the restored checkpoint was taken at: training continues from there. */
  restoredToStep: number;
  /** Restores since the start of the run (part of the rollout seed, so retried steps sample afresh). */
  restarts: number;
}

export interface GrpoStepMetrics {
  /** Index of this step (0-based): the optimizer had taken `step` updates before it. */
  step: number;
  status: 'ok' | 'restored';
  guard: GuardAction | null;
  lr: number;
  rewardMean: number;
  /** Standard deviation of the rewards over the step (population). */
  rewardStd: number;
  terms: AccuracyTermMeans;
  overall: ResponseStats;
  byLevel: Record<DifficultyLevel, ResponseStats>;
  /** Share of responses that ended with the stop token (the rest hit max new tokens). */
  stoppedShare: number;
  /** Groups whose rewards were all equal (advantage 0: only KL and entropy move them). */
  flatGroups: number;
  /** Token-mean loss and its terms (NaN on a step the guard stopped before the loss). */
  loss: number;
  pgLoss: number;
  /** Mean clamped k3 KL to the reference (null when klCoef = 0). */
  kl: number | null;
  /** Mean entropy of the policy at temperature T over response tokens. */
  entropy: number;
  clipFraction: number;
  approxKl: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Response tokens the loss averaged over. */
  lossTokens: number;
  /** Tokens generated in the rollouts (stop tokens included). */
  generatedTokens: number;
  ms: number;
  rolloutMs: number;
  /** Reference + policy forward, backward and update. */
  trainMs: number;
  /** Generated tokens per second of the rollouts, and per second of the whole step. */
  rolloutTokensPerSecond: number;
  tokensPerSecond: number;
}

const mean = (values: readonly number[]): number | null =>
  values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;

export function responseStats(responses: readonly ScoredResponse[]): ResponseStats {
  const of = (pick: (r: ScoredResponse) => number | null) =>
    mean(responses.map(pick).filter((v): v is number => v !== null));
  return {
    responses: responses.length,
    reward: of((r) => r.reward.reward),
    accuracy: of((r) => r.reward.accuracy),
    lengthFactor: of((r) => r.reward.lengthFactor),
    words: of((r) => r.words),
    tokens: of((r) => r.responseTokens),
    reasoningTokens: of((r) => r.reasoningTokens),
    uncertainty: of((r) => r.uncertainty),
  };
}

export interface RolloutSummary {
  rewardMean: number;
  rewardStd: number;
  terms: AccuracyTermMeans;
  overall: ResponseStats;
  byLevel: Record<DifficultyLevel, ResponseStats>;
  stoppedShare: number;
  flatGroups: number;
  generatedTokens: number;
}

export function summariseRollouts(groups: readonly RolloutGroup[]): RolloutSummary {
  const all = groups.flatMap((g) => g.responses);
  const rewards = all.map((r) => r.reward.reward);
  const rewardMean = mean(rewards) ?? NaN;
  const term = (pick: (r: ScoredResponse) => number) => mean(all.map(pick)) ?? NaN;
  const byLevel = Object.fromEntries(
    DIFFICULTY_LEVELS.map((level) => [
      level,
      responseStats(groups.filter((g) => g.level === level).flatMap((g) => g.responses)),
    ]),
  ) as Record<DifficultyLevel, ResponseStats>;
  return {
    rewardMean,
    rewardStd: Math.sqrt(mean(rewards.map((r) => (r - rewardMean) ** 2)) ?? NaN),
    terms: {
      thinkFormat: term((r) => r.reward.thinkFormat),
      answerFormat: term((r) => r.reward.answerFormat),
      boxIoU: term((r) => r.reward.boxIoU),
      boxL1: term((r) => r.reward.boxL1),
      pointL1: term((r) => r.reward.pointL1),
    },
    overall: responseStats(all),
    byLevel,
    stoppedShare: term((r) => (r.stopped ? 1 : 0)),
    flatGroups: groups.filter((g) =>
      g.responses.every((r) => r.reward.reward === g.responses[0]?.reward.reward),
    ).length,
    generatedTokens: groups.reduce((n, g) => n + g.generatedTokens, 0),
  };
}

/** Rollout summary of no responses (a step the guard stopped during its rollouts). */
export function emptySummary(): RolloutSummary {
  return summariseRollouts([]);
}

export function stepMetrics(parts: {
  step: number;
  lr: number;
  guard: GuardAction | null;
  rollouts: RolloutSummary;
  loss: StepLoss | null;
  gradNorm: number;
  ms: number;
  rolloutMs: number;
  trainMs: number;
}): GrpoStepMetrics {
  const { rollouts, loss } = parts;
  return {
    step: parts.step,
    status: parts.guard ? 'restored' : 'ok',
    guard: parts.guard,
    lr: parts.lr,
    ...rollouts,
    loss: loss?.loss ?? NaN,
    pgLoss: loss?.pgLoss ?? NaN,
    kl: loss ? loss.kl : null,
    entropy: loss?.entropy ?? NaN,
    clipFraction: loss?.clipFraction ?? NaN,
    approxKl: loss?.approxKl ?? NaN,
    gradNorm: parts.gradNorm,
    lossTokens: loss?.tokens ?? 0,
    ms: parts.ms,
    rolloutMs: parts.rolloutMs,
    trainMs: parts.trainMs,
    rolloutTokensPerSecond: parts.rolloutMs > 0 ? (1000 * rollouts.generatedTokens) / parts.rolloutMs : 0,
    tokensPerSecond: parts.ms > 0 ? (1000 * rollouts.generatedTokens) / parts.ms : 0,
  };
}

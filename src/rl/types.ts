// Shared types of the PixelThink method core (reward, prompt, uncertainty, GRPO, metrics).

/** [x1, y1, x2, y2] in pixels of some frame (the model's 840×840 input unless said otherwise). */
export type Box = readonly [number, number, number, number];

/** [x, y] in pixels. */
export type Point = readonly [number, number];

/** What the policy answers and what the ground truth holds: one box and two positive points. */
export interface BoxPoints {
  bbox: Box;
  points: readonly [Point, Point];
}

/** Ground truth in the model frame. The released reward reads it as non-negative integers. */
export type GroundTruth = BoxPoints;

export interface ImageSize {
  width: number;
  height: number;
}

export type DifficultyLevel = 'easy' | 'medium' | 'hard';

export const DIFFICULTY_LEVELS: readonly DifficultyLevel[] = ['easy', 'medium', 'hard'];

/** 'words': whitespace word count of the whole response; 'reasoning-tokens': tokenizer tokens inside <think>. */
export type LengthMode = 'words' | 'reasoning-tokens';

/** 'pixelthink': accuracy × soft length factor; 'seg-zero': the same accuracy, no length factor. */
export type RewardPreset = 'pixelthink' | 'seg-zero';

export interface RewardParams {
  /** Hard branch from this difficulty up (τ1). */
  tau1: number;
  /** Medium branch from this difficulty up to τ1 (τ2). */
  tau2: number;
  /** Weight of the external difficulty against the policy's uncertainty; 1 is the released reward. */
  gamma: number;
  /** Budget of the easy branch (L_low). */
  lowBudget: number;
  /** Budget of the hard branch before the uncertainty bonus (L_base). */
  baseBudget: number;
  /** Extra hard budget per unit of uncertainty (α). */
  alpha: number;
  /** Factor lost per unit of length over budget (β). */
  beta: number;
  iouThreshold: number;
  boxL1Threshold: number;
  pointThreshold: number;
  lengthMode: LengthMode;
  preset: RewardPreset;
}

export interface RewardContext {
  /** External difficulty 1..10; missing (or null) counts as 3.0, as upstream. */
  difficulty?: number | null;
  /** Margin uncertainty of the response, 0..1; missing counts as 0. */
  uncertainty?: number;
  /** Tokenizer tokens inside <think>; required in 'reasoning-tokens' mode. */
  reasoningTokens?: number;
}

/** Every part of a scored response. Terms are 0 or 1, as floats, like the released code returns them. */
export interface RewardBreakdown {
  thinkFormat: number;
  answerFormat: number;
  boxIoU: number;
  boxL1: number;
  pointL1: number;
  accuracy: number;
  lengthUsed: number;
  budget: number | null;
  lengthFactor: number;
  reward: number;
  level: DifficultyLevel;
  effectiveDifficulty: number;
}

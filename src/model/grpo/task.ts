// What the GRPO trainer trains on: prompts with their ground truth, and how a response's tokens become text.
import type { DifficultyLevel, GroundTruth } from '../../rl/index';

/** One training prompt: the policy's prompt ids and what the reward needs to score an answer to it. */
export interface GrpoPrompt {
  /** Stable id (e.g. the ShapeWorld sample id), for logs. */
  id: string;
  promptIds: readonly number[];
  /** Box and points in the policy's answer frame. */
  groundTruth: GroundTruth;
  /** External difficulty 1..10; null counts as 3.0 in the reward. */
  difficulty: number | null;
  /** The level metrics are grouped by (the data's own); default: the reward's level of `difficulty`. */
  level?: DifficultyLevel;
}

/**
 * A source of prompts plus the tokenizer glue. Environment-agnostic: the ShapeWorld task renders and perceives
 * in memory, the browser's will read labelled samples from IndexedDB.
 */
export interface GrpoTask {
  /** What the run records about its data (mode, split, offsets...). */
  readonly description: Readonly<Record<string, unknown>>;
  /** Any of these ends a response (the end-of-turn token). */
  readonly stopTokens: readonly number[];
  /** The prompts of step `step`: a pure function of (step, count), so a resumed run sees the same prompts. */
  prompts(step: number, count: number): Promise<GrpoPrompt[]>;
  /** The response text the reward reads (stop tokens left out). */
  decode(tokens: readonly number[]): string;
  /** Tokens inside <think>, for the reward's 'reasoning-tokens' length mode and the metrics. */
  reasoningTokens?(response: string): number;
}

// Reward of a policy (base, or base + adapter) on a fixed prompt set with fixed seeds: before/after comparisons.
import type { RewardParams } from '../../rl/index';
import type { ProjectionAdapter, Transformer } from '../transformer';
import { summariseRollouts } from './metrics';
import type { RolloutSummary } from './metrics';
import { rolloutGroup } from './rollout';
import type { GrpoPrompt, GrpoTask } from './task';

export interface RewardEvalOptions {
  /** Responses per prompt. */
  samples: number;
  /** Prompt i's responses draw from seeds seed + i·samples …; the same seed compares policies on the same draws. */
  seed: number;
  /** 0 is greedy (then one sample per prompt is enough). */
  temperature: number;
  maxNewTokens: number;
  reward: RewardParams;
  adapter?: ProjectionAdapter;
  signal?: AbortSignal;
}

/** Mean reward, its terms and lengths per level over `prompts` (no training, no tape). */
export async function evaluateRewards(
  model: Transformer,
  task: GrpoTask,
  prompts: readonly GrpoPrompt[],
  options: RewardEvalOptions,
): Promise<RolloutSummary> {
  const groups = [];
  for (const [index, prompt] of prompts.entries()) {
    groups.push(
      await rolloutGroup(model, task, prompt, {
        groupSize: options.samples,
        temperature: options.temperature,
        maxNewTokens: options.maxNewTokens,
        seed: options.seed + index * options.samples,
        reward: options.reward,
        ...(options.adapter ? { adapter: options.adapter } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    );
  }
  return summariseRollouts(groups);
}

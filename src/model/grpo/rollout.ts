// GRPO rollouts: a group per prompt from the current policy, each response scored with its own uncertainty (src/rl).
import { countWords, difficultyLevel, groupAdvantages, scoreResponse } from '../../rl/index';
import type { DifficultyLevel, RewardBreakdown, RewardParams } from '../../rl/index';
import { generateGroup } from '../generate/generate';
import type { GeneratedSequence } from '../generate/sequence-state';
import type { ProjectionAdapter, Transformer } from '../transformer';
import type { GrpoPrompt, GrpoTask } from './task';

export interface ScoredResponse {
  /** Generated ids, the stop token included when one ended the response (the tokens the loss trains on). */
  tokens: number[];
  /** log softmax(logits / T) of each token at sampling time: GRPO's old log-probs. */
  oldLogProbs: number[];
  response: string;
  reward: RewardBreakdown;
  /** Margin uncertainty u (method.md §4) and mean entropy, at temperature 1, over the generated positions. */
  uncertainty: number;
  meanEntropy: number;
  words: number;
  /** Generated tokens without the stop token. */
  responseTokens: number;
  reasoningTokens: number | null;
  stopped: boolean;
}

export interface RolloutGroup {
  prompt: GrpoPrompt;
  level: DifficultyLevel;
  responses: ScoredResponse[];
  /** (r − mean) / (unbiased std + 1e-6) within the group (src/rl groupAdvantages). */
  advantages: number[];
  /** Tokens generated across the group (stop tokens included). */
  generatedTokens: number;
  ms: number;
}

function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * The seed of prompt `prompt`'s group at `step` (sequence i of the group draws from Random(seed + i)). A hash of
 * (run seed, step, restarts): resuming at a step replays it exactly, and a step retried after the guard restored a
 * checkpoint samples afresh instead of walking into the same failure again.
 */
export function rolloutSeed(
  seed: number,
  step: number,
  restarts: number,
  prompt: number,
  groupSize: number,
): number {
  const base = mix32(mix32(mix32(seed ^ 0x5bd1e995) ^ step) + Math.imul(restarts, 0x9e3779b9));
  return (base + prompt * groupSize) >>> 0;
}

/** The level a prompt's metrics are grouped by: its own, or the reward's level of its difficulty. */
export function promptLevel(prompt: GrpoPrompt, reward: RewardParams): DifficultyLevel {
  return prompt.level ?? difficultyLevel(prompt.difficulty ?? 3, reward);
}

/** Scores one generated sequence with the reward of src/rl under `reward` and the sequence's own uncertainty. */
export function scoreSequence(
  task: GrpoTask,
  prompt: GrpoPrompt,
  sequence: GeneratedSequence,
  reward: RewardParams,
): ScoredResponse {
  const stops = new Set(task.stopTokens);
  const text = sequence.tokens.filter((t) => !stops.has(t));
  const response = task.decode(text);
  const reasoningTokens = task.reasoningTokens ? task.reasoningTokens(response) : null;
  const breakdown = scoreResponse(
    response,
    prompt.groundTruth,
    {
      difficulty: prompt.difficulty,
      uncertainty: sequence.uncertainty.uncertainty,
      ...(reasoningTokens === null ? {} : { reasoningTokens }),
    },
    reward,
  );
  return {
    tokens: sequence.tokens,
    oldLogProbs: sequence.oldLogProbs,
    response,
    reward: breakdown,
    uncertainty: sequence.uncertainty.uncertainty,
    meanEntropy: sequence.uncertainty.meanEntropy,
    words: countWords(response),
    responseTokens: text.length,
    reasoningTokens,
    stopped: sequence.finishReason === 'stop',
  };
}

export interface RolloutOptions {
  groupSize: number;
  temperature: number;
  maxNewTokens: number;
  seed: number;
  reward: RewardParams;
  adapter?: ProjectionAdapter;
  signal?: AbortSignal;
}

/** G samples of one prompt with the policy (base + adapter), scored, with their group advantages. */
export async function rolloutGroup(
  model: Transformer,
  task: GrpoTask,
  prompt: GrpoPrompt,
  options: RolloutOptions,
): Promise<RolloutGroup> {
  const started = performance.now();
  const result = await generateGroup(model, prompt.promptIds, {
    maxNewTokens: options.maxNewTokens,
    stopTokens: task.stopTokens,
    groupSize: options.groupSize,
    seed: options.seed,
    sampling: { temperature: options.temperature },
    ...(options.adapter ? { adapter: options.adapter } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const responses = result.sequences.map((s) => scoreSequence(task, prompt, s, options.reward));
  return {
    prompt,
    level: promptLevel(prompt, options.reward),
    responses,
    advantages: groupAdvantages(responses.map((r) => r.reward.reward)),
    generatedTokens: result.timings.generatedTokens,
    ms: performance.now() - started,
  };
}

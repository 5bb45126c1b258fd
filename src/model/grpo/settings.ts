// Every setting of a GRPO run (method.md §6 sizes, LoRA, reward, guard), with laptop-sized defaults and validation.
import { DEFAULT_GRPO_PARAMS, resolveGrpoParams, resolveRewardParams } from '../../rl/index';
import type { GrpoParams, RewardParams } from '../../rl/index';
import { validateLoraConfig } from '../lora/config';
import { PROJECTION_NAMES } from '../transformer/names';
import type { ProjectionName } from '../transformer/names';

export interface GrpoLoraSettings {
  rank: number;
  alpha: number;
  /** Projections that get an adapter in every layer. */
  targets: readonly ProjectionName[];
}

export interface GrpoSettings {
  /** Seeds the LoRA init and, with the step, every rollout: a run is a pure function of its settings. */
  seed: number;
  /** Total optimizer steps of the run. */
  steps: number;
  /** Linear warm-up of the learning rate over this many steps, then constant (verl's default schedule). */
  warmupSteps: number;
  /** The method's GRPO sizes and coefficients (src/rl): clip, KL, entropy, lr, weight decay, grad clip, G, P, T. */
  grpo: GrpoParams;
  lora: GrpoLoraSettings;
  /** The one reward of src/rl: preset 'pixelthink' (soft length factor) or 'seg-zero', and all its parameters. */
  reward: RewardParams;
  /** Write a checkpoint (LoRA + AdamW + step) every this many steps; the guard restores the last one. */
  checkpointEvery: number;
  /** A step whose token-mean loss exceeds this in magnitude is treated as exploding (guard). */
  maxLoss: number;
  /** The guard gives up (throws) after this many restores in a row without a good step in between. */
  maxRestores: number;
  /** Recompute each layer in backward instead of keeping its activations (long responses, less memory). */
  checkpointLayers: boolean;
}

/**
 * Sized for a laptop GPU (or a few CPU cores): 4 prompts × 8 samples, responses up to 384 tokens (pixelthink-nano's
 * long chains are ≈ 210 tokens), LoRA r = 8 on every projection. The method's coefficients stay as released
 * (clip 0.2, KL 5e-3 with k3, entropy 1e-3, weight decay 0.01, grad clip 1, T = 1); the learning rate is LoRA's
 * usual order (1e-4), not the 1e-6 of full fine-tuning, and is not tuned yet.
 */
export const DEFAULT_GRPO_SETTINGS: Readonly<GrpoSettings> = Object.freeze({
  seed: 1,
  steps: 100,
  warmupSteps: 0,
  grpo: { ...DEFAULT_GRPO_PARAMS, promptsPerStep: 4, groupSize: 8, lr: 1e-4, maxNewTokens: 384 },
  lora: { rank: 8, alpha: 16, targets: [...PROJECTION_NAMES] },
  reward: resolveRewardParams(),
  checkpointEvery: 5,
  maxLoss: 100,
  maxRestores: 3,
  checkpointLayers: false,
});

export class GrpoSettingsError extends Error {
  override readonly name = 'GrpoSettingsError';
}

/** What may be given: any subset, nested groups partially. */
export type GrpoSettingsInput = Partial<Omit<GrpoSettings, 'grpo' | 'lora' | 'reward'>> & {
  grpo?: Partial<GrpoParams>;
  lora?: Partial<GrpoLoraSettings>;
  reward?: Partial<RewardParams>;
};

function defined<T extends object>(partial: T | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(partial ?? {}).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

function positiveInteger(name: string, value: number, allowZero = false): void {
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1))
    throw new GrpoSettingsError(
      `${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${value}`,
    );
}

/** Defaults overlaid with the given values, validated (src/rl validates its own groups; LoRA its config). */
export function resolveGrpoSettings(input: GrpoSettingsInput = {}): GrpoSettings {
  const top = defined(input);
  const base = DEFAULT_GRPO_SETTINGS;
  const settings: GrpoSettings = {
    ...base,
    ...top,
    grpo: resolveGrpoParams({ ...base.grpo, ...defined(input.grpo) }),
    lora: { ...base.lora, ...defined(input.lora) },
    reward: resolveRewardParams({ ...base.reward, ...defined(input.reward) }),
  };
  if (!Number.isSafeInteger(settings.seed))
    throw new GrpoSettingsError(`seed must be an integer, got ${settings.seed}`);
  positiveInteger('steps', settings.steps);
  positiveInteger('warmupSteps', settings.warmupSteps, true);
  positiveInteger('checkpointEvery', settings.checkpointEvery);
  positiveInteger('maxRestores', settings.maxRestores, true);
  if (!(settings.maxLoss > 0))
    throw new GrpoSettingsError(`maxLoss must be positive, got ${settings.maxLoss}`);
  validateLoraConfig({ ...settings.lora, baseModelId: 'check' });
  return settings;
}

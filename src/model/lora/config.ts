// LoRA settings (rank, alpha, target projections, base model id) with validation and the update's scale alpha/rank.
import { PROJECTION_NAMES } from '../transformer';
import type { ProjectionName } from '../transformer';
import { LoraError } from './errors';

export interface LoraConfig {
  rank: number;
  alpha: number;
  /** Projections that get an adapter in every layer, e.g. ['q_proj', 'v_proj']. */
  targets: readonly ProjectionName[];
  /** Which base weights the adapter was trained on (stored in the file, checked by the app). */
  baseModelId: string;
}

export function validateLoraConfig(config: LoraConfig): void {
  if (!(Number.isSafeInteger(config.rank) && config.rank >= 1)) {
    throw new LoraError('bad-config', `rank must be a positive integer, got ${config.rank}`);
  }
  if (!(Number.isFinite(config.alpha) && config.alpha > 0)) {
    throw new LoraError('bad-config', `alpha must be positive, got ${config.alpha}`);
  }
  if (config.targets.length === 0) throw new LoraError('bad-config', 'no target projections');
  const unknown = config.targets.find((t) => !PROJECTION_NAMES.includes(t));
  if (unknown !== undefined) throw new LoraError('bad-config', `unknown target ${String(unknown)}`);
}

/** The factor of the low-rank update: y = base(x) + (alpha / rank) · x Aᵀ Bᵀ. */
export function loraScale(config: LoraConfig): number {
  return config.alpha / config.rank;
}

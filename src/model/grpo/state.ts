// A GRPO checkpoint: LoRA tensors + AdamW moments + step in the trainers' safetensors layout, the run in the metadata.
import type { Backend } from '../../webgpu/backend';
import type { AdamW, AdamWState } from '../../webgpu/optim/adamw';
import type { Tensor } from '../../webgpu/tensor';
import { LoraAdapters, loraTensorName } from '../lora/adapters';
import type { LoraConfig } from '../lora/config';
import type { Transformer } from '../transformer';
import { projectionOfPath } from '../transformer';
import { CheckpointError, readCheckpoint, writeCheckpoint } from '../training/checkpoint';
import type { GrpoSettings } from './settings';

export const GRPO_CHECKPOINT_KIND = 'pixelthink-grpo';

/** Everything besides tensors that a resumed run needs to continue exactly. */
export interface GrpoRunState {
  settings: GrpoSettings;
  lora: LoraConfig;
  /** Guard restores so far (part of the rollout seed). */
  restarts: number;
  /** The task's description, recorded with the run. */
  task: Readonly<Record<string, unknown>>;
}

export interface GrpoCheckpoint {
  run: GrpoRunState;
  adapters: LoraAdapters;
  optimizerState: AdamWState;
}

export async function writeGrpoCheckpoint(
  adapters: LoraAdapters,
  optimizer: AdamW,
  run: GrpoRunState,
): Promise<Uint8Array> {
  const params = new Map(Object.entries(adapters.parameters()));
  return writeCheckpoint(params, optimizer, {
    kind: GRPO_CHECKPOINT_KIND,
    settings: run.settings,
    lora: run.lora,
    restarts: run.restarts,
    task: run.task,
  });
}

/** Takes ownership of `params`: the pairs the adapters need become theirs, anything else is disposed. */
function adaptersFromTensors(
  model: Transformer,
  config: LoraConfig,
  params: Map<string, Tensor>,
): LoraAdapters {
  const pairs = new Map<string, { a: Tensor; b: Tensor }>();
  const problem = (): string | null => {
    for (const path of model.linearPaths) {
      const projection = projectionOfPath(path);
      if (projection === null || !config.targets.includes(projection)) continue;
      const { inFeatures, outFeatures } = model.linearAt(path);
      const a = params.get(loraTensorName(path, 'A'));
      const b = params.get(loraTensorName(path, 'B'));
      if (!a || !b) return `${path} has no adapter`;
      const fits = (t: Tensor, rows: number, cols: number) =>
        t.rank === 2 && t.shape[0] === rows && t.shape[1] === cols;
      if (!fits(a, config.rank, inFeatures) || !fits(b, outFeatures, config.rank))
        return `${path}: the adapter's shapes do not fit the model`;
      pairs.set(path, { a, b });
    }
    return pairs.size * 2 === params.size ? null : `${params.size} tensors, ${pairs.size * 2} expected`;
  };
  const error = problem();
  if (error !== null) {
    for (const t of params.values()) t.dispose();
    throw new CheckpointError(`GRPO checkpoint: ${error}`);
  }
  return new LoraAdapters(config, pairs);
}

/** Reads a GRPO checkpoint for `model`; the caller owns the returned adapters. */
export function readGrpoCheckpoint(backend: Backend, model: Transformer, bytes: Uint8Array): GrpoCheckpoint {
  const { params, optimizerState, metadata } = readCheckpoint(backend, bytes);
  const settings = metadata.settings as GrpoSettings | undefined;
  const lora = metadata.lora as LoraConfig | undefined;
  if (metadata.kind !== GRPO_CHECKPOINT_KIND || !settings || !lora) {
    for (const t of params.values()) t.dispose();
    throw new CheckpointError('not a GRPO checkpoint (metadata kind, settings or lora missing)');
  }
  const run: GrpoRunState = {
    settings,
    lora,
    restarts: Number(metadata.restarts ?? 0),
    task: (metadata.task as Record<string, unknown> | undefined) ?? {},
  };
  return { run, adapters: adaptersFromTensors(model, lora, params), optimizerState };
}

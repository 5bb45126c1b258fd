// Reads a trained adapter for inference from either file a GRPO run leaves: its checkpoint or the exported adapter file.
import { readSafetensors } from '../../webgpu/safetensors';
import type { Backend } from '../../webgpu/backend';
import { loadLora, loraBaseOf, validateAdapterFile } from '../lora';
import type { LoraAdapters } from '../lora';
import type { Transformer } from '../transformer';
import { GRPO_CHECKPOINT_KIND, readGrpoCheckpoint } from './state';

export type SavedAdapterKind = 'grpo-checkpoint' | 'adapter-file';

export interface SavedAdapter {
  kind: SavedAdapterKind;
  adapters: LoraAdapters;
  /** The optimizer step the adapter was saved at, when the file records it. */
  step: number | null;
  /** The reward parameters the run trained with, as recorded (unvalidated: the caller resolves them). */
  rewardParams: Record<string, unknown>;
}

/** Checkpoint metadata values are JSON, so the kind is stored with its quotes. */
function isGrpoCheckpoint(bytes: Uint8Array): boolean {
  return readSafetensors(bytes).metadata.kind === JSON.stringify(GRPO_CHECKPOINT_KIND);
}

/**
 * The adapter in `bytes` for `decoder` (the base model `modelId`). A train:grpo checkpoint gives its LoRA tensors
 *; anything else must pass validateAdapterFile, the app's import check, so a
 * wrong file fails with its AdapterFileError reason. SafetensorsError, CheckpointError or AdapterFileError otherwise.
 */
export function readSavedAdapter(
  backend: Backend,
  decoder: Transformer,
  modelId: string,
  bytes: Uint8Array,
): SavedAdapter {
  if (isGrpoCheckpoint(bytes)) {
    const checkpoint = readGrpoCheckpoint(backend, decoder, bytes);
    return {
      kind: 'grpo-checkpoint',
      adapters: checkpoint.adapters,
      step: checkpoint.optimizerState.step,
      rewardParams: { ...checkpoint.run.settings.reward },
    };
  }
  const file = validateAdapterFile(bytes, loraBaseOf(decoder, modelId));
  return {
    kind: 'adapter-file',
    adapters: loadLora(bytes, decoder),
    step: file.step,
    rewardParams: file.rewardParams,
  };
}

// Saves LoRA adapters as safetensors (PEFT names; base model id, rank, alpha, targets in the metadata) and loads them.
import { decodeEntry, readSafetensors, writeSafetensors } from '../../webgpu';
import type { TensorToWrite } from '../../webgpu';
import type { ProjectionName, Transformer } from '../transformer';
import { LoraAdapters } from './adapters';
import type { LoraConfig } from './config';
import { LoraError } from './errors';

const KEYS = {
  baseModelId: 'base_model_id',
  rank: 'lora_rank',
  alpha: 'lora_alpha',
  targets: 'target_modules',
} as const;

export async function saveLora(
  adapters: LoraAdapters,
  extraMetadata: Readonly<Record<string, string>> = {},
): Promise<Uint8Array> {
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, tensor] of Object.entries(adapters.parameters())) {
    tensors[name] = { dtype: 'F32', shape: tensor.shape, data: await tensor.data() };
  }
  const { config } = adapters;
  return writeSafetensors(tensors, {
    ...extraMetadata,
    format: 'pt',
    [KEYS.baseModelId]: config.baseModelId,
    [KEYS.rank]: String(config.rank),
    [KEYS.alpha]: String(config.alpha),
    [KEYS.targets]: config.targets.join(','),
  });
}

/** The adapter settings stored in a file's metadata (without loading the tensors). */
export function readLoraConfig(metadata: Readonly<Record<string, string>>): LoraConfig {
  const read = (key: string): string => {
    const value = metadata[key];
    if (value === undefined) throw new LoraError('bad-file', `metadata ${key} is missing`);
    return value;
  };
  return {
    baseModelId: read(KEYS.baseModelId),
    rank: Number(read(KEYS.rank)),
    alpha: Number(read(KEYS.alpha)),
    targets: read(KEYS.targets).split(',') as ProjectionName[],
  };
}

/** Adapters for `model` from safetensors bytes; throws LoraError when a tensor is missing or misshapen. */
export function loadLora(bytes: Uint8Array, model: Transformer): LoraAdapters {
  const file = readSafetensors(bytes);
  const config = readLoraConfig(file.metadata);
  const values = new Map<string, ArrayLike<number>>();
  for (const [name, entry] of file.entries) values.set(name, decodeEntry(entry));
  const adapters = LoraAdapters.fromValues(model, config, values);
  for (const [name, tensor] of Object.entries(adapters.parameters())) {
    const shape = file.entries.get(name)?.shape ?? [];
    if (shape.length !== tensor.rank || shape.some((d, i) => d !== tensor.shape[i])) {
      adapters.dispose();
      throw new LoraError(
        'shape-mismatch',
        `${name} is [${shape.join(', ')}], the model needs [${tensor.shape.join(', ')}]`,
      );
    }
  }
  if (values.size !== Object.keys(adapters.parameters()).length) {
    adapters.dispose();
    throw new LoraError(
      'bad-file',
      `${values.size} tensors in the file, ${Object.keys(adapters.parameters()).length} expected`,
    );
  }
  return adapters;
}

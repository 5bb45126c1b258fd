// Adapter files for export and import: safetensors with PEFT tensor names and a JSON-valued __metadata__ naming the
// base model and the run's settings; an import is validated completely (header, names, shapes, dtype, values) first.
import { SafetensorsError, decodeEntry, readSafetensors } from '../../webgpu/safetensors';
import type { SafetensorsEntry } from '../../webgpu/safetensors';
import { projectionOfPath } from '../transformer';
import type { Transformer } from '../transformer';
import { loraTensorName } from './adapters';
import type { LoraAdapters } from './adapters';
import { validateLoraConfig } from './config';
import type { LoraConfig } from './config';
import { saveLora } from './io';

/** What the app writes besides saveLora's keys (all values are strings: safetensors metadata is string → string). */
export const ADAPTER_METADATA = {
  /** PEFT's own key for the base model (adapter_config.json), beside saveLora's base_model_id. */
  baseModel: 'base_model_name_or_path',
  peftType: 'peft_type',
  name: 'pixelthink_adapter_name',
  /** JSON: the GRPO settings of the run (sizes, lr, LoRA, guard). */
  settings: 'pixelthink_settings',
  /** JSON: the reward parameters the adapter was trained with. */
  reward: 'pixelthink_reward',
  step: 'grpo_step',
  runId: 'pixelthink_run_id',
} as const;

/** Larger than any adapter of a nano-sized decoder by far; a bigger file is refused before it is parsed. */
export const MAX_ADAPTER_FILE_BYTES = 256 * 1024 * 1024;

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16']);

export interface AdapterFileInfo {
  name: string;
  settings: Record<string, unknown>;
  rewardParams: Record<string, unknown>;
  step: number | null;
  runId: string | null;
}

/** The exported file: saveLora's tensors and keys, plus the base model and settings as JSON strings. */
export function encodeAdapterFile(adapters: LoraAdapters, info: AdapterFileInfo): Promise<Uint8Array> {
  return saveLora(adapters, {
    [ADAPTER_METADATA.baseModel]: adapters.config.baseModelId,
    [ADAPTER_METADATA.peftType]: 'LORA',
    [ADAPTER_METADATA.name]: info.name,
    [ADAPTER_METADATA.settings]: JSON.stringify(info.settings),
    [ADAPTER_METADATA.reward]: JSON.stringify(info.rewardParams),
    ...(info.step === null ? {} : { [ADAPTER_METADATA.step]: String(info.step) }),
    ...(info.runId === null ? {} : { [ADAPTER_METADATA.runId]: info.runId }),
  });
}

/** The base model an adapter must fit: its id and the in/out features of every projection, by module path. */
export interface LoraBase {
  modelId: string;
  projections: ReadonlyMap<string, { inFeatures: number; outFeatures: number }>;
}

export function loraBaseOf(model: Transformer, modelId: string): LoraBase {
  const projections = new Map<string, { inFeatures: number; outFeatures: number }>();
  for (const path of model.linearPaths) {
    if (projectionOfPath(path) === null) continue;
    const { inFeatures, outFeatures } = model.linearAt(path);
    projections.set(path, { inFeatures, outFeatures });
  }
  return { modelId, projections };
}

export type AdapterFileErrorCode =
  | 'too-large'
  | 'not-safetensors'
  | 'no-metadata'
  | 'wrong-base-model'
  | 'bad-config'
  | 'bad-settings'
  | 'unexpected-tensor'
  | 'missing-tensor'
  | 'bad-dtype'
  | 'bad-shape'
  | 'non-finite';

/** Why an adapter file was refused; the message is what the UI shows. */
export class AdapterFileError extends Error {
  override readonly name = 'AdapterFileError';
  constructor(
    readonly code: AdapterFileErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ValidatedAdapterFile extends AdapterFileInfo {
  config: LoraConfig;
  tensors: number;
  parameters: number;
}

function jsonObject(metadata: Record<string, string>, key: string): Record<string, unknown> {
  const text = metadata[key];
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AdapterFileError('bad-settings', `The header's ${key} is not valid JSON.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new AdapterFileError('bad-settings', `The header's ${key} is not a JSON object.`);
  return value as Record<string, unknown>;
}

function configOf(metadata: Record<string, string>, base: LoraBase): LoraConfig {
  const required = ['base_model_id', 'lora_rank', 'lora_alpha', 'target_modules'];
  const missing = required.filter((key) => metadata[key] === undefined);
  if (missing.length > 0)
    throw new AdapterFileError(
      'no-metadata',
      `The header's __metadata__ lacks ${missing.join(', ')}: it is not a LoRA adapter file of this app.`,
    );
  const baseModelId = metadata.base_model_id as string;
  if (baseModelId !== base.modelId)
    throw new AdapterFileError(
      'wrong-base-model',
      `The adapter was trained on "${baseModelId}", not on the loaded "${base.modelId}".`,
    );
  const config = {
    baseModelId,
    rank: Number(metadata.lora_rank),
    alpha: Number(metadata.lora_alpha),
    targets: (metadata.target_modules as string).split(',') as LoraConfig['targets'],
  };
  try {
    validateLoraConfig(config);
  } catch (err) {
    throw new AdapterFileError(
      'bad-config',
      `The adapter's settings are invalid: ${(err as Error).message}.`,
    );
  }
  return config;
}

function checkEntry(name: string, entry: SafetensorsEntry, rows: number, cols: number): void {
  if (!FLOAT_DTYPES.has(entry.dtype))
    throw new AdapterFileError('bad-dtype', `${name} is ${entry.dtype}; an adapter holds F32, F16 or BF16.`);
  if (entry.shape.length !== 2 || entry.shape[0] !== rows || entry.shape[1] !== cols)
    throw new AdapterFileError(
      'bad-shape',
      `${name} is [${entry.shape.join(', ')}], the base model needs [${rows}, ${cols}].`,
    );
  const values = decodeEntry(entry);
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i]))
      throw new AdapterFileError('non-finite', `${name} holds a non-finite value (${values[i]}) at ${i}.`);
}

/**
 * Checks an adapter file against the base model without loading anything: size, safetensors layout, metadata (base
 * model, rank, alpha, targets, JSON settings), every expected PEFT name present and nothing else, float dtypes,
 * shapes, finite values. Throws AdapterFileError with the first reason found.
 */
export function validateAdapterFile(
  bytes: Uint8Array,
  base: LoraBase,
  maxBytes = MAX_ADAPTER_FILE_BYTES,
): ValidatedAdapterFile {
  if (bytes.byteLength > maxBytes)
    throw new AdapterFileError(
      'too-large',
      `The file has ${bytes.byteLength} bytes; an adapter file may have ${maxBytes}.`,
    );
  let file;
  try {
    file = readSafetensors(bytes);
  } catch (err) {
    if (!(err instanceof SafetensorsError)) throw err;
    throw new AdapterFileError(
      'not-safetensors',
      `The file is not a readable safetensors file (${err.message}).`,
    );
  }
  const config = configOf(file.metadata, base);
  const settings = jsonObject(file.metadata, ADAPTER_METADATA.settings);
  const rewardParams = jsonObject(file.metadata, ADAPTER_METADATA.reward);
  const expected = new Map<string, [number, number]>();
  for (const [path, { inFeatures, outFeatures }] of base.projections) {
    const projection = projectionOfPath(path);
    if (projection === null || !config.targets.includes(projection)) continue;
    expected.set(loraTensorName(path, 'A'), [config.rank, inFeatures]);
    expected.set(loraTensorName(path, 'B'), [outFeatures, config.rank]);
  }
  for (const name of file.entries.keys())
    if (!expected.has(name))
      throw new AdapterFileError(
        'unexpected-tensor',
        `${name} is not a LoRA tensor of the base model's ${config.targets.join(', ')} projections.`,
      );
  let parameters = 0;
  for (const [name, [rows, cols]] of expected) {
    const entry = file.entries.get(name);
    if (!entry) throw new AdapterFileError('missing-tensor', `${name} is missing.`);
    checkEntry(name, entry, rows, cols);
    parameters += rows * cols;
  }
  const step = Number(file.metadata[ADAPTER_METADATA.step]);
  return {
    config,
    name: file.metadata[ADAPTER_METADATA.name] ?? '',
    settings,
    rewardParams,
    step: Number.isSafeInteger(step) && step >= 0 ? step : null,
    runId: file.metadata[ADAPTER_METADATA.runId] ?? null,
    tensors: expected.size,
    parameters,
  };
}

// Training checkpoints shared by the trainers: parameters, AdamW moments, step and JSON metadata in one safetensors file.
import type { Backend } from '../../webgpu/backend';
import { fromArray, parameter } from '../../webgpu/creation';
import type { AdamW, AdamWState } from '../../webgpu/optim/adamw';
import { decodeEntry, readSafetensors, writeSafetensors, type TensorToWrite } from '../../webgpu/safetensors';
import type { Tensor } from '../../webgpu/tensor';

const MOMENT_PREFIX = 'optimizer.';

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

/** Parameters under their names, moments under `optimizer.m.<name>` / `optimizer.v.<name>`; metadata values are JSON. */
export async function writeCheckpoint(
  params: ReadonlyMap<string, Tensor>,
  optimizer: AdamW,
  metadata: Record<string, unknown>,
): Promise<Uint8Array> {
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, t] of params) tensors[name] = { dtype: 'F32', shape: t.shape, data: await t.data() };
  const state = await optimizer.exportState();
  for (const [name, data] of Object.entries(state.tensors)) {
    const shape = params.get(name.slice(2))?.shape ?? [data.length];
    tensors[`${MOMENT_PREFIX}${name}`] = { dtype: 'F32', shape, data };
  }
  const meta: Record<string, string> = { step: String(state.step) };
  for (const [key, value] of Object.entries(metadata)) meta[key] = JSON.stringify(value);
  return writeSafetensors(tensors, meta);
}

export interface RestoredCheckpoint {
  /** Parameters as new tensors on the backend (not yet trainable: the caller decides). */
  params: Map<string, Tensor>;
  optimizerState: AdamWState;
  /** Metadata parsed back from JSON. */
  metadata: Record<string, unknown>;
}

export function readCheckpoint(backend: Backend, bytes: Uint8Array): RestoredCheckpoint {
  const { entries, metadata } = readSafetensors(bytes);
  const params = new Map<string, Tensor>();
  const moments: Record<string, Float32Array> = {};
  for (const [name, entry] of entries) {
    const values = Float32Array.from(decodeEntry(entry));
    if (name.startsWith(MOMENT_PREFIX)) moments[name.slice(MOMENT_PREFIX.length)] = values;
    else params.set(name, fromArray(values, entry.shape, { backend }));
  }
  const parsed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (key === 'step') continue;
    try {
      parsed[key] = JSON.parse(value);
    } catch {
      throw new CheckpointError(`checkpoint metadata "${key}" is not JSON`);
    }
  }
  const step = Number(metadata.step);
  if (!Number.isInteger(step) || step < 0) throw new CheckpointError('checkpoint metadata lacks a step');
  return { params, optimizerState: { step, tensors: moments }, metadata: parsed };
}

/** A trainer's checkpoint with its config and options (from the metadata) and its parameters made trainable. */
export interface TrainerCheckpoint<Config, Options> {
  config: Config;
  options: Options;
  params: Map<string, Tensor>;
  optimizerState: AdamWState;
}

/**
 * Reads a checkpoint written with `{ config, options }` metadata (the perception, selector and nano-sam trainers');
 * `model` names it in the error when either is missing.
 */
export function readTrainerCheckpoint<Config, Options>(
  backend: Backend,
  bytes: Uint8Array,
  model: string,
): TrainerCheckpoint<Config, Options> {
  const { params, optimizerState, metadata } = readCheckpoint(backend, bytes);
  const config = metadata.config as Config | undefined;
  const options = metadata.options as Options | undefined;
  if (!config || !options) throw new CheckpointError(`${model} checkpoint: metadata lacks config or options`);
  for (const [name, t] of params) params.set(name, parameter(t));
  return { config, options, params, optimizerState };
}

/** The checkpoint without its optimizer moments (step and metadata kept): what a shipped model folder needs. */
export function parametersOnly(bytes: Uint8Array): Uint8Array {
  const { entries, metadata } = readSafetensors(bytes);
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, entry] of entries) {
    if (!name.startsWith(MOMENT_PREFIX))
      tensors[name] = { dtype: 'F32', shape: entry.shape, data: decodeEntry(entry) };
  }
  return writeSafetensors(tensors, metadata);
}

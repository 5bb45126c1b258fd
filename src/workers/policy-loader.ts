// Loading pixelthink-nano in a worker (the policy worker and the trainer worker): the shipped folder over fetch,
// verified against its manifest, on the engine backend of the worker's chosen compute backend.
import { verifyShippedModel } from '../model/hub/manifest';
import { LOCAL_MODEL_PATH } from '../model/hub/transformers-env';
import { loadPixelThinkNano, type ReadFile } from '../model/pixelthink-nano/folder';
import { PERCEPTION_FILE, perceptionFromCheckpoint } from '../model/pixelthink-nano/perceive';
import type { PixelThinkNano } from '../model/pixelthink-nano/policy';
import type { Backend } from '../webgpu/backend';
import type { BackendOwner } from './backend';
import { WorkerError } from './errors';
import type { JobRegistry } from './jobs';
import type { ProgressCallback } from './protocol';

export const POLICY_LOAD_STAGES = 4;

/** Reads a file of a shipped model folder over fetch; null on 404. */
export function folderReader(modelId: string): ReadFile {
  return async (path) => {
    const response = await fetch(`${LOCAL_MODEL_PATH}${modelId}/${path}`);
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };
}

/** The engine backend of the worker's chosen compute backend (its WebGPU device, or the wasm kernels). */
export async function engineBackend(owner: BackendOwner): Promise<Backend> {
  const device = (await owner.capabilities()).backend === 'webgpu' ? owner.device : null;
  if (device) {
    const { WebGpuBackend } = await import('../webgpu/backends/webgpu');
    return WebGpuBackend.create(device);
  }
  const { WasmBackend } = await import('../webgpu/backends/wasm');
  return WasmBackend.create({ threads: 'auto' });
}

/**
 * Verifies and loads the policy stage by stage (0..3 reported through `step`); `engine` is the worker's backend,
 * started on first use and shared by everything the worker loads.
 */
export async function loadPolicyModel(
  modelId: string,
  engine: () => Promise<Backend>,
  step: (done: number, message: string) => void,
  device: string,
): Promise<PixelThinkNano> {
  step(0, `verifying ${modelId}'s files`);
  await verifyShippedModel(LOCAL_MODEL_PATH, modelId, (url) => fetch(url));
  step(1, `starting the ${device} engine`);
  const backend = await engine();
  step(2, 'loading the perception front end');
  const read = folderReader(modelId);
  const checkpoint = await read(PERCEPTION_FILE);
  if (!checkpoint) throw new Error(`${PERCEPTION_FILE} is missing`);
  const perceive = perceptionFromCheckpoint(backend, checkpoint);
  step(3, 'loading the tokenizer, selector and decoder');
  return loadPixelThinkNano(modelId, read, backend, perceive);
}

/** Reports load stage `done` of POLICY_LOAD_STAGES with a message. */
export type LoadStep = (done: number, message: string) => void;

/**
 * Runs a pixelthink-nano load as job `jobId` (both the policy and the trainer worker load it this way): stage progress,
 * a 'model-load-failed' error naming the model, and the final "loaded" stage.
 */
export async function runPolicyLoad<T>(
  jobs: JobRegistry,
  jobId: string,
  modelId: string,
  onProgress: ProgressCallback,
  load: (step: LoadStep) => Promise<T>,
): Promise<T> {
  const step: LoadStep = (done, message) => onProgress({ jobId, done, total: POLICY_LOAD_STAGES, message });
  let loaded: T;
  try {
    loaded = await jobs.run(jobId, () => load(step));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new WorkerError('model-load-failed', `Could not load policy "${modelId}": ${reason}`);
  }
  step(POLICY_LOAD_STAGES, `loaded ${modelId}`);
  return loaded;
}

// The policy worker's body: loads pixelthink-nano (perception + decoder) on the worker's engine backend and runs queries.
import { GenerationCancelledError } from '../model/generate';
import { verifyShippedModel } from '../model/hub/manifest';
import { configureTransformers, LOCAL_MODEL_PATH } from '../model/hub/transformers-env';
import { loadPixelThinkNano, type ReadFile } from '../model/pixelthink-nano/folder';
import { PERCEPTION_FILE, perceptionFromCheckpoint } from '../model/pixelthink-nano/perceive';
import type { PixelThinkNano } from '../model/pixelthink-nano/policy';
import type { Backend } from '../webgpu/backend';
import { BackendOwner } from './backend';
import { WorkerError } from './errors';
import { JobRegistry } from './jobs';
import { createModelWorker } from './model-worker';
import type { PolicyRequest, PolicyWorkerApi, ProgressCallback } from './protocol';

const MAX_NEW_TOKENS = 4096;
const LOAD_STAGES = 4;

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Reads a file of a shipped model folder over fetch; null on 404. */
function folderReader(modelId: string): ReadFile {
  return async (path) => {
    const response = await fetch(`${LOCAL_MODEL_PATH}${modelId}/${path}`);
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };
}

function validateRequest(request: PolicyRequest): void {
  const { image, maxNewTokens, temperature, seed } = request;
  if (image.rgba.length !== image.width * image.height * 4 || image.width < 1 || image.height < 1)
    throw new WorkerError('bad-request', `the image must be ${image.width}×${image.height}×4 RGBA bytes.`);
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1 || maxNewTokens > MAX_NEW_TOKENS)
    throw new WorkerError('bad-request', `maxNewTokens must be an integer in 1..${MAX_NEW_TOKENS}.`);
  if (!Number.isFinite(temperature) || temperature < 0)
    throw new WorkerError('bad-request', `temperature must be a finite number ≥ 0, got ${temperature}.`);
  if (!Number.isSafeInteger(seed))
    throw new WorkerError('bad-request', `seed must be an integer, got ${seed}.`);
}

/** The engine backend of the worker's chosen compute backend (its WebGPU device, or the wasm kernels). */
async function engineBackend(owner: BackendOwner): Promise<Backend> {
  const device = (await owner.capabilities()).backend === 'webgpu' ? owner.device : null;
  if (device) {
    const { WebGpuBackend } = await import('../webgpu/backends/webgpu');
    return WebGpuBackend.create(device);
  }
  const { WasmBackend } = await import('../webgpu/backends/wasm');
  return WasmBackend.create({ threads: 'auto' });
}

export function createPolicyWorker(gpu: GPU | null = globalThis.navigator?.gpu ?? null): PolicyWorkerApi {
  const jobs = new JobRegistry();
  const owner = new BackendOwner('policy', gpu);
  const base = createModelWorker('policy', gpu, jobs, owner);
  let backend: Promise<Backend> | null = null;
  let policy: PixelThinkNano | null = null;

  const ready = (): PixelThinkNano => {
    if (!policy) throw new WorkerError('not-ready', 'No policy is loaded: load a model first.');
    return policy;
  };

  async function load(jobId: string, modelId: string, onProgress: ProgressCallback): Promise<PixelThinkNano> {
    const step = (done: number, message: string) => onProgress({ jobId, done, total: LOAD_STAGES, message });
    const { backend: device } = await base.capabilities();
    step(0, `verifying ${modelId}'s files`);
    await verifyShippedModel(LOCAL_MODEL_PATH, modelId, (url) => fetch(url));
    step(1, `starting the ${device} engine`);
    backend ??= engineBackend(owner);
    const engine = await backend;
    step(2, 'loading the perception front end');
    const read = folderReader(modelId);
    const checkpoint = await read(PERCEPTION_FILE);
    if (!checkpoint) throw new Error(`${PERCEPTION_FILE} is missing`);
    const perceive = perceptionFromCheckpoint(engine, checkpoint);
    step(3, 'loading the tokenizer and decoder');
    return loadPixelThinkNano(modelId, read, engine, perceive);
  }

  return {
    ...base,

    async loadPolicy(jobId, modelId, onProgress) {
      configureTransformers();
      const start = performance.now();
      try {
        policy = await jobs.run(jobId, () => load(jobId, modelId, onProgress));
      } catch (err) {
        throw new WorkerError('model-load-failed', `Could not load policy "${modelId}": ${describe(err)}`);
      }
      onProgress({ jobId, done: LOAD_STAGES, total: LOAD_STAGES, message: `loaded ${modelId}` });
      const { backend: device } = await base.capabilities();
      return { modelId, device, loadMs: performance.now() - start };
    },

    async runPolicy(jobId, request, onToken) {
      validateRequest(request);
      const model = ready();
      return jobs.run(jobId, async (signal) => {
        try {
          const run = await model.run(request.image, request.query, {
            maxNewTokens: request.maxNewTokens,
            sampling: { temperature: request.temperature },
            seed: request.seed,
            signal,
            onToken,
          });
          const { uncertainty, meanEntropy } = run.sequence.uncertainty;
          return {
            response: run.response,
            tokenCount: run.sequence.tokens.length,
            uncertainty,
            meanEntropy,
            objects: run.objects.map((o) => ({ ...o })),
            timingsMs: run.timingsMs,
            frameSize: run.frameSize,
          };
        } catch (err) {
          if (err instanceof GenerationCancelledError || signal.aborted)
            throw new WorkerError('cancelled', `Job ${jobId} was cancelled.`);
          throw new WorkerError('internal', `The policy failed: ${describe(err)}`);
        }
      });
    },
  };
}

// The policy worker's body: loads pixelthink-nano (perception + decoder) on the worker's engine backend and runs queries.
import { GenerationCancelledError } from '../model/generate';
import { configureTransformers } from '../model/hub/transformers-env';
import { loadLora, loraBaseOf, validateAdapterFile, type LoraAdapters } from '../model/lora';
import type { PixelThinkNano } from '../model/pixelthink-nano/policy';
import type { Backend } from '../webgpu/backend';
import { BackendOwner } from './backend';
import { WorkerError } from './errors';
import { JobRegistry } from './jobs';
import { createModelWorker } from './model-worker';
import { engineBackend, loadPolicyModel, POLICY_LOAD_STAGES } from './policy-loader';
import type { ActiveAdapter, PolicyRequest, PolicyWorkerApi, ProgressCallback } from './protocol';

const MAX_NEW_TOKENS = 4096;

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
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

export function createPolicyWorker(gpu: GPU | null = globalThis.navigator?.gpu ?? null): PolicyWorkerApi {
  const jobs = new JobRegistry();
  const owner = new BackendOwner('policy', gpu);
  const base = createModelWorker('policy', gpu, jobs, owner);
  let backend: Promise<Backend> | null = null;
  let policy: PixelThinkNano | null = null;
  let adapter: { active: ActiveAdapter; lora: LoraAdapters } | null = null;

  const ready = (): PixelThinkNano => {
    if (!policy) throw new WorkerError('not-ready', 'No policy is loaded: load a model first.');
    return policy;
  };

  async function load(jobId: string, modelId: string, onProgress: ProgressCallback): Promise<PixelThinkNano> {
    const step = (done: number, message: string) =>
      onProgress({ jobId, done, total: POLICY_LOAD_STAGES, message });
    const { backend: device } = await base.capabilities();
    return loadPolicyModel(modelId, () => (backend ??= engineBackend(owner)), step, device);
  }

  return {
    ...base,

    async loadPolicy(jobId, modelId, onProgress) {
      configureTransformers();
      const start = performance.now();
      try {
        adapter?.lora.dispose();
        adapter = null;
        policy = await jobs.run(jobId, () => load(jobId, modelId, onProgress));
      } catch (err) {
        throw new WorkerError('model-load-failed', `Could not load policy "${modelId}": ${describe(err)}`);
      }
      onProgress({
        jobId,
        done: POLICY_LOAD_STAGES,
        total: POLICY_LOAD_STAGES,
        message: `loaded ${modelId}`,
      });
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
            ...(adapter ? { adapter: adapter.lora } : {}),
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

    async useAdapter(file) {
      const model = ready();
      if (jobs.size > 0)
        throw new WorkerError('not-ready', 'A query is running: stop it before switching adapters.');
      if (file === null) {
        adapter?.lora.dispose();
        adapter = null;
        return null;
      }
      let lora: LoraAdapters;
      let parameters: number;
      try {
        ({ parameters } = validateAdapterFile(file.bytes, loraBaseOf(model.decoder, model.id)));
        lora = loadLora(file.bytes, model.decoder);
      } catch (err) {
        throw new WorkerError('bad-request', `Adapter "${file.name}" cannot be used: ${describe(err)}`);
      }
      adapter?.lora.dispose();
      const active = { id: file.id, name: file.name, rank: lora.config.rank, parameters };
      adapter = { active, lora };
      return active;
    },
  };
}

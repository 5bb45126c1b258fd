// The policy worker's body: pixelthink-nano (perception + decoder) on the worker's engine backend, or a hub VLM through
// transformers.js (catalogue, plan, fit check, downloads with progress), and queries and difficulty estimates on it.
import { GenerationCancelledError } from '../model/generate';
import type { PolicyEntry } from '../model/hub/catalogue';
import { DifficultyCache, estimateDifficulty } from '../model/hub-policy/difficulty';
import { HubPolicy } from '../model/hub-policy/hub-policy';
import { configureTransformers } from '../model/hub/transformers-env';
import { loadLora, loraBaseOf, validateAdapterFile, type LoraAdapters } from '../model/lora';
import type { PixelThinkNano } from '../model/pixelthink-nano/policy';
import type { Backend } from '../webgpu/backend';
import { BackendOwner } from './backend';
import { WorkerError } from './errors';
import { JobRegistry } from './jobs';
import { HubLoads } from './hub-loads';
import { createModelWorker } from './model-worker';
import { engineBackend, loadPolicyModel, runPolicyLoad, type LoadStep } from './policy-loader';
import type { ActiveAdapter, PolicyRequest, PolicyResult, PolicyWorkerApi, TokenCallback } from './protocol';

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
  const hub = new HubLoads('policy', () => base.capabilities());
  const difficulties = new DifficultyCache();
  let backend: Promise<Backend> | null = null;
  let policy: PixelThinkNano | HubPolicy | null = null;
  /** Queries and estimates running on the loaded policy: a hub load may not free it under them. */
  let busy = 0;
  let adapter: { active: ActiveAdapter; lora: LoraAdapters } | null = null;

  async function using<T>(body: () => Promise<T>): Promise<T> {
    busy++;
    try {
      return await body();
    } finally {
      busy--;
    }
  }

  const idle = (what: string) => {
    if (busy > 0) throw new WorkerError('bad-request', `A query is running: stop it before ${what}.`);
  };

  const ready = (): PixelThinkNano | HubPolicy => {
    if (!policy) throw new WorkerError('not-ready', 'No policy is loaded: load a model first.');
    return policy;
  };

  /** Replaces the loaded policy, freeing the previous hub model's sessions. */
  async function install(next: PixelThinkNano | HubPolicy): Promise<void> {
    const previous = policy;
    policy = next;
    if (previous instanceof HubPolicy && previous !== next) await previous.dispose();
  }

  async function runHub(
    model: HubPolicy,
    request: PolicyRequest,
    signal: AbortSignal,
    onToken: TokenCallback,
  ): Promise<PolicyResult> {
    const run = await model.run(request.image, request.query, {
      maxNewTokens: request.maxNewTokens,
      temperature: request.temperature,
      seed: request.seed,
      signal,
      onToken,
    });
    return {
      response: run.response,
      tokenCount: run.tokens.length,
      uncertainty: run.uncertainty.uncertainty,
      meanEntropy: run.uncertainty.meanEntropy,
      objects: [],
      timingsMs: {
        perceive: run.timingsMs.preprocess,
        prefill: run.timingsMs.prefill,
        decode: run.timingsMs.decode,
      },
      frameSize: run.frameSize,
    };
  }

  async function load(modelId: string, step: LoadStep): Promise<PixelThinkNano> {
    const { backend: device } = await base.capabilities();
    return loadPolicyModel(modelId, () => (backend ??= engineBackend(owner)), step, device);
  }

  return {
    ...base,
    catalogue: () => hub.catalogue(),
    openModelFolder: (id, files) => hub.openModelFolder(id, files),
    planHubModel: (request) => hub.planHubModel(request),
    listModelCache: () => hub.listModelCache(),
    clearModelCache: (modelId) => hub.clearModelCache(modelId),

    async loadPolicy(jobId, modelId, onProgress) {
      idle('loading another model');
      configureTransformers();
      const start = performance.now();
      adapter?.lora.dispose();
      adapter = null;
      await install(await runPolicyLoad(jobs, jobId, modelId, onProgress, (step) => load(modelId, step)));
      const { backend: device } = await base.capabilities();
      return { modelId, device, loadMs: performance.now() - start, tier: 'nano', frameSize: 840 };
    },

    async loadHubPolicy(jobId, request, onProgress) {
      idle('loading another model');
      const entry = hub.entry(request) as PolicyEntry;
      const { backend: device } = await base.capabilities();
      const loaded = await jobs.run(jobId, (signal) =>
        hub.load(
          jobId,
          request,
          signal,
          onProgress,
          (plan, onInfo) =>
            HubPolicy.load(plan.modelId, {
              device,
              dtype: plan.dtype,
              inputFrame: entry.inputFrame,
              answerFrame: entry.answerFrame,
              onProgress: onInfo,
            }),
          (model) => model.dispose(),
        ),
      );
      if (busy > 0) {
        await loaded.value.dispose();
        throw new WorkerError(
          'bad-request',
          'A query started while the model loaded: load it again when it ends.',
        );
      }
      await install(loaded.value);
      const { plan } = loaded;
      return {
        entryId: entry.id,
        modelId: plan.modelId,
        device,
        dtype: plan.dtype,
        plan,
        loadMs: loaded.loadMs,
      };
    },

    async estimateDifficulty(jobId, request, onToken) {
      const model = ready();
      if (!(model instanceof HubPolicy))
        throw new WorkerError('not-ready', 'The difficulty estimator needs a hub VLM: load one first.');
      if (!request.sampleId) throw new WorkerError('bad-request', 'A difficulty estimate needs a sample id.');
      validateRequest({
        image: request.image,
        query: request.query,
        maxNewTokens: 1,
        temperature: 0,
        seed: 0,
      });
      return jobs.run(jobId, async (signal) => {
        try {
          return await using(() => estimateDifficulty(model, request, difficulties, { signal, onToken }));
        } catch (err) {
          if (err instanceof GenerationCancelledError || signal.aborted)
            throw new WorkerError('cancelled', `Job ${jobId} was cancelled.`);
          throw new WorkerError('internal', `The difficulty estimate failed: ${describe(err)}`);
        }
      });
    },

    async runPolicy(jobId, request, onToken) {
      validateRequest(request);
      const model = ready();
      return jobs.run(jobId, async (signal) => {
        try {
          if (model instanceof HubPolicy) return await using(() => runHub(model, request, signal, onToken));
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
      if (model instanceof HubPolicy)
        throw new WorkerError('bad-request', 'LoRA adapters apply to pixelthink-nano: load it first.');
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

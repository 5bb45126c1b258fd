// The segmenter worker's body: loads a SAM-class model on the worker's backend, encodes images, decodes prompts.
import * as Comlink from 'comlink';
import { isRegisteredFolder } from '../model/hub/model-fetch';
import { verifyShippedModel } from '../model/hub/manifest';
import { configureTransformers, LOCAL_MODEL_PATH } from '../model/hub/transformers-env';
import { SamSegmenter } from '../model/segmenter/sam-segmenter';
import { BackendOwner } from './backend';
import { WorkerError } from './errors';
import { HubLoads } from './hub-loads';
import { JobRegistry } from './jobs';
import { createModelWorker } from './model-worker';
import type { SegmenterWorkerApi } from './protocol';

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createSegmenterWorker(
  gpu: GPU | null = globalThis.navigator?.gpu ?? null,
): SegmenterWorkerApi {
  const jobs = new JobRegistry();
  const base = createModelWorker('segmenter', gpu, jobs, new BackendOwner('segmenter', gpu));
  const hub = new HubLoads('segmenter', () => base.capabilities());
  let segmenter: SamSegmenter | null = null;
  let configured = false;
  // Loads may overlap (the embedded default at start-up, then a folder the user opens): the latest request wins.
  let latestLoad = 0;

  const ready = (): SamSegmenter => {
    if (!segmenter) throw new WorkerError('not-ready', 'No segmenter is loaded: load a model first.');
    return segmenter;
  };

  /** The latest load wins: an earlier one that finishes later is disposed. */
  async function install(loaded: SamSegmenter, ticket: number, modelId: string): Promise<void> {
    if (ticket !== latestLoad) {
      await loaded.dispose();
      throw new WorkerError('cancelled', `loading ${modelId} was superseded by a later load`);
    }
    await segmenter?.dispose();
    segmenter = loaded;
  }

  return {
    ...base,
    catalogue: () => hub.catalogue(),
    openModelFolder: (id, files) => hub.openModelFolder(id, files),
    planHubModel: (request) => hub.planHubModel(request),
    listModelCache: () => hub.listModelCache(),
    clearModelCache: (modelId) => hub.clearModelCache(modelId),

    async loadHubSegmenter(jobId, request, onProgress) {
      const { backend } = await base.capabilities();
      const ticket = ++latestLoad;
      configured = true;
      const loaded = await jobs.run(jobId, (signal) =>
        hub.load(
          jobId,
          request,
          signal,
          onProgress,
          (plan, onInfo) =>
            SamSegmenter.load(plan.modelId, { device: backend, dtype: plan.dtype, onProgress: onInfo }),
          (model) => model.dispose(),
        ),
      );
      await install(loaded.value, ticket, loaded.plan.modelId);
      const { plan } = loaded;
      return {
        entryId: request.entryId,
        modelId: plan.modelId,
        device: backend,
        dtype: plan.dtype,
        plan,
        takesBoxInput: loaded.value.takesBoxInput,
        loadMs: loaded.loadMs,
      };
    },

    async loadModel(jobId, modelId, onProgress) {
      if (!configured) configureTransformers();
      configured = true;
      const { backend } = await base.capabilities();
      const start = performance.now();
      const ticket = ++latestLoad;
      onProgress({ jobId, done: 0, total: 1, message: `loading ${modelId} on ${backend}` });
      try {
        // Shipped folders carry a manifest: a corrupt or stale file is refused before onnxruntime sees it.
        const shipped = !isRegisteredFolder(modelId);
        if (shipped && (await verifyShippedModel(LOCAL_MODEL_PATH, modelId, (url) => fetch(url))))
          onProgress({ jobId, done: 0, total: 1, message: `verified ${modelId}'s files` });
        await install(await SamSegmenter.load(modelId, { device: backend }), ticket, modelId);
      } catch (err) {
        if (err instanceof WorkerError) throw err;
        throw new WorkerError('model-load-failed', `Could not load segmenter "${modelId}": ${describe(err)}`);
      }
      onProgress({ jobId, done: 1, total: 1, message: `loaded ${modelId}` });
      return {
        modelId,
        device: backend,
        takesBoxInput: ready().takesBoxInput,
        loadMs: performance.now() - start,
      };
    },

    async encodeImage(image) {
      return { encodeMs: await ready().encode(image) };
    },

    async segment(prompt) {
      const result = await ready().segment(prompt);
      // Hand the mask's memory to the UI instead of copying it.
      return Comlink.transfer(result, [result.mask.buffer as ArrayBuffer]);
    },
  };
}

// Hub-tier loads in a model worker: plan (sizes before any download), fit check, downloads tied to the job's
// signal with per-file progress, and typed errors (missing file, corrupt file, does not fit, cancelled).
import { env } from '@huggingface/transformers';
import { clearCachedModels, listCachedModels } from '../model/hub/cache';
import { CATALOGUE, catalogueEntry, CatalogueError, type CatalogueEntry } from '../model/hub/catalogue';
import { deviceLimits, type DeviceLimits } from '../model/hub/fit';
import { verifyManifest, type ModelManifest } from '../model/hub/manifest';
import { registerModelFolder } from '../model/hub/model-fetch';
import {
  describePlan,
  ModelFileMissingError,
  modelIdOf,
  planModelLoad,
  type LoadPlan,
} from '../model/hub/plan';
import { LoadProgressTracker } from '../model/hub/progress';
import {
  configureTransformers,
  HUGGING_FACE_HOST,
  LOCAL_MODEL_PATH,
  withLoadSignal,
} from '../model/hub/transformers-env';
import { WorkerError } from './errors';
import type {
  BackendReport,
  HubModelRequest,
  HubProgressCallback,
  HubWorkerApi,
  WorkerKind,
} from './protocol';

/** Folders up to this size have their manifest's hashes checked too (larger ones: sizes only). */
const HASH_CHECK_LIMIT_BYTES = 256 * 2 ** 20;

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isAbort(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (err instanceof Error && err.name === 'AbortError');
}

/** A plan or load failure as the typed error the UI shows. */
function loadError(err: unknown, what: string): WorkerError {
  if (err instanceof WorkerError) return err;
  if (err instanceof CatalogueError) return new WorkerError('bad-request', err.message);
  if (err instanceof ModelFileMissingError)
    return new WorkerError('model-load-failed', `Cannot load ${what}: ${err.message}`);
  const message = describe(err);
  // onnxruntime names no file when it cannot parse one: say what that means.
  if (/protobuf|parse|invalid model|corrupt|Failed to load model/i.test(message))
    return new WorkerError(
      'model-load-failed',
      `Cannot load ${what}: a model file is corrupt or not ONNX (onnxruntime: ${message}). Clear it from the ` +
        'cache, or export the folder again.',
    );
  return new WorkerError('model-load-failed', `Cannot load ${what}: ${message}`);
}

/** The manifest.json of an exported folder, read through transformers.js' fetch (opened folders and this app). */
async function folderManifest(modelId: string): Promise<ModelManifest | null> {
  const response = await env.fetch(`${LOCAL_MODEL_PATH}${modelId}/manifest.json`);
  if (!response.ok) return null;
  try {
    const manifest = (await response.json()) as ModelManifest;
    return Array.isArray(manifest.files) ? manifest : null;
  } catch {
    return null;
  }
}

/** Names a damaged file of an exported folder before onnxruntime sees it (sizes always, hashes when small). */
async function checkFolderManifest(plan: LoadPlan): Promise<void> {
  if (!plan.files.every((f) => f.from === 'folder' || f.from === 'app')) return;
  const manifest = await folderManifest(plan.modelId);
  if (!manifest) return;
  const planned = new Map(plan.files.map((f) => [f.path, f.bytes]));
  const listed = manifest.files.filter((f) => planned.has(f.path));
  for (const entry of listed)
    if (planned.get(entry.path) !== entry.bytes)
      throw new WorkerError(
        'model-load-failed',
        `Cannot load ${plan.modelId}: ${entry.path} has ${planned.get(entry.path)} bytes, its manifest says ${entry.bytes}.`,
      );
  if (plan.totalBytes > HASH_CHECK_LIMIT_BYTES) return;
  await verifyManifest({ ...manifest, files: listed }, async (path) => {
    const response = await env.fetch(`${LOCAL_MODEL_PATH}${plan.modelId}/${path}`);
    return response.ok ? new Uint8Array(await response.arrayBuffer()) : null;
  }).catch((err: unknown) => {
    throw new WorkerError('model-load-failed', `Cannot load ${plan.modelId}: ${describe(err)}`);
  });
}

export interface HubLoadResult<T> {
  value: T;
  plan: LoadPlan;
  loadMs: number;
}

/** The hub side of a model worker: one per worker, for its kind of catalogue entries. */
export class HubLoads implements HubWorkerApi {
  constructor(
    private readonly kind: WorkerKind,
    private readonly capabilities: () => Promise<BackendReport>,
    private readonly catalogueEntries: readonly CatalogueEntry[] = CATALOGUE,
  ) {}

  catalogue(): CatalogueEntry[] {
    return this.catalogueEntries.filter((e) => e.kind === this.kind);
  }

  openModelFolder(id: string, files: Map<string, Blob>): void {
    try {
      registerModelFolder(id, files);
    } catch (err) {
      throw new WorkerError('bad-request', describe(err));
    }
  }

  /** Points transformers.js at the hub, or (offline) at this app, opened folders and the cache only. */
  configure(offline: boolean): void {
    configureTransformers({ allowedHosts: offline ? [] : [HUGGING_FACE_HOST] });
  }

  entry(request: HubModelRequest): CatalogueEntry {
    let entry: CatalogueEntry;
    try {
      entry = catalogueEntry(request.entryId, this.catalogueEntries);
    } catch (err) {
      throw new WorkerError('bad-request', describe(err));
    }
    if (entry.kind !== this.kind)
      throw new WorkerError('bad-request', `${entry.label} is a ${entry.kind}, not a ${this.kind}.`);
    if (entry.source.kind === 'folder' && !request.folderId)
      throw new WorkerError('bad-request', `${entry.label} loads from a folder: open the folder first.`);
    return entry;
  }

  async limits(request: HubModelRequest): Promise<DeviceLimits> {
    const report = await this.capabilities();
    const gpu = report.backend === 'webgpu' && report.webgpu.available ? report.webgpu : null;
    const memory = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory ?? null;
    return deviceLimits({
      device: report.backend,
      features: gpu?.features ?? [],
      maxBufferSize: gpu?.limits.maxBufferSize ?? null,
      deviceMemoryGiB: memory,
      memoryBudgetBytes: request.memoryBudgetBytes ?? null,
    });
  }

  async planHubModel(request: HubModelRequest): Promise<LoadPlan> {
    const entry = this.entry(request);
    this.configure(request.offline ?? false);
    const modelId = modelIdOf(entry, request.folderId);
    try {
      return await planModelLoad(entry, { modelId, limits: await this.limits(request) });
    } catch (err) {
      throw loadError(err, `${entry.label} (${modelId})`);
    }
  }

  /**
   * Plans, refuses what does not fit (unless forced), then runs `body` (the transformers.js load) with downloads
   * tied to `signal` and progress from `onInfo` turned into per-file and total bytes.
   */
  async load<T>(
    jobId: string,
    request: HubModelRequest,
    signal: AbortSignal,
    onProgress: HubProgressCallback,
    body: (plan: LoadPlan, onInfo: (info: unknown) => void) => Promise<T>,
    discard: (value: T) => Promise<unknown> = async () => {},
  ): Promise<HubLoadResult<T>> {
    const start = performance.now();
    const plan = await this.planHubModel(request);
    const what = `${plan.label} (${plan.modelId})`;
    if (!plan.fit.fits && !request.force)
      throw new WorkerError(
        'does-not-fit',
        `${plan.label} does not fit this device: ${plan.fit.reasons.join(' ')}`,
      );
    const tracker = new LoadProgressTracker(plan, (load) =>
      onProgress({ jobId, done: load.loaded, total: load.total, message: load.message, load }),
    );
    onProgress({ ...this.progressOf(jobId, tracker), message: `${plan.label}: ${describePlan(plan)}` });
    try {
      await checkFolderManifest(plan);
      if (signal.aborted) throw new DOMException('cancelled', 'AbortError');
      const value = await withLoadSignal(signal, () => body(plan, (info) => tracker.handle(info)));
      if (signal.aborted) {
        await discard(value);
        throw new DOMException('cancelled', 'AbortError');
      }
      tracker.setPhase('ready');
      return { value, plan, loadMs: performance.now() - start };
    } catch (err) {
      if (isAbort(err, signal)) throw new WorkerError('cancelled', `Loading ${what} was cancelled.`);
      throw loadError(err, what);
    }
  }

  private progressOf(jobId: string, tracker: LoadProgressTracker) {
    const load = tracker.snapshot();
    return { jobId, done: load.loaded, total: load.total, message: load.message, load };
  }

  listModelCache() {
    return listCachedModels();
  }

  clearModelCache(modelId?: string) {
    return clearCachedModels(modelId);
  }
}

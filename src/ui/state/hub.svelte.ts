// App state for the hub tier's model picker: catalogue, the plan (sizes before any download), the load with
// per-file progress and cancel, opened folders, the download cache, and the difficulty estimate for photos.
import * as Comlink from 'comlink';
import { decodeToRgba } from '../../data/images';
import { modelFolderFiles } from '../../model/hub/model-fetch';
import { normalizeQuery } from '../../rl';
import { newJobId } from '../../workers/client';
import { isCancellation } from '../../workers/errors';
import type {
  CachedModel,
  CatalogueEntry,
  DifficultyEstimate,
  HubLoadProgress,
  HubModelRequest,
  LoadPlan,
  PolicyWorkerApi,
  SegmenterWorkerApi,
  WorkerKind,
} from '../../workers/protocol';
import { policy } from './policy.svelte';
import { segmenter } from './segmenter.svelte';
import { stage } from './stage.svelte';
import { workers } from './workers.svelte';

/** The workers that load hub models (the trainer trains the nano policy only). */
export type HubKind = Exclude<WorkerKind, 'trainer'>;

type Status = 'idle' | 'planning' | 'planned' | 'loading' | 'loaded' | 'failed';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

class HubState {
  kind = $state<HubKind>('policy');
  entries = $state<Record<HubKind, CatalogueEntry[]>>({ policy: [], segmenter: [] });
  selected = $state<Record<HubKind, string>>({ policy: '', segmenter: '' });
  /** The folder opened for the selected kind, by the id its files answer under. */
  folder = $state<Record<HubKind, { id: string; name: string } | null>>({ policy: null, segmenter: null });
  offline = $state(false);
  /** The user's memory budget in GB (empty: the browser's estimate). */
  budgetGb = $state<number | null>(null);
  status = $state<Status>('idle');
  plan = $state<LoadPlan | null>(null);
  progress = $state<HubLoadProgress | null>(null);
  error = $state<string | null>(null);
  cache = $state<CachedModel[]>([]);
  estimate = $state<DifficultyEstimate | null>(null);
  estimating = $state(false);
  private jobId: string | null = null;

  private api(kind: WorkerKind = this.kind): PolicyWorkerApi | SegmenterWorkerApi {
    const handle = kind === 'policy' ? workers.policy : workers.segmenter;
    if (!handle) throw new Error(`The ${kind} worker has not started.`);
    return handle.api as unknown as PolicyWorkerApi | SegmenterWorkerApi;
  }

  get entry(): CatalogueEntry | null {
    return this.entries[this.kind].find((e) => e.id === this.selected[this.kind]) ?? null;
  }

  /** Loads both catalogues and the cache view (once the workers have started). */
  async start(): Promise<void> {
    workers.start();
    try {
      for (const kind of ['policy', 'segmenter'] as const) {
        this.entries[kind] = await this.api(kind).catalogue();
        this.selected[kind] ||= this.entries[kind][0]?.id ?? '';
      }
      await this.refreshCache();
    } catch (err) {
      this.error = message(err);
    }
  }

  choose(kind: HubKind, id?: string): void {
    this.kind = kind;
    if (id) this.selected[kind] = id;
    this.plan = null;
    this.progress = null;
    this.error = null;
    this.status = 'idle';
    // The measured files and sizes show before anything is downloaded.
    void this.planSelected();
  }

  request(): HubModelRequest {
    const folder = this.folder[this.kind];
    const budget = this.budgetGb;
    return {
      entryId: this.selected[this.kind],
      ...(folder ? { folderId: folder.id } : {}),
      offline: this.offline,
      memoryBudgetBytes: budget && budget > 0 ? budget * 1e9 : null,
    };
  }

  /** A model folder from disk: loaded instead of the hub repository (or as the folder entry's export). */
  async openFolder(fileList: ArrayLike<File>): Promise<void> {
    const { folder, files } = modelFolderFiles(fileList);
    if (!files.has('config.json')) {
      this.fail(`"${folder || 'The folder'}" has no config.json: pick the model's top folder.`);
      return;
    }
    const id = `opened/${folder.replace(/[^\w.-]+/g, '-').replace(/^[.-]+/, '') || 'model'}`;
    try {
      await this.api().openModelFolder(id, files);
      this.folder[this.kind] = { id, name: folder };
      await this.planSelected();
    } catch (err) {
      this.fail(message(err));
    }
  }

  forgetFolder(): void {
    this.folder[this.kind] = null;
    this.plan = null;
  }

  /** Files, real sizes, dtypes and the fit, before anything is downloaded. */
  async planSelected(): Promise<void> {
    const entry = this.entry;
    if (!entry) return;
    if (entry.source.kind === 'folder' && !this.folder[this.kind]) {
      this.plan = null;
      this.status = 'idle';
      return;
    }
    this.status = 'planning';
    this.error = null;
    try {
      this.plan = await this.api().planHubModel(this.request());
      this.status = 'planned';
    } catch (err) {
      this.plan = null;
      this.fail(message(err));
    }
  }

  /** Downloads (with progress) and loads the selected model; `force` loads one the fit check refuses. */
  async load(force = false): Promise<void> {
    const entry = this.entry;
    if (!entry || this.status === 'loading') return;
    const kind = this.kind;
    const jobId = (this.jobId = newJobId('hub'));
    this.status = 'loading';
    this.error = null;
    this.progress = null;
    const onProgress = Comlink.proxy((p: HubLoadProgress) => (this.progress = p));
    try {
      const request = { ...this.request(), force };
      if (kind === 'policy') {
        const loaded = await (this.api('policy') as PolicyWorkerApi).loadHubPolicy(
          jobId,
          request,
          onProgress,
        );
        const frameSize = entry.kind === 'policy' ? entry.answerFrame : 840;
        policy.adopt({ ...loaded, tier: 'hub', frameSize }, entry.label);
        this.plan = loaded.plan;
      } else {
        const loaded = await (this.api('segmenter') as SegmenterWorkerApi).loadHubSegmenter(
          jobId,
          request,
          onProgress,
        );
        segmenter.adopt(loaded, entry.label);
        this.plan = loaded.plan;
      }
      this.status = 'loaded';
      await this.refreshCache();
    } catch (err) {
      if (isCancellation(err)) {
        this.status = this.plan ? 'planned' : 'idle';
        this.error = 'Loading was cancelled.';
      } else this.fail(message(err));
    } finally {
      this.jobId = null;
    }
  }

  cancel(): void {
    if (this.jobId) void this.api().cancel(this.jobId);
  }

  async refreshCache(): Promise<void> {
    this.cache = await this.api('policy').listModelCache();
  }

  async clearCache(modelId?: string): Promise<void> {
    try {
      await this.api('policy').clearModelCache(modelId);
      await this.refreshCache();
      if (this.plan) await this.planSelected();
    } catch (err) {
      this.fail(message(err));
    }
  }

  /** Rates the stage image and query with the loaded hub VLM; the number goes to the difficulty the run records. */
  async estimateDifficulty(refresh = false): Promise<void> {
    const image = stage.image;
    if (!image || !policy.query.trim()) return;
    this.estimating = true;
    this.error = null;
    try {
      const pixels = await decodeToRgba(image.blob);
      const sampleId = stage.sample?.id ?? `${image.id}|${normalizeQuery(policy.query)}`;
      const api = this.api('policy') as PolicyWorkerApi;
      const request = { sampleId, image: pixels, query: policy.query, refresh };
      this.estimate = await api.estimateDifficulty(
        newJobId('difficulty'),
        Comlink.transfer(request, [pixels.rgba.buffer as ArrayBuffer]),
        Comlink.proxy(() => {}),
      );
      const value = this.estimate.difficulty;
      if (value !== null && !stage.sample) {
        policy.difficulty = value;
        policy.estimatedDifficulty = value;
      }
    } catch (err) {
      this.fail(message(err));
    } finally {
      this.estimating = false;
    }
  }

  private fail(text: string): void {
    this.status = this.status === 'loading' || this.status === 'planning' ? 'failed' : this.status;
    this.error = text;
  }
}

export const hub = new HubState();

// App state for the policy: load pixelthink-nano, run a query with the chain streaming in, stop it, then mask and store the result.
import * as Comlink from 'comlink';
import { decodeToRgba } from '../../data/images';
import { decodeMaskPng } from '../../data/png';
import { responseParts, type ResponseParts, type ResultRecord } from '../../data/results';
import {
  toStorageError,
  type DifficultySource,
  type StoredAdapter,
  type StoredResult,
} from '../../data/store';
import { activeAdapterId, getAdapter } from '../../data/training';
import {
  countWords,
  DEFAULT_DIFFICULTY,
  maskIoU,
  MODEL_FRAME,
  scaleAnswerToImage,
  type BoxPoints,
} from '../../rl';
import { newJobId } from '../../workers/client';
import { isCancellation } from '../../workers/errors';
import type { ActiveAdapter, LoadedPolicy, PolicyResult, PolicyTokenEvent } from '../../workers/protocol';
import { thinkTokenCount } from './chain';
import { database } from './database';
import { results } from './results.svelte';
import { segmenter } from './segmenter.svelte';
import { stage } from './stage.svelte';
import { workers } from './workers.svelte';

/** The policies the picker offers; the first is the default. */
export const POLICY_MODELS = ['pixelthink-nano'] as const;
export const DEFAULT_MAX_TOKENS = 400;

type Status = 'none' | 'loading' | 'ready' | 'running' | 'failed';
export type RunEnd = 'finished' | 'stopped' | 'failed';

class PolicyState {
  modelId = $state<string>(POLICY_MODELS[0]);
  status = $state<Status>('none');
  message = $state('');
  error = $state<string | null>(null);
  loaded = $state<LoadedPolicy | null>(null);
  /** The LoRA adapter the policy runs with (the Training panel activates one), or null for the base model. */
  adapter = $state<ActiveAdapter | null>(null);
  query = $state('');
  maxTokens = $state(DEFAULT_MAX_TOKENS);
  /** The difficulty recorded for an image without a ShapeWorld sample (method.md: 3.0 unless the user says). */
  difficulty = $state(DEFAULT_DIFFICULTY);
  /** The hub VLM's estimate for the current image and query; `difficulty` equal to it is recorded as 'estimated'. */
  estimatedDifficulty = $state<number | null>(null);
  tokens = $state<PolicyTokenEvent[]>([]);
  end = $state<RunEnd | null>(null);
  result = $state<PolicyResult | null>(null);
  parts = $state<ResponseParts | null>(null);
  /** Milliseconds per stage: load, perceive, prefill, decode, segment. */
  timings = $state<Record<string, number>>({});
  startedAt = $state(0);
  elapsedMs = $state(0);
  private jobId: string | null = null;
  private offeredQuery: string | null = null;

  readonly text = $derived(this.tokens.map((t) => t.text).join(''));

  private get api() {
    const handle = workers.policy;
    if (!handle) throw new Error('The policy worker has not started.');
    return handle.api;
  }

  async load(modelId: string = this.modelId): Promise<void> {
    this.modelId = modelId;
    this.status = 'loading';
    this.error = null;
    try {
      const onProgress = Comlink.proxy((p: { message: string }) => (this.message = p.message));
      this.loaded = await this.api.loadPolicy(newJobId('load'), modelId, onProgress);
      this.timings = { load: this.loaded.loadMs };
      this.status = 'ready';
      this.message = `${modelId} on ${this.loaded.device}, loaded in ${Math.round(this.loaded.loadMs)} ms`;
    } catch (err) {
      this.loaded = null;
      this.fail(err);
      return;
    }
    await this.restoreAdapter();
  }

  /** Runs later queries with this adapter's weights, or the base model with null. */
  async useAdapter(stored: StoredAdapter | null): Promise<void> {
    if (!this.loaded) throw new Error('The policy is not loaded yet.');
    const file = stored ? { id: stored.id, name: stored.name, bytes: new Uint8Array(stored.bytes) } : null;
    this.adapter = await this.api.useAdapter(file);
  }

  /** The adapter activated before the reload, if it is still stored. */
  private async restoreAdapter(): Promise<void> {
    try {
      const db = await database();
      const id = await activeAdapterId(db);
      const stored = id ? await getAdapter(db, id) : undefined;
      if (stored) await this.useAdapter(stored);
    } catch (err) {
      this.error = `The active adapter could not be applied: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  /** Takes over a policy loaded elsewhere (a hub VLM from the model picker) as the one Run uses. */
  adopt(loaded: LoadedPolicy, label: string): void {
    this.modelId = loaded.modelId;
    this.loaded = loaded;
    this.error = null;
    this.status = 'ready';
    this.timings = { load: loaded.loadMs };
    this.message = `${label} on ${loaded.device}, loaded in ${Math.round(loaded.loadMs)} ms`;
  }

  /** Runs the query on the stage image; the chain streams into `tokens`. */
  async run(): Promise<void> {
    const image = stage.image;
    if (!image || !this.loaded || this.status === 'running') return;
    this.begin();
    const jobId = (this.jobId = newJobId('run'));
    try {
      const pixels = await decodeToRgba(image.blob);
      const onToken = Comlink.proxy((t: PolicyTokenEvent) => this.receive(t));
      const request = {
        image: pixels,
        query: this.query,
        maxNewTokens: this.maxTokens,
        temperature: 0,
        seed: 1,
      };
      const result = await this.api.runPolicy(
        jobId,
        Comlink.transfer(request, [pixels.rgba.buffer]),
        onToken,
      );
      await this.finish(result);
    } catch (err) {
      this.end = isCancellation(err) ? 'stopped' : 'failed';
      if (this.end === 'failed') this.fail(err);
      else this.status = 'ready';
    } finally {
      this.jobId = null;
    }
  }

  /** A sample on the stage offers its query, unless the user typed one of their own. */
  useSampleQuery(sampleQuery: string | null): void {
    if (sampleQuery !== null && (this.query === '' || this.query === this.offeredQuery))
      this.query = sampleQuery;
    this.offeredQuery = sampleQuery;
  }

  stop(): void {
    if (this.jobId) void this.api.cancel(this.jobId);
  }

  private begin(): void {
    this.status = 'running';
    this.error = null;
    this.tokens = [];
    this.result = null;
    this.parts = null;
    this.end = null;
    segmenter.clear();
    this.timings = { load: this.loaded?.loadMs ?? 0 };
    this.startedAt = performance.now();
    this.elapsedMs = 0;
  }

  private receive(token: PolicyTokenEvent): void {
    this.tokens.push(token);
    this.elapsedMs = performance.now() - this.startedAt;
  }

  /** Parses the answer; a usable one is segmented; the result is stored either way. */
  private async finish(result: PolicyResult): Promise<void> {
    this.result = result;
    this.elapsedMs = performance.now() - this.startedAt;
    this.timings = { ...this.timings, ...result.timingsMs };
    const draft = this.record(result);
    this.parts = responseParts(draft);
    this.end = 'finished';
    this.status = 'ready';
    const mask =
      this.parts.errors.length === 0 && this.parts.answer
        ? await this.segment(this.parts.answer, result.frameSize)
        : null;
    await this.save({ ...draft, iou: mask === null ? null : await this.iou(mask) });
  }

  /** `frameSize`: the square frame the policy answered in (840; 1000 for normalised-coordinate hub models). */
  private async segment(answer: BoxPoints, frameSize: number): Promise<Uint8Array | null> {
    const image = stage.image;
    if (!image || !segmenter.loaded) return null;
    const frame = frameSize > 0 ? { width: frameSize, height: frameSize } : MODEL_FRAME;
    const scaled = scaleAnswerToImage(answer, { width: image.width, height: image.height }, frame);
    const start = performance.now();
    await segmenter.segment({ bbox: scaled.bbox, points: scaled.points });
    this.timings = { ...this.timings, segment: performance.now() - start };
    return segmenter.result?.mask ?? null;
  }

  private async iou(mask: Uint8Array): Promise<number | null> {
    const truth = stage.sample?.gt.mask;
    if (!truth) return null;
    const decoded = decodeMaskPng(new Uint8Array(await truth.arrayBuffer()));
    return decoded.mask.length === mask.length ? maskIoU(mask, decoded.mask) : null;
  }

  /** The result as it will be stored (the id is the store's to give). */
  private record(result: PolicyResult): ResultRecord {
    const sample = stage.sample;
    const estimated = this.estimatedDifficulty !== null && this.difficulty === this.estimatedDifficulty;
    const source: DifficultySource = sample ? 'shapeworld' : estimated ? 'estimated' : 'user';
    return {
      id: 0,
      imageId: stage.image?.id ?? '',
      sampleId: sample?.id ?? null,
      query: this.query,
      modelId: this.adapter ? `${this.modelId}+lora:${this.adapter.name}` : this.modelId,
      segmenterId: segmenter.loaded?.modelId ?? null,
      response: result.response,
      words: countWords(result.response),
      tokens: thinkTokenCount(this.tokens.map((t) => t.text)),
      uncertainty: result.uncertainty,
      entropy: result.meanEntropy,
      difficulty: sample ? sample.difficulty : this.difficulty,
      difficultySource: source,
      groundTruth: sample ? { bbox: sample.gt.bbox, points: sample.gt.points } : null,
      iou: null,
      timingsMs: { ...this.timings },
      createdAt: Date.now(),
    };
  }

  private async save(record: ResultRecord): Promise<void> {
    const { id: _unused, ...stored } = record;
    try {
      await (await database()).add('results', $state.snapshot(stored) as StoredResult);
    } catch (err) {
      this.error = `Could not store the result: ${toStorageError(err).message}`;
      return;
    }
    await results.load();
  }

  private fail(err: unknown): void {
    this.status = this.loaded ? 'ready' : 'failed';
    this.error = err instanceof Error ? err.message : String(err);
  }
}

export const policy = new PolicyState();

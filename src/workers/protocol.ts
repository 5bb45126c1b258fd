// The typed API every model worker exposes through comlink, and the records that cross the boundary.
import type { Box, Point } from '../data/store';
import type { Level, Split } from '../data/shapeworld';
import type { RenderedShapeWorldSample } from '../data/dataset/shapeworld';
import type { WebGpuReport } from '../webgpu/device';
import type { GuardAction, GrpoSettings, GrpoSettingsInput, GrpoStepMetrics } from '../model/grpo';
import type { RewardParams } from '../rl';
import type { LevelReport } from '../eval/types';
import type {
  RgbaImage as SegmenterImage,
  SegmentPrompt,
  SegmentResult,
} from '../model/segmenter/sam-segmenter';
import type { CachedModel } from '../model/hub/cache';
import type { CatalogueEntry, HubDtype } from '../model/hub/catalogue';
import type { LoadPlan } from '../model/hub/plan';
import type { LoadProgress } from '../model/hub/progress';
import type { DifficultyEstimate } from '../model/hub-policy/difficulty';

export type { SegmenterImage, SegmentPrompt, SegmentResult };
export type { CachedModel, CatalogueEntry, DifficultyEstimate, HubDtype, LoadPlan, LoadProgress };

export type ComputeBackend = 'webgpu' | 'wasm';

/** What a worker runs on and why: the device panel shows this as is. */
export interface BackendReport {
  worker: WorkerKind;
  backend: ComputeBackend;
  webgpu: WebGpuReport;
  /** Whether a small WGSL kernel computed the right numbers on this device. */
  selfTest: 'passed' | 'failed' | 'not-run';
  /** Why the worker is on wasm, when it is; null on WebGPU. */
  fallbackReason: string | null;
  crossOriginIsolated: boolean;
  /** Threads the wasm backend may use: hardwareConcurrency when isolated, else 1. */
  wasmThreads: number;
}

export type WorkerKind = 'policy' | 'segmenter' | 'trainer';

export interface JobProgress {
  jobId: string;
  done: number;
  total: number;
  message: string;
}

export type ProgressCallback = (progress: JobProgress) => void;

/** A job that does nothing but report progress and return its payload: proves the plumbing end to end. */
export interface EchoRequest {
  payload: string;
  steps: number;
  stepMs: number;
}

export interface EchoResult {
  payload: string;
  steps: number;
  worker: WorkerKind;
}

/**
 * Which backend a worker should take. 'auto' (the default) takes WebGPU on a hardware adapter and wasm on a software
 * fallback adapter (SwiftShader, WARP), where onnxruntime's WebGPU kernels run far slower than its wasm ones.
 */
export type BackendPreference = 'auto' | 'webgpu' | 'wasm';

export interface ModelWorkerApi {
  /** The worker's backend; the first call decides it (with `preference`), later calls report the same choice. */
  capabilities(preference?: BackendPreference): Promise<BackendReport>;
  echo(jobId: string, request: EchoRequest, onProgress: ProgressCallback): Promise<EchoResult>;
  /** Cancels a running job: its promise rejects with WorkerError('cancelled'). Unknown ids are ignored. */
  cancel(jobId: string): void;
}

export interface LoadedPolicy {
  modelId: string;
  device: ComputeBackend;
  loadMs: number;
  /** 'nano': pixelthink-nano on the engine; 'hub': a VLM through transformers.js (absent on older callers: nano). */
  tier?: 'nano' | 'hub';
  /** The square frame the answer's coordinates are in. */
  frameSize?: number;
}

/** Which hub-tier model to load, and from where. */
export interface HubModelRequest {
  /** A catalogue id (CatalogueEntry.id). */
  entryId: string;
  /**
   * The id a folder was opened under (openModelFolder), or of a folder under public/models/: required for folder
   * entries; for hub entries it loads that folder instead of the repository.
   */
  folderId?: string;
  /** Offline: this app's /models/, opened folders and the browser cache only; the hub is never asked. */
  offline?: boolean;
  /** The user's memory budget in bytes; default a share of navigator.deviceMemory (wasm: at most its 4 GiB heap). */
  memoryBudgetBytes?: number | null;
  /** Load even when the fit check refuses (the user insists). */
  force?: boolean;
}

/** Hub load progress: bytes over all files as done/total, and every file's own progress. */
export interface HubLoadProgress extends JobProgress {
  load: LoadProgress;
}

export type HubProgressCallback = (progress: HubLoadProgress) => void;

export interface LoadedHubModel {
  entryId: string;
  modelId: string;
  device: ComputeBackend;
  dtype: Record<string, HubDtype>;
  plan: LoadPlan;
  loadMs: number;
}

/** A sample to rate: its id (the cache key), the image and the query. */
export interface DifficultyWorkerRequest {
  sampleId: string;
  image: SegmenterImage;
  query: string;
  /** Ask the model again even when this sample has an estimate. */
  refresh?: boolean;
}

/** One policy query: the image's RGBA pixels, the query, and how to decode. */
export interface PolicyRequest {
  image: SegmenterImage;
  query: string;
  maxNewTokens: number;
  /** 0 is greedy. */
  temperature: number;
  seed: number;
}

/** One streamed token and the statistics the UI shows beside the chain. */
export interface PolicyTokenEvent {
  id: number;
  text: string;
  logProb: number;
  p1: number;
  p2: number;
  entropy: number;
}

export type TokenCallback = (token: PolicyTokenEvent) => void;

/** An object the perception front end found, in the 840 answer frame. */
export interface PolicyObject {
  size: string;
  colour: string;
  shape: string;
  x: number;
  y: number;
  bbox: Box;
  points: readonly [Point, Point];
}

export interface PolicyResult {
  response: string;
  /** Generated tokens, the end token included when the model wrote it. */
  tokenCount: number;
  /** Margin uncertainty u, 0..1 (method.md §4), and mean entropy in nats. */
  uncertainty: number;
  meanEntropy: number;
  objects: PolicyObject[];
  /** Stage times; `select` only for policies with a separate selector (pixelthink-nano). */
  timingsMs: { perceive: number; select?: number; prefill: number; decode: number };
  /** The square frame the answer's coordinates are in. */
  frameSize: number;
}

/** The hub-tier calls both model workers offer: the catalogue, opened folders, plans, the download cache. */
export interface HubWorkerApi {
  /** The catalogue entries this worker loads (policies, or segmenters). */
  catalogue(): CatalogueEntry[];
  /** Makes `/models/<id>/…` answer from files the user opened (a model folder), without any network. */
  openModelFolder(id: string, files: Map<string, Blob>): void;
  /** Files, real sizes, dtypes and whether the model fits this device: nothing is downloaded. */
  planHubModel(request: HubModelRequest): Promise<LoadPlan>;
  /** Models in the browser's download cache, with their files and sizes. */
  listModelCache(): Promise<CachedModel[]>;
  /** Deletes one model's cached files, or all; returns how many files went. */
  clearModelCache(modelId?: string): Promise<number>;
}

/** The policy worker: pixelthink-nano (perception + decoder) on the engine, or a hub VLM through transformers.js. */
export interface PolicyWorkerApi extends ModelWorkerApi, HubWorkerApi {
  loadPolicy(jobId: string, modelId: string, onProgress: ProgressCallback): Promise<LoadedPolicy>;
  /**
   * Plans, checks the fit (WorkerError 'does-not-fit' unless forced), then downloads with per-file progress and
   * loads a hub VLM; cancel(jobId) stops the downloads (WorkerError 'cancelled'). Replaces the loaded policy.
   */
  loadHubPolicy(
    jobId: string,
    request: HubModelRequest,
    onProgress: HubProgressCallback,
  ): Promise<LoadedHubModel>;
  /** Streams tokens through onToken; cancel(jobId) rejects it with WorkerError('cancelled'). */
  runPolicy(jobId: string, request: PolicyRequest, onToken: TokenCallback): Promise<PolicyResult>;
  /** Rates a sample 1–10 with the loaded hub VLM (cached per model and sample); needs a hub policy. */
  estimateDifficulty(
    jobId: string,
    request: DifficultyWorkerRequest,
    onToken: TokenCallback,
  ): Promise<DifficultyEstimate>;
  /**
   * Runs later queries with a LoRA adapter (its safetensors file, validated against the loaded decoder first), or
   * with the base model (null). Refused while a query runs.
   */
  useAdapter(adapter: PolicyAdapterFile | null): Promise<ActiveAdapter | null>;
}

/** An adapter file handed to the policy worker. */
export interface PolicyAdapterFile {
  id: string;
  name: string;
  bytes: Uint8Array;
}

export interface ActiveAdapter {
  id: string;
  name: string;
  rank: number;
  parameters: number;
}

export interface LoadedSegmenter {
  modelId: string;
  device: ComputeBackend;
  /** False for standard SAM exports: the box then travels as two corner points. */
  takesBoxInput: boolean;
  loadMs: number;
}

/** The segmenter worker: a SAM-class model (nano-sam, SlimSAM, SAM2) through transformers.js. */
export interface SegmenterWorkerApi extends ModelWorkerApi, HubWorkerApi {
  loadModel(jobId: string, modelId: string, onProgress: ProgressCallback): Promise<LoadedSegmenter>;
  /** Like loadHubPolicy, for the catalogue's segmenters. */
  loadHubSegmenter(
    jobId: string,
    request: HubModelRequest,
    onProgress: HubProgressCallback,
  ): Promise<LoadedSegmenter & LoadedHubModel>;
  /** Encodes the image once; later prompts reuse it. */
  encodeImage(image: SegmenterImage): Promise<{ encodeMs: number }>;
  segment(prompt: SegmentPrompt): Promise<SegmentResult>;
}

/** A ShapeWorld sample as the gallery strip shows it: its facts and a small thumbnail. */
export interface GalleryItem {
  id: string;
  split: Split;
  index: number;
  query: string;
  difficulty: number;
  level: Level;
  thumbnail: { width: number; height: number; rgba: Uint8ClampedArray };
}

/** A ShapeWorld sample ready for the stage or the dataset: the image and target mask as PNG bytes, and the record. */
export type LoadedSample = RenderedShapeWorldSample;

/** The data worker renders ShapeWorld scenes off the main thread (a full-size sample takes ~0.5 s). */
export interface DataWorkerApi {
  galleryItems(split: Split, indices: number[], thumbnailSize: number): Promise<GalleryItem[]>;
  loadSample(split: Split, index: number): Promise<LoadedSample>;
}

/** What a GRPO run trains on: ShapeWorld-Reason train samples, or the user's labelled samples in the 'samples' store. */
export type TrainingSource =
  | { kind: 'shapeworld'; objects: 'perceived' | 'gt'; firstSample?: number }
  | { kind: 'samples'; sampleIds?: string[] };

export interface TrainingStartRequest {
  name: string;
  settings: GrpoSettingsInput;
  source: TrainingSource;
}

export type TrainerPhase =
  'idle' | 'loading' | 'running' | 'pausing' | 'paused' | 'stopping' | 'stopped' | 'finished' | 'failed';

export interface TrainerStatus {
  phase: TrainerPhase;
  runId: string | null;
  runName: string | null;
  /** Optimizer steps taken: the number of the next step to run. */
  step: number;
  steps: number;
  /** The step of the last checkpoint written to IndexedDB (0: none). */
  checkpointStep: number;
  /** What happened last, as a sentence (a guard restore says which checkpoint and why). */
  message: string;
  /** The last guard action of the run, if any. */
  guard: GuardAction | null;
  settings: GrpoSettings | null;
  source: TrainingSource | null;
  device: ComputeBackend | null;
}

/** One step as stored in the run's metric series: the trainer's metrics plus the reward change it began with. */
export type StepRecord = GrpoStepMetrics & {
  /** The reward parameters in force from this step on, when they changed at it. */
  rewardChange?: RewardParams;
};

export type TrainerEvent =
  { type: 'status'; status: TrainerStatus } | { type: 'step'; runId: string; record: StepRecord };

export type TrainerListener = (event: TrainerEvent) => void;

/** A run a reload interrupted (or that was paused): it can go on from its checkpoint. */
export interface ResumableRun {
  runId: string;
  name: string;
  status: 'running' | 'paused';
  checkpointStep: number;
  steps: number;
  updatedAt: number;
}

export interface AdapterSummary {
  id: string;
  name: string;
  baseModelId: string;
  rank: number;
  alpha: number;
  targets: string[];
  runId: string | null;
  step: number | null;
  source: 'trained' | 'imported';
  bytes: number;
  createdAt: number;
}

/** Base against one adapter on held-out ShapeWorld samples, greedy. */
export interface ComparisonRequest {
  adapterId: string;
  split: Split;
  offset: number;
  n: number;
  maxNewTokens: number;
  /** 'nano-sam' (the embedded segmenter, as the app runs) or 'oracle' (the exact mask of the object prompted). */
  segmenter: 'nano-sam' | 'oracle';
  /** The reward both sides are scored with (the live sliders); default the adapter's own. */
  rewardParams?: RewardParams;
}

export interface ComparisonSide {
  policy: string;
  overall: LevelReport;
  byLevel: Record<Level, LevelReport>;
  wallMs: number;
}

export interface ComparisonResult {
  id: string;
  adapterId: string;
  adapterName: string;
  runId: string | null;
  split: Split;
  offset: number;
  n: number;
  segmenter: string;
  /** How masks were made, said beside the table. */
  segmenterNote: string;
  rewardParams: RewardParams;
  base: ComparisonSide;
  adapter: ComparisonSide;
  createdAt: number;
}

/** The trainer worker: GRPO on LoRA adapters of pixelthink-nano, its runs, checkpoints and adapters in IndexedDB. */
export interface TrainerWorkerApi extends ModelWorkerApi {
  /** Test seam: the IndexedDB database to use (default the app's); call before anything else. */
  useDatabase(name: string): void;
  loadPolicy(jobId: string, modelId: string, onProgress: ProgressCallback): Promise<LoadedPolicy>;
  /** Status and step events (comlink-proxied callback); returns the current status. */
  subscribe(listener: TrainerListener): TrainerStatus;
  status(): TrainerStatus;
  /** The newest run that was running or paused when its page went away, with its checkpoint step; null if none. */
  resumable(): Promise<ResumableRun | null>;
  /** Creates the run and starts its loop; resolves once it runs (steps then arrive as events). */
  start(request: TrainingStartRequest): Promise<TrainerStatus>;
  /** Loads a stored run from its checkpoint (metrics after it are dropped: they are replayed) and runs it on. */
  resumeRun(runId: string, overrides?: { steps?: number }): Promise<TrainerStatus>;
  /** Aborts the step in flight (which changes nothing), writes a checkpoint, and waits. */
  pause(): Promise<TrainerStatus>;
  resume(): Promise<TrainerStatus>;
  /** Aborts the step in flight, writes the checkpoint and saves the adapter. */
  stop(): Promise<TrainerStatus>;
  /** New reward parameters from the next step on; recorded in the run. Null when no run is loaded. */
  updateReward(params: RewardParams): Promise<{ step: number; params: RewardParams } | null>;
  /** Saves the current run's adapter now. */
  saveAdapter(name?: string): Promise<AdapterSummary>;
  /** Validates a safetensors adapter file against the base model, then stores it; a refusal changes nothing. */
  importAdapter(bytes: Uint8Array, fileName: string): Promise<AdapterSummary>;
  /** The per-level table of the base and the adapter on the same held-out samples; stored with the run. */
  compare(jobId: string, request: ComparisonRequest, onProgress: ProgressCallback): Promise<ComparisonResult>;
}

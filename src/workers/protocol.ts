// The typed API every model worker exposes through comlink, and the records that cross the boundary.
import type { Box, Point } from '../data/store';
import type { Level, Split } from '../data/shapeworld';
import type { RenderedShapeWorldSample } from '../data/dataset/shapeworld';
import type { WebGpuReport } from '../webgpu/device';
import type {
  RgbaImage as SegmenterImage,
  SegmentPrompt,
  SegmentResult,
} from '../model/segmenter/sam-segmenter';

export type { SegmenterImage, SegmentPrompt, SegmentResult };

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

export type WorkerKind = 'policy' | 'segmenter';

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
  timingsMs: { perceive: number; prefill: number; decode: number };
  /** The square frame the answer's coordinates are in. */
  frameSize: number;
}

/** The policy worker: pixelthink-nano (perception + decoder) on the worker's engine backend. */
export interface PolicyWorkerApi extends ModelWorkerApi {
  loadPolicy(jobId: string, modelId: string, onProgress: ProgressCallback): Promise<LoadedPolicy>;
  /** Streams tokens through onToken; cancel(jobId) rejects it with WorkerError('cancelled'). */
  runPolicy(jobId: string, request: PolicyRequest, onToken: TokenCallback): Promise<PolicyResult>;
}

export interface LoadedSegmenter {
  modelId: string;
  device: ComputeBackend;
  /** False for standard SAM exports: the box then travels as two corner points. */
  takesBoxInput: boolean;
  loadMs: number;
}

/** The segmenter worker: a SAM-class model (nano-sam, SlimSAM, SAM2) through transformers.js. */
export interface SegmenterWorkerApi extends ModelWorkerApi {
  /** Makes `/models/<id>/…` answer from files the user opened (a model folder), without any network. */
  openModelFolder(id: string, files: Map<string, Blob>): void;
  loadModel(jobId: string, modelId: string, onProgress: ProgressCallback): Promise<LoadedSegmenter>;
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

// The typed API every model worker exposes through comlink, and the records that cross the boundary.
import type { WebGpuReport } from '../webgpu/device';

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

export interface ModelWorkerApi {
  capabilities(): Promise<BackendReport>;
  echo(jobId: string, request: EchoRequest, onProgress: ProgressCallback): Promise<EchoResult>;
  /** Cancels a running job: its promise rejects with WorkerError('cancelled'). Unknown ids are ignored. */
  cancel(jobId: string): void;
}

export type PolicyWorkerApi = ModelWorkerApi;
export type SegmenterWorkerApi = ModelWorkerApi;

// How the UI (and browser tests) start the model workers and run cancellable jobs on them through comlink.
import * as Comlink from 'comlink';
import { installErrorTransfer, WorkerError } from './errors';
import type {
  DataWorkerApi,
  JobProgress,
  ModelWorkerApi,
  PolicyWorkerApi,
  SegmenterWorkerApi,
  TrainerWorkerApi,
} from './protocol';

export interface WorkerHandle<Api> {
  api: Comlink.Remote<Api>;
  /** Rejects if the worker script fails to load or throws at top level; race calls against it. */
  crashed: Promise<never>;
  terminate(): void;
}

function wrap<Api>(worker: Worker, label: string): WorkerHandle<Api> {
  installErrorTransfer();
  const api = Comlink.wrap<Api>(worker);
  const crashed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      reject(
        new WorkerError('internal', `The ${label} worker failed: ${event.message || 'it did not load'}.`),
      );
    });
  });
  crashed.catch(() => {});
  return {
    api,
    crashed,
    terminate: () => {
      api[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}

// Each `new Worker(new URL(...))` must be written out literally for Vite to bundle the worker.
export function startPolicyWorker(): WorkerHandle<PolicyWorkerApi> {
  return wrap(
    new Worker(new URL('./policy.worker.ts', import.meta.url), { type: 'module', name: 'policy' }),
    'policy',
  );
}

export function startSegmenterWorker(): WorkerHandle<SegmenterWorkerApi> {
  return wrap(
    new Worker(new URL('./segmenter.worker.ts', import.meta.url), { type: 'module', name: 'segmenter' }),
    'segmenter',
  );
}

export function startTrainerWorker(): WorkerHandle<TrainerWorkerApi> {
  return wrap(
    new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module', name: 'trainer' }),
    'trainer',
  );
}

export function startDataWorker(): WorkerHandle<DataWorkerApi> {
  return wrap(
    new Worker(new URL('./data.worker.ts', import.meta.url), { type: 'module', name: 'data' }),
    'data',
  );
}

let jobCounter = 0;

export function newJobId(prefix: string): string {
  jobCounter += 1;
  return `${prefix}-${Date.now().toString(36)}-${jobCounter}`;
}

export interface JobOptions {
  onProgress?: (progress: JobProgress) => void;
  signal?: AbortSignal;
}

/**
 * Runs one job on a worker with a progress callback and an AbortSignal; aborting sends cancel(jobId),
 * and the job's promise then rejects with WorkerError('cancelled').
 */
export async function runJob<T>(
  api: Comlink.Remote<ModelWorkerApi>,
  prefix: string,
  call: (jobId: string, onProgress: Comlink.ProxyMarked & ((p: JobProgress) => void)) => Promise<T>,
  options: JobOptions = {},
): Promise<T> {
  if (options.signal?.aborted) throw new WorkerError('cancelled', 'The job was cancelled before it started.');
  const jobId = newJobId(prefix);
  const onProgress = Comlink.proxy((p: JobProgress) => options.onProgress?.(p));
  const onAbort = () => void api.cancel(jobId);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await call(jobId, onProgress);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

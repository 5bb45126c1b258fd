// Platform adapter for the thread pool: starts a worker from source text with Node worker_threads or a browser Web Worker.

import type * as NodeOs from 'node:os';
import type * as NodeWorkerThreads from 'node:worker_threads';

export interface KernelWorker {
  postMessage(message: unknown): void;
  /** Resolves on the worker's first message, rejects if it fails to start. */
  firstMessage(): Promise<unknown>;
  terminate(): void;
}

const isNode =
  typeof process !== 'undefined' && process.versions?.node !== undefined && typeof window === 'undefined';

export function threadsAvailable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  // Browsers only allow shared wasm memory on cross-origin isolated pages (COOP + COEP).
  return isNode || globalThis.crossOriginIsolated === true;
}

/** Logical cores; Node 20 has no navigator, so it asks node:os. */
export async function hardwareThreads(): Promise<number> {
  if (typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0)
    return navigator.hardwareConcurrency;
  if (!isNode) return 1;
  const moduleName = 'node:os';
  const os = (await import(/* @vite-ignore */ moduleName)) as typeof NodeOs;
  return os.availableParallelism();
}

/** Whether this thread may block in Atomics.wait; a browser window's main thread may not (it must spin instead). */
export function canBlockThisThread(): boolean {
  return isNode || typeof window === 'undefined';
}

export async function startKernelWorker(source: string): Promise<KernelWorker> {
  return isNode ? startNodeWorker(source) : startBrowserWorker(source);
}

async function startNodeWorker(source: string): Promise<KernelWorker> {
  const moduleName = 'node:worker_threads';
  const { Worker } = (await import(/* @vite-ignore */ moduleName)) as typeof NodeWorkerThreads;
  const worker = new Worker(source, { eval: true });
  // Idle kernel workers must not keep a finished process alive.
  worker.unref();
  return {
    postMessage: (message) => worker.postMessage(message),
    firstMessage: () =>
      new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      }),
    terminate: () => void worker.terminate(),
  };
}

function startBrowserWorker(source: string): KernelWorker {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url);
  return {
    postMessage: (message) => worker.postMessage(message),
    firstMessage: () =>
      new Promise((resolve, reject) => {
        worker.addEventListener('message', (event) => resolve(event.data), { once: true });
        worker.addEventListener('error', (event) => reject(new Error(event.message)), { once: true });
      }),
    terminate: () => {
      worker.terminate();
      URL.revokeObjectURL(url);
    },
  };
}

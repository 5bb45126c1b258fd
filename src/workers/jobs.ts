// Bookkeeping of a worker's running jobs so that a cancel from the UI reaches the job it names.
import { WorkerError } from './errors';

export class JobRegistry {
  private readonly running = new Map<string, AbortController>();

  /** Registers a job and returns the signal it must watch; a duplicate id is a caller bug. */
  start(jobId: string): AbortSignal {
    if (this.running.has(jobId)) throw new WorkerError('bad-request', `Job ${jobId} is already running.`);
    const controller = new AbortController();
    this.running.set(jobId, controller);
    return controller.signal;
  }

  finish(jobId: string): void {
    this.running.delete(jobId);
  }

  cancel(jobId: string): void {
    this.running.get(jobId)?.abort();
  }

  get size(): number {
    return this.running.size;
  }

  /** Runs body as job jobId, always unregistering it, however it ends. */
  async run<T>(jobId: string, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = this.start(jobId);
    try {
      return await body(signal);
    } finally {
      this.finish(jobId);
    }
  }
}

export function throwIfCancelled(signal: AbortSignal, jobId: string): void {
  if (signal.aborted) throw new WorkerError('cancelled', `Job ${jobId} was cancelled.`);
}

/** Waits ms or until the signal aborts, whichever is first; rejects with a cancellation. */
export function cancellableDelay(ms: number, signal: AbortSignal, jobId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new WorkerError('cancelled', `Job ${jobId} was cancelled.`));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new WorkerError('cancelled', `Job ${jobId} was cancelled.`));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

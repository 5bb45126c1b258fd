// A pool of kernel workers sharing one wasm memory: a job is a list of chunks that the caller and the workers claim
// dynamically (Atomics.add), so a descheduled thread on a busy machine delays the job by one chunk, not by half of it.
import { POOL_KERNELS, type PoolKernel } from './exports';
import type { WasmHeap } from './heap';
import { canBlockThisThread, startKernelWorker, type KernelWorker } from './worker-host';
import { KERNEL_WORKER_SOURCE } from './worker-source';

/** One job: the same kernel over several chunks of arguments. The pool appends each thread's scratch pointer. */
export interface KernelJob {
  kernel: PoolKernel;
  chunks: number[][];
}

export interface ThreadPoolOptions {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  heap: WasmHeap;
  /** Worker count (the caller's thread is extra). */
  workers: number;
  /** Scratch of thread t is at scratchBase + t · scratchBytes (thread 0 = the caller). */
  scratchBase: number;
  scratchBytes: number;
  /** Busy-wait iterations before a worker sleeps; trades idle CPU for wake-up latency of back-to-back jobs. */
  spinIterations?: number;
}

/** Control block words (Int32); worker-source.ts uses the same indices. */
const Word = {
  generation: 0,
  running: 1,
  stop: 2,
  nextChunk: 3,
  chunks: 4,
  kernel: 5,
  argc: 6,
  table: 7,
  scratch: 8,
  scratchStride: 9,
  /** 0, or the index of a worker whose kernel threw during the current job. */
  failed: 10,
  /** Chunks of the current job finished, by any thread: the results are complete when it reaches `chunks`. */
  done: 11,
} as const;
const CONTROL_WORDS = 12;
/** How long a worker may take to check in once every chunk is done before the pool stops relying on workers. */
const CHECK_IN_GRACE_MS = 2_000;
/** How long the pool waits for unfinished chunks before it reports the job as stalled. */
const STALL_MS = 60_000;

export class KernelPoolError extends Error {
  override readonly name = 'KernelPoolError';
}
const DEFAULT_SPIN_ITERATIONS = 20_000;

export class WasmThreadPool {
  private readonly control: Int32Array;
  private readonly canBlock = canBlockThisThread();
  private table = { ptr: 0, words: 0 };
  /** Set when a worker failed to check in: from then on every job runs on the calling thread only. */
  private degraded = false;

  private constructor(
    private readonly workers: KernelWorker[],
    private readonly options: ThreadPoolOptions,
    control: Int32Array,
  ) {
    this.control = control;
    this.control[Word.scratch] = options.scratchBase;
    this.control[Word.scratchStride] = options.scratchBytes;
  }

  static async create(options: ThreadPoolOptions): Promise<WasmThreadPool> {
    // The control block lives in its own shared buffer, not in the wasm memory: no kernel can write over it, so a
    // stray write shows up as wrong numbers or a tripped guard (kernels.ts), never as a hung or vanished worker.
    const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
    const spinIterations = options.spinIterations ?? DEFAULT_SPIN_ITERATIONS;
    const workers = await Promise.all(
      Array.from({ length: options.workers }, (_, index) =>
        startPoolWorker(options, { control: control.buffer, thread: index + 1, spinIterations }),
      ),
    );
    return new WasmThreadPool(workers, options, control);
  }

  /** Threads a job can use: the workers plus the calling thread. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** Runs every chunk of the job on this thread and the workers; synchronous, so results are ready on return. */
  run(job: KernelJob, callKernel: (kernel: PoolKernel, args: number[]) => void): void {
    const argc = job.chunks[0]?.length ?? 0;
    if (job.chunks.length <= 1 || this.degraded) {
      for (const chunk of job.chunks) callKernel(job.kernel, [...chunk, this.options.scratchBase]);
      return;
    }
    this.publish(job, argc);
    Atomics.store(this.control, Word.running, this.workers.length);
    Atomics.add(this.control, Word.generation, 1);
    Atomics.notify(this.control, Word.generation);
    this.claimChunks(job, callKernel);
    this.waitForWorkers(job);
    const failed = Atomics.exchange(this.control, Word.failed, 0);
    if (failed !== 0)
      throw new Error(`${job.kernel}: kernel worker ${failed} failed (see its message above)`);
  }

  terminate(): void {
    Atomics.store(this.control, Word.stop, 1);
    Atomics.add(this.control, Word.generation, 1);
    Atomics.notify(this.control, Word.generation);
    for (const worker of this.workers) worker.terminate();
  }

  /** Writes the chunk table into shared memory and describes it in the control block. */
  private publish(job: KernelJob, argc: number): void {
    const words = job.chunks.length * argc;
    if (words > this.table.words) {
      if (this.table.ptr) this.options.heap.free(this.table);
      this.table = { ptr: this.options.heap.allocBytes(words * 8), words };
    }
    const table = new Float64Array(this.options.memory.buffer, this.table.ptr, words);
    job.chunks.forEach((chunk, index) => {
      if (chunk.length !== argc) throw new Error(`${job.kernel}: chunks must have the same argument count`);
      table.set(chunk, index * argc);
    });
    this.control[Word.kernel] = POOL_KERNELS.indexOf(job.kernel);
    this.control[Word.argc] = argc;
    this.control[Word.table] = this.table.ptr;
    this.control[Word.chunks] = job.chunks.length;
    Atomics.store(this.control, Word.done, 0);
    Atomics.store(this.control, Word.nextChunk, 0);
  }

  private claimChunks(job: KernelJob, callKernel: (kernel: PoolKernel, args: number[]) => void): void {
    for (;;) {
      const chunk = job.chunks[Atomics.add(this.control, Word.nextChunk, 1)];
      if (!chunk) return;
      callKernel(job.kernel, [...chunk, this.options.scratchBase]);
      Atomics.add(this.control, Word.done, 1);
    }
  }

  /**
   * Waits until every worker has checked in. The results are complete as soon as `done` reaches the chunk count; a
   * worker that then never checks in (a thread that died, seen once in hours of training) would block forever, so
   * after a grace period the pool goes on without workers instead of hanging the tab or the trainer.
   */
  private waitForWorkers(job: KernelJob): void {
    const started = performance.now();
    for (;;) {
      const running = Atomics.load(this.control, Word.running);
      if (running === 0) return;
      const complete = Atomics.load(this.control, Word.done) >= job.chunks.length;
      const waited = performance.now() - started;
      if (complete && waited > CHECK_IN_GRACE_MS) {
        this.degraded = true;
        console.warn(
          `wasm kernels: a worker stopped responding during ${job.kernel}; continuing on one thread`,
        );
        return;
      }
      if (!complete && waited > STALL_MS)
        throw new KernelPoolError(
          `${job.kernel}: chunks unfinished after ${STALL_MS / 1000} s (a kernel worker stopped)`,
        );
      // Workers notify only when the count reaches 0; the timeout lets the checks above run.
      if (this.canBlock) Atomics.wait(this.control, Word.running, running, 100);
    }
  }
}

async function startPoolWorker(
  options: ThreadPoolOptions,
  placement: { control: ArrayBufferLike; thread: number; spinIterations: number },
): Promise<KernelWorker> {
  const worker = await startKernelWorker(KERNEL_WORKER_SOURCE);
  const ready = worker.firstMessage();
  worker.postMessage({ module: options.module, memory: options.memory, kernels: POOL_KERNELS, ...placement });
  await ready;
  return worker;
}

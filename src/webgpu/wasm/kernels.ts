// The wasm kernel runtime: loads the module, owns the heap, and exposes typed matmul/int8/int4/f16/row kernels, threaded when worthwhile.
import type { AdamWHyper } from '../backend';
import { asKernelExports, type KernelExports } from './exports';
import { WasmHeap, type F32Region, type U8Region } from './heap';
import { loadKernelModule } from './module-loader';
import { partitionMatmul, planMatmulChunks, type MatmulPart } from './partition';
import type { QuantizedWeights, WeightBits } from './quantize';
import type { HalfWeights } from './quantize-f16';
import type { PoolKernel } from './exports';
import { WasmThreadPool, type KernelJob } from './thread-pool';
import { hardwareThreads, threadsAvailable } from './worker-host';

/** A heap pointer: a byte offset or anything that carries one (a HeapRegion). */
export type Ptr = number | { readonly ptr: number };

export interface WasmKernelsOptions {
  /** Threads including the caller; 'auto' = the machine's cores, capped at 8; falls back to 1 without shared memory. */
  threads?: number | 'auto';
  /** Upper bound of the shared memory (threaded builds must declare one up front). */
  maxMemoryMiB?: number;
  /** Jobs with fewer flops than this per thread stay on one thread: waking workers costs tens of microseconds. */
  minFlopsPerThread?: number;
  spinIterations?: number;
}

export interface MatmulArgs {
  a: Ptr;
  b: Ptr;
  c: Ptr;
  m: number;
  n: number;
  k: number;
  /** A is stored k×m (use Aᵀ). */
  transA?: boolean;
  /** B is stored n×k (use Bᵀ) — the linear-layer layout. */
  transB?: boolean;
  batch?: number;
  /** Elements between batch items; default one whole matrix, 0 shares the operand across the batch. */
  strideA?: number;
  strideB?: number;
  strideC?: number;
  lda?: number;
  ldb?: number;
  ldc?: number;
  /** C += A·B instead of C = A·B. */
  accumulate?: boolean;
  /** Cap on threads for this call. */
  threads?: number;
}

/** Quantised weights living on the heap, ready for matmulQuantized. */
export interface HeapQuantizedWeights {
  bits: WeightBits;
  n: number;
  k: number;
  groupSize: number;
  rowBytes: number;
  groupsPerRow: number;
  data: U8Region;
  scales: F32Region;
}

export interface QuantizedMatmulArgs {
  /** m×k activations. */
  a: Ptr;
  weights: HeapQuantizedWeights;
  /** m×n output: C = A · Wᵀ (+ C). */
  c: Ptr;
  m: number;
  lda?: number;
  ldc?: number;
  accumulate?: boolean;
  threads?: number;
}

/** f16 weights living on the heap, ready for matmulF16: n·k halves row-major (`data` counts bytes). */
export interface HeapHalfWeights {
  n: number;
  k: number;
  data: U8Region;
}

export interface HalfMatmulArgs {
  /** m×k activations (m×n when transposed). */
  a: Ptr;
  weights: HeapHalfWeights;
  /** C = A · Wᵀ, m×n (+ C); transposed: C = A · W, m×k (the input gradient of a Linear). */
  c: Ptr;
  m: number;
  transposed?: boolean;
  lda?: number;
  ldc?: number;
  accumulate?: boolean;
  threads?: number;
}

const PAGE_BYTES = 65536;
const DEFAULT_MAX_MEMORY_MIB = 1024;
const MAX_AUTO_THREADS = 8;
/**
 * Measured on the 2-core dev box (npm run bench -- kernels, "pool overhead"): on an idle machine two threads already
 * win from 48³ (~0.2 MFLOP); on a loaded one the wake-up can lose up to 96³. 256 KFLOP per thread puts the switch
 * at ~64³.
 */
const DEFAULT_MIN_FLOPS_PER_THREAD = 1 << 18;

export class WasmKernels {
  private constructor(
    readonly memory: WebAssembly.Memory,
    readonly heap: WasmHeap,
    private readonly exports: KernelExports,
    private readonly pool: WasmThreadPool | undefined,
    /** Thread 0's matmul scratch (the pool's threads follow it). */
    private readonly scratch: number,
    private readonly minFlopsPerThread: number,
    private readonly fences: MemoryFences,
  ) {}

  static async create(options: WasmKernelsOptions = {}): Promise<WasmKernels> {
    const threads = await resolveThreads(options.threads ?? 'auto');
    const shared = threads > 1;
    const module = await loadKernelModule(shared ? 'threads' : 'single');
    const maxPages = ((options.maxMemoryMiB ?? DEFAULT_MAX_MEMORY_MIB) * 1024 * 1024) / PAGE_BYTES;
    const memory = shared
      ? new WebAssembly.Memory({ initial: 64, maximum: maxPages, shared: true })
      : new WebAssembly.Memory({ initial: 64, maximum: maxPages });
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    const exports = asKernelExports(instance);
    const heap = new WasmHeap(memory, exports.heapBase());
    // Each thread packs panels into its own scratch: one block for all threads, 64-byte aligned strides.
    const scratchBytes = Math.ceil(exports.matmulScratchBytes() / 64) * 64;
    const fences = MemoryFences.around(heap, memory, () => heap.allocBytes(threads * scratchBytes));
    const scratch = fences.guarded;
    const pool = shared
      ? await WasmThreadPool.create({
          ...{ module, memory, heap, workers: threads - 1, spinIterations: options.spinIterations },
          ...{ scratchBase: scratch, scratchBytes },
        })
      : undefined;
    const minFlops = options.minFlopsPerThread ?? DEFAULT_MIN_FLOPS_PER_THREAD;
    return new WasmKernels(memory, heap, exports, pool, scratch, minFlops, fences);
  }

  /** Threads a large matmul runs on (1 without shared memory). */
  get threads(): number {
    return this.pool?.threads ?? 1;
  }

  /** C = op(A)·op(B) (+ C), optionally batched, split across threads when large enough. */
  matmul(args: MatmulArgs): void {
    const batch = args.batch ?? 1;
    const { m, n, k } = args;
    const lda = args.lda ?? (args.transA ? m : k);
    const ldb = args.ldb ?? (args.transB ? k : n);
    const ldc = args.ldc ?? n;
    const strides = [args.strideA ?? m * k, args.strideB ?? k * n, args.strideC ?? m * n] as const;
    const parts = planMatmulChunks(batch, m, n, this.threadsFor(2 * batch * m * n * k, args.threads));
    const chunks = parts.map((part) => {
      const a =
        ptrOf(args.a) +
        4 * (part.batchStart * strides[0] + (args.transA ? part.rowStart : part.rowStart * lda));
      const b =
        ptrOf(args.b) +
        4 * (part.batchStart * strides[1] + (args.transB ? part.colStart * ldb : part.colStart));
      const c = ptrOf(args.c) + 4 * (part.batchStart * strides[2] + part.rowStart * ldc + part.colStart);
      const sizes = [part.batchCount, part.rows, part.cols, k];
      const operands = [
        a,
        lda,
        strides[0],
        flag(args.transA),
        b,
        ldb,
        strides[1],
        flag(args.transB),
        c,
        ldc,
        strides[2],
      ];
      return [...sizes, ...operands, flag(args.accumulate)];
    });
    this.runJob({ kernel: 'matmulF32', chunks });
  }

  /** C = A · Wᵀ (+ C) with int8/int4 weights dequantised inside the kernel's packing step. */
  matmulQuantized(args: QuantizedMatmulArgs): void {
    const { weights: w, m } = args;
    const lda = args.lda ?? w.k;
    const ldc = args.ldc ?? w.n;
    const parts = partitionQuantized(m, w.n, this.threadsFor(2 * m * w.n * w.k, args.threads));
    const chunks = parts.map((part) => {
      const a = ptrOf(args.a) + 4 * part.rowStart * lda;
      const weightRows = w.data.ptr + part.colStart * w.rowBytes;
      const scales = w.scales.ptr + 4 * part.colStart * w.groupsPerRow;
      const c = ptrOf(args.c) + 4 * (part.rowStart * ldc + part.colStart);
      const quantized = [weightRows, w.rowBytes, scales, w.groupsPerRow, w.groupSize];
      const shape = [w.bits, part.rows, part.cols, w.k, a, lda];
      return [...shape, ...quantized, c, ldc, flag(args.accumulate)];
    });
    this.runJob({ kernel: 'matmulQuantized', chunks });
  }

  /**
   * C = A · Wᵀ or, transposed, A · W (+ C) with f16 weights widened to f32 inside the packing step. Threads split the
   * output columns first, so each converts only its own weights.
   */
  matmulF16(args: HalfMatmulArgs): void {
    const { weights: w, m } = args;
    const [inner, cols] = args.transposed ? [w.n, w.k] : [w.k, w.n];
    const lda = args.lda ?? inner;
    const ldc = args.ldc ?? cols;
    const parts = partitionQuantized(m, cols, this.threadsFor(2 * m * cols * inner, args.threads));
    const chunks = parts.map((part) => {
      const a = ptrOf(args.a) + 4 * part.rowStart * lda;
      // Column j of op(W) is weight row j (x · Wᵀ) or weight column j (x · W).
      const b = w.data.ptr + 2 * (args.transposed ? part.colStart : part.colStart * w.k);
      const c = ptrOf(args.c) + 4 * (part.rowStart * ldc + part.colStart);
      const operands = [a, lda, b, w.k, flag(!args.transposed), c, ldc];
      return [part.rows, part.cols, inner, ...operands, flag(args.accumulate)];
    });
    this.runJob({ kernel: 'matmulF16', chunks });
  }

  /** Copies host-side f16 weights onto the heap. */
  uploadHalf(h: HalfWeights): HeapHalfWeights {
    const data = this.heap.allocU8(2 * h.data.length);
    data.view().set(new Uint8Array(h.data.buffer, h.data.byteOffset, 2 * h.data.length));
    return { n: h.n, k: h.k, data };
  }

  freeHalf(weights: HeapHalfWeights): void {
    this.heap.free(weights.data);
  }

  /** Copies host-side quantised weights onto the heap. */
  uploadQuantized(q: QuantizedWeights): HeapQuantizedWeights {
    const data = this.heap.allocU8(q.data.length);
    data.view().set(q.data);
    const scales = this.heap.fromF32(q.scales);
    const { bits, n, k, groupSize, rowBytes, groupsPerRow } = q;
    return { bits, n, k, groupSize, rowBytes, groupsPerRow, data, scales };
  }

  freeQuantized(weights: HeapQuantizedWeights): void {
    this.heap.free(weights.data);
    this.heap.free(weights.scales);
  }

  /** out = a + b, b either rows×cols or one row broadcast over every row. */
  addRows(a: Ptr, b: Ptr, out: Ptr, rows: number, cols: number, broadcastRow = false): void {
    this.exports.addRows(ptrOf(a), ptrOf(b), ptrOf(out), rows, cols, flag(broadcastRow));
  }

  /** out = a ⊙ b, b either rows×cols or one row broadcast over every row. */
  mulRows(a: Ptr, b: Ptr, out: Ptr, rows: number, cols: number, broadcastRow = false): void {
    this.exports.mulRows(ptrOf(a), ptrOf(b), ptrOf(out), rows, cols, flag(broadcastRow));
  }

  scale(a: Ptr, out: Ptr, length: number, factor: number): void {
    this.exports.scale(ptrOf(a), ptrOf(out), length, factor);
  }

  /** out = y + alpha · x. */
  axpy(x: Ptr, y: Ptr, out: Ptr, length: number, alpha: number): void {
    this.exports.axpy(ptrOf(x), ptrOf(y), ptrOf(out), length, alpha);
  }

  softmaxRows(x: Ptr, out: Ptr, rows: number, cols: number): void {
    this.exports.softmaxRows(ptrOf(x), ptrOf(out), rows, cols);
  }

  /** out = x / rms(x) · weight per row; weight null = no gain. */
  rmsnormRows(x: Ptr, weight: Ptr | null, out: Ptr, rows: number, cols: number, eps: number): void {
    this.exports.rmsnormRows(ptrOf(x), weight === null ? 0 : ptrOf(weight), ptrOf(out), rows, cols, eps);
  }

  silu(x: Ptr, out: Ptr, length: number): void {
    this.exports.silu(ptrOf(x), ptrOf(out), length);
  }

  /** GELU, tanh approximation. */
  gelu(x: Ptr, out: Ptr, length: number): void {
    this.exports.gelu(ptrOf(x), ptrOf(out), length);
  }

  /** out = dy · SiLU'(x). */
  siluBackward(x: Ptr, dy: Ptr, out: Ptr, length: number): void {
    this.exports.siluBackward(ptrOf(x), ptrOf(dy), ptrOf(out), length);
  }

  /** out = dy · GELU'(x), tanh approximation. */
  geluBackward(x: Ptr, dy: Ptr, out: Ptr, length: number): void {
    this.exports.geluBackward(ptrOf(x), ptrOf(dy), ptrOf(out), length);
  }

  /** Rotate-half RoPE; `table` holds cos [rows, headDim/2] then sin [rows, headDim/2]. */
  ropeRows(
    x: Ptr,
    table: Ptr,
    out: Ptr,
    rows: number,
    heads: number,
    headDim: number,
    inverse: boolean,
  ): void {
    this.exports.ropeRows(ptrOf(x), ptrOf(table), ptrOf(out), rows, heads, headDim, flag(inverse));
  }

  /** out[r] = log_softmax(logits[r])[ids[r]] (0 for ids[r] < 0); scratch holds one row of cols floats. */
  logSoftmaxGatherRows(logits: Ptr, ids: Ptr, out: Ptr, rows: number, cols: number, scratch: Ptr): void {
    this.exports.logSoftmaxGatherRows(ptrOf(logits), ptrOf(ids), ptrOf(out), rows, cols, ptrOf(scratch));
  }

  /** d logits = dy[r] · (onehot(ids[r]) − softmax(logits[r])), zero rows for ids[r] < 0. */
  logSoftmaxGatherBackwardRows(logits: Ptr, ids: Ptr, dy: Ptr, out: Ptr, rows: number, cols: number): void {
    this.exports.logSoftmaxGatherBackwardRows(ptrOf(logits), ptrOf(ids), ptrOf(dy), ptrOf(out), rows, cols);
  }

  /** RMSNorm backward: dx, and dWeight accumulated over rows when given (it must start at zero). */
  rmsnormBackwardRows(
    x: Ptr,
    weight: Ptr,
    dy: Ptr,
    dx: Ptr,
    dWeight: Ptr | null,
    rows: number,
    cols: number,
    eps: number,
  ): void {
    const gains = dWeight === null ? 0 : ptrOf(dWeight);
    this.exports.rmsnormBackwardRows(ptrOf(x), ptrOf(weight), ptrOf(dy), ptrOf(dx), gains, rows, cols, eps);
  }

  /** In-place AdamW over `length` elements of param, m and v with grad · gradScale. */
  adamwUpdate(
    param: Ptr,
    grad: Ptr,
    m: Ptr,
    v: Ptr,
    length: number,
    gradScale: number,
    hyper: AdamWHyper,
  ): void {
    const { lr, beta1, beta2, eps, weightDecay, biasCorrection1, biasCorrection2 } = hyper;
    const [p, g, ms, vs] = [ptrOf(param), ptrOf(grad), ptrOf(m), ptrOf(v)];
    const corrections = [biasCorrection1, biasCorrection2] as const;
    this.exports.adamwUpdate(
      p,
      g,
      ms,
      vs,
      length,
      gradScale,
      lr,
      beta1,
      beta2,
      eps,
      weightDecay,
      ...corrections,
    );
    // Once per parameter per step: cheap, and the kernel that once allocated per call was this one.
    this.fences.check('adamwUpdate');
  }

  /**
   * Attention rows of one head over a [tq, tk] score matrix, in place: 'softmax' scales, masks (mask null = none),
   * applies causality and normalises, writing each row's log-sum-exp to lse; 'probabilities' rebuilds P from it.
   */
  attentionRows(
    pass: 'softmax' | 'probabilities',
    scores: Ptr,
    mask: Ptr | null,
    lse: Ptr,
    spec: { tq: number; tk: number; scale: number; causal: boolean; queryOffset: number },
  ): void {
    const kernel =
      pass === 'softmax' ? this.exports.attentionSoftmaxRows : this.exports.attentionProbabilityRows;
    const { tq, tk, scale, causal, queryOffset } = spec;
    kernel(
      ptrOf(scores),
      mask === null ? 0 : ptrOf(mask),
      tq,
      tk,
      scale,
      flag(causal),
      queryOffset,
      ptrOf(lse),
    );
  }

  /** dP → dS = scale · P ⊙ (dP − O_i·dO_i) in place; out/dOut rows are rowStride elements apart, d wide. */
  attentionScoreGradRows(
    grads: Ptr,
    probs: Ptr,
    head: { out: Ptr; dOut: Ptr; rowStride: number },
    spec: { tq: number; tk: number; d: number; scale: number },
  ): void {
    const [out, dOut] = [ptrOf(head.out), ptrOf(head.dOut)];
    const { tq, tk, d, scale } = spec;
    this.exports.attentionScoreGradRows(
      ptrOf(grads),
      ptrOf(probs),
      out,
      dOut,
      tq,
      tk,
      d,
      head.rowStride,
      scale,
    );
  }

  /** Throws KernelMemoryError when a kernel wrote where no kernel may (`after` names what ran last). */
  checkMemory(after: string): void {
    this.fences.check(after);
  }

  /** Stops the workers; the instance must not be used afterwards. */
  dispose(): void {
    this.pool?.terminate();
  }

  private threadsFor(flops: number, cap: number | undefined): number {
    const byWork = Math.max(1, Math.floor(flops / this.minFlopsPerThread));
    return Math.min(this.threads, cap ?? this.threads, byWork);
  }

  /** Chunks get the running thread's scratch pointer appended as their last argument. */
  private runJob(job: KernelJob): void {
    const call = (kernel: PoolKernel, args: number[]) => callKernel(this.exports, kernel, args);
    if (this.pool) this.pool.run(job, call);
    else for (const chunk of job.chunks) call(job.kernel, [...chunk, this.scratch]);
    this.fences.check(job.kernel);
  }
}

/** A kernel wrote outside its memory: the results of that call (and maybe others) cannot be trusted. */
export class KernelMemoryError extends Error {
  override readonly name = 'KernelMemoryError';
}

const FENCE_WORDS = 16;
const FENCE_PATTERN = 0x5ca1ab1e;

/**
 * Two fenced blocks: one at the very start of the heap, where AssemblyScript's stub runtime would put any object a
 * kernel allocated (its bump allocator starts at __heap_base and never frees: an AdamW kernel that built one object
 * per call crept through the matmul scratch over a few thousand steps and then over the pool's control block, which
 * froze long training runs), and one right after the matmul scratch, against overruns. Checking them after every
 * pooled job (and whenever a caller asks) names the kernel instead of letting it corrupt what lies next.
 */
class MemoryFences {
  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly pointers: readonly number[],
    /** The region allocated between the fences. */
    readonly guarded: number,
  ) {}

  static around(heap: WasmHeap, memory: WebAssembly.Memory, allocate: () => number): MemoryFences {
    const before = heap.allocBytes(FENCE_WORDS * 4);
    const guarded = allocate();
    const after = heap.allocBytes(FENCE_WORDS * 4);
    const fences = new MemoryFences(memory, [before, after], guarded);
    for (const ptr of fences.pointers) fences.words(ptr).fill(FENCE_PATTERN);
    return fences;
  }

  check(kernel: string): void {
    for (const [index, ptr] of this.pointers.entries()) {
      const words = this.words(ptr);
      const first = words.findIndex((w) => w !== FENCE_PATTERN);
      if (first < 0) continue;
      words.fill(FENCE_PATTERN);
      const where =
        index === 0 ? 'at the start of the heap (a kernel allocated memory)' : 'past the matmul scratch';
      throw new KernelMemoryError(
        `${kernel} wrote ${where} (fence word ${first} overwritten): its results cannot be trusted`,
      );
    }
  }

  private words(ptr: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, FENCE_WORDS);
  }
}

/** Convenience for callers that only need the default runtime. */
export function createWasmKernels(options: WasmKernelsOptions = {}): Promise<WasmKernels> {
  return WasmKernels.create(options);
}

function callKernel(exports: KernelExports, kernel: PoolKernel, args: number[]): void {
  (exports[kernel] as (...values: number[]) => void)(...args);
}
/** Quantised and f16 weights split along n first: each chunk then decodes only its own weight rows (or columns). */
function partitionQuantized(m: number, n: number, threads: number): MatmulPart[] {
  if (threads <= 1) return partitionMatmul(1, m, n, 1);
  const byColumns = planMatmulChunks(1, 1, n, threads);
  if (byColumns.length >= threads) return byColumns.map((part) => ({ ...part, rows: m }));
  return planMatmulChunks(1, m, n, threads);
}

async function resolveThreads(requested: number | 'auto'): Promise<number> {
  if (!threadsAvailable()) return 1;
  const wanted = requested === 'auto' ? Math.min(await hardwareThreads(), MAX_AUTO_THREADS) : requested;
  return Math.max(1, Math.floor(wanted));
}

function ptrOf(pointer: Ptr): number {
  return typeof pointer === 'number' ? pointer : pointer.ptr;
}

function flag(value: boolean | undefined): number {
  return value ? 1 : 0;
}

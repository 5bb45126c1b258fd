// WasmBackend: the Backend interface on the wasm heap; hot primitives run SIMD128 kernels, the rest the reference kernels over heap views.
import type {
  AdamWHyper,
  AttentionGrads,
  AttentionOutput,
  AttentionSpec,
  Backend,
  BinaryOp,
  BroadcastSpec,
  Conv2dSpec,
  DType,
  HostData,
  MatmulSpec,
  NormGrads,
  QuantizedWeight,
  ReduceSpec,
  RopeSpec,
  Storage,
  StorageFormat,
  UnarySpec,
  WriteSliceSpec,
} from '../../backend';
import { broadcastStrides, sizeOf } from '../../shapes';
import { createWasmKernels, type WasmKernels } from '../../wasm/kernels';
import { at, type NumArray } from '../reference/arrays';
import { castKernel } from '../reference/elementwise';
import {
  concatKernel,
  gatherRowsKernel,
  padKernel,
  permuteKernel,
  scatterAddRowsKernel,
  sliceKernel,
  writeSliceKernel,
} from '../reference/layout';
import { layerNormBackwardKernel, layerNormKernel } from '../reference/norm';
import {
  entropyBackwardKernel,
  entropyKernel,
  reduceKernel,
  softmaxBackwardKernel,
} from '../reference/reduce';
import { attention, attentionBackward } from './attention';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv';
import { binary, unary, unaryBackward } from './elementwise';
import { stridedBroadcast } from './loops';
import { matmul, matmulQuantized } from './matmul';
import { WasmMemory } from './memory';
import { rope } from './rope';
import { logSoftmaxGather, logSoftmaxGatherBackward, rmsNorm, rmsNormBackward, softmax } from './rows';

export interface WasmBackendOptions {
  /** Matmul threads including the caller; 'auto' = the machine's cores (1 where shared memory is unavailable). */
  threads?: number | 'auto';
  /** Fill every new output with NaN (i32: INT32_MIN) so a kernel that skips an element shows up in tests. */
  poison?: boolean;
  /** Upper bound of the wasm memory. */
  maxMemoryMiB?: number;
}

export class WasmBackend implements Backend {
  readonly name = 'wasm';
  readonly formats: ReadonlySet<StorageFormat> = new Set<StorageFormat>(['f32', 'i32', 'q8', 'q4', 'f16']);
  private readonly mem: WasmMemory;
  private disposed = false;

  private constructor(
    private readonly kernels: WasmKernels,
    poison: boolean,
  ) {
    this.mem = new WasmMemory(kernels.heap, this.name, poison);
  }

  /** Loads the kernels (the threaded build when shared memory is available and threads > 1). */
  static async create(options: WasmBackendOptions = {}): Promise<WasmBackend> {
    const kernels = await createWasmKernels({
      threads: options.threads ?? 'auto',
      ...(options.maxMemoryMiB === undefined ? {} : { maxMemoryMiB: options.maxMemoryMiB }),
    });
    return new WasmBackend(kernels, options.poison ?? false);
  }

  /** Threads a large matmul runs on. */
  get threads(): number {
    return this.kernels.threads;
  }

  /** Throws KernelMemoryError when a kernel wrote where no kernel may; `after` names what ran. */
  checkMemory(after: string): void {
    this.kernels.checkMemory(after);
  }

  /** Stops the kernel workers and drops the heap; the backend must not be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.mem.close();
    this.kernels.dispose();
  }

  // Memory.

  upload(data: ArrayLike<number>, dtype: DType): Storage {
    const out = this.mem.alloc(dtype, data.length);
    castKernel(Array.isArray(data) ? Float64Array.from(data) : (data as NumArray), this.mem.data(out));
    return out;
  }

  read(storage: Storage): Promise<HostData> {
    return Promise.resolve(this.mem.data(storage).slice());
  }

  free(storage: Storage): void {
    this.mem.free(storage);
  }

  liveStorageCount(): number {
    return this.mem.liveCount;
  }

  fill(size: number, value: number, dtype: DType): Storage {
    const out = this.mem.alloc(dtype, size);
    this.mem.data(out).fill(dtype === 'i32' ? Math.trunc(value) : value);
    return out;
  }

  cast(x: Storage, dtype: DType): Storage {
    const out = this.mem.alloc(dtype, x.size);
    castKernel(this.mem.data(x), this.mem.data(out));
    return out;
  }

  // Elementwise.

  unary(spec: UnarySpec, x: Storage): Storage {
    return unary(this.kernels, this.mem, spec, x);
  }

  unaryBackward(spec: UnarySpec, x: Storage, dy: Storage): Storage {
    return unaryBackward(this.kernels, this.mem, spec, x, dy);
  }

  binary(op: BinaryOp, a: Storage, b: Storage, shapes: BroadcastSpec): Storage {
    return binary(this.kernels, this.mem, op, a, b, shapes);
  }

  broadcast(x: Storage, from: readonly number[], to: readonly number[]): Storage {
    const out = this.mem.alloc(x.dtype, sizeOf(to));
    stridedBroadcast(this.mem.data(x), this.mem.data(out), to, broadcastStrides(from, to));
    return out;
  }

  // Reductions and normalisations.

  reduce(op: 'sum' | 'max', x: Storage, spec: ReduceSpec): Storage {
    const out = this.mem.alloc('f32', spec.outer * spec.inner);
    reduceKernel(op, this.mem.float(x), this.mem.float(out), spec);
    return out;
  }

  softmax(x: Storage, rows: number, cols: number, log: boolean): Storage {
    return softmax(this.kernels, this.mem, x, rows, cols, log);
  }

  softmaxBackward(y: Storage, dy: Storage, rows: number, cols: number, log: boolean): Storage {
    const out = this.mem.alloc('f32', rows * cols);
    softmaxBackwardKernel(this.mem.float(y), this.mem.float(dy), this.mem.float(out), rows, cols, log);
    return out;
  }

  rmsNorm(x: Storage, weight: Storage, rows: number, cols: number, eps: number): Storage {
    return rmsNorm(this.kernels, this.mem, x, weight, rows, cols, eps);
  }

  rmsNormBackward(
    x: Storage,
    weight: Storage,
    dy: Storage,
    rows: number,
    cols: number,
    eps: number,
    needWeightGrad: boolean,
  ): NormGrads {
    return rmsNormBackward(this.kernels, this.mem, { x, weight, dy }, { rows, cols, eps }, needWeightGrad);
  }

  layerNorm(x: Storage, weight: Storage, bias: Storage, rows: number, cols: number, eps: number): Storage {
    const out = this.mem.alloc('f32', rows * cols);
    const [xs, w, b] = this.mem.floats(x, weight, bias);
    layerNormKernel(xs, w, b, this.mem.float(out), rows, cols, eps);
    return out;
  }

  layerNormBackward(
    x: Storage,
    weight: Storage,
    dy: Storage,
    rows: number,
    cols: number,
    eps: number,
    needWeightGrad: boolean,
  ): NormGrads {
    const dx = this.mem.alloc('f32', rows * cols);
    const dWeight = needWeightGrad ? new Float64Array(cols) : null;
    const dBias = needWeightGrad ? new Float64Array(cols) : null;
    const [xs, w, dys] = this.mem.floats(x, weight, dy);
    layerNormBackwardKernel(xs, w, dys, this.mem.float(dx), dWeight, dBias, rows, cols, eps);
    if (!dWeight || !dBias) return { dx };
    return { dx, dWeight: this.upload(dWeight, 'f32'), dBias: this.upload(dBias, 'f32') };
  }

  // Contractions.

  matmul(a: Storage, b: Storage, spec: MatmulSpec): Storage {
    return matmul(this.kernels, this.mem, a, b, spec);
  }

  matmulQuantized(x: Storage, weight: QuantizedWeight, rows: number, transposed: boolean): Storage {
    return matmulQuantized(this.kernels, this.mem, x, weight, rows, transposed);
  }

  attention(q: Storage, k: Storage, v: Storage, mask: Storage | null, spec: AttentionSpec): AttentionOutput {
    return attention(this.kernels, this.mem, q, k, v, mask, spec);
  }

  attentionBackward(
    q: Storage,
    k: Storage,
    v: Storage,
    mask: Storage | null,
    out: Storage,
    logSumExp: Storage,
    dOut: Storage,
    spec: AttentionSpec,
  ): AttentionGrads {
    return attentionBackward(this.kernels, this.mem, { q, k, v, mask, out, logSumExp, dOut }, spec);
  }

  conv2d(x: Storage, weight: Storage, spec: Conv2dSpec): Storage {
    return conv2d(this.kernels, this.mem, x, weight, spec);
  }

  conv2dBackwardInput(dy: Storage, weight: Storage, spec: Conv2dSpec): Storage {
    return conv2dBackwardInput(this.kernels, this.mem, dy, weight, spec);
  }

  conv2dBackwardWeight(x: Storage, dy: Storage, spec: Conv2dSpec): Storage {
    return conv2dBackwardWeight(this.kernels, this.mem, x, dy, spec);
  }

  // Positional.

  rope(x: Storage, positions: Storage, spec: RopeSpec, inverse: boolean): Storage {
    return rope(this.kernels, this.mem, x, positions, spec, inverse);
  }

  // Indexing.

  gatherRows(table: Storage, ids: Storage, cols: number): Storage {
    const out = this.mem.alloc(table.dtype, ids.size * cols);
    gatherRowsKernel(this.mem.data(table), this.mem.data(ids), cols, this.mem.data(out));
    return out;
  }

  scatterAddRows(ids: Storage, src: Storage, rows: number, cols: number): Storage {
    const out = this.mem.alloc('f32', rows * cols);
    scatterAddRowsKernel(this.mem.data(ids), this.mem.float(src), rows, cols, this.mem.float(out));
    return out;
  }

  logSoftmaxGather(logits: Storage, ids: Storage, rows: number, cols: number): Storage {
    return logSoftmaxGather(this.kernels, this.mem, logits, ids, rows, cols);
  }

  logSoftmaxGatherBackward(logits: Storage, ids: Storage, dy: Storage, rows: number, cols: number): Storage {
    return logSoftmaxGatherBackward(this.kernels, this.mem, logits, ids, dy, rows, cols);
  }

  entropy(logits: Storage, rows: number, cols: number): Storage {
    const out = this.mem.alloc('f32', rows);
    entropyKernel(this.mem.float(logits), this.mem.float(out), rows, cols);
    return out;
  }

  entropyBackward(logits: Storage, dy: Storage, rows: number, cols: number): Storage {
    const out = this.mem.alloc('f32', rows * cols);
    entropyBackwardKernel(this.mem.float(logits), this.mem.float(dy), this.mem.float(out), rows, cols);
    return out;
  }

  // Layout.

  permute(x: Storage, shape: readonly number[], perm: readonly number[]): Storage {
    const out = this.mem.alloc(x.dtype, x.size);
    permuteKernel(this.mem.data(x), shape, perm, this.mem.data(out));
    return out;
  }

  slice(x: Storage, shape: readonly number[], begin: readonly number[], size: readonly number[]): Storage {
    const out = this.mem.alloc(x.dtype, sizeOf(size));
    sliceKernel(this.mem.data(x), shape, begin, size, this.mem.data(out));
    return out;
  }

  pad(x: Storage, size: readonly number[], begin: readonly number[], shape: readonly number[]): Storage {
    const out = this.mem.alloc(x.dtype, sizeOf(shape));
    padKernel(this.mem.data(x), size, begin, shape, this.mem.data(out));
    return out;
  }

  concat(xs: readonly Storage[], shapes: readonly (readonly number[])[], axis: number): Storage {
    const total = shapes.reduce((n, shape) => n + sizeOf(shape), 0);
    const out = this.mem.alloc(xs[0]?.dtype ?? 'f32', total);
    const views = xs.map((x) => this.mem.data(x));
    concatKernel(views, shapes, axis, this.mem.data(out));
    return out;
  }

  writeSlice(target: Storage, x: Storage, spec: WriteSliceSpec): void {
    writeSliceKernel(this.mem.data(target), this.mem.data(x), spec);
  }

  // Optimiser.

  adamwUpdate(
    param: Storage,
    grad: Storage,
    m: Storage,
    v: Storage,
    gradScale: Storage,
    hyper: AdamWHyper,
  ): void {
    const ptr = (storage: Storage): number => this.mem.ptr(storage);
    const scale = at(this.mem.float(gradScale), 0);
    this.kernels.adamwUpdate(ptr(param), ptr(grad), ptr(m), ptr(v), param.size, scale, hyper);
  }
}

// WebGpuBackend: the Backend interface on WGSL kernels; each method validates, allocates and records one op.
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
import { acquireDevice } from '../../device';
import type { PoolStats } from './buffers';
import type { MatmulLayout } from './kernels/matmul.wgsl';
import { GpuContext } from './context';
import { adamwUpdate } from './ops/adamw';
import { attention, attentionBackward } from './ops/attention';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './ops/conv';
import { binary, broadcast, cast, fill, unary, unaryBackward } from './ops/elementwise';
import { concat, gatherRows, pad, permute, scatterAddRows, slice, writeSlice } from './ops/layout';
import { matmul, matmulQuantized } from './ops/matmul';
import { read, upload } from './ops/memory';
import { layerNorm, layerNormBackward, rmsNorm, rmsNormBackward } from './ops/norm';
import { rope } from './ops/rope';
import {
  entropy,
  entropyBackward,
  logSoftmaxGather,
  logSoftmaxGatherBackward,
  reduce,
  softmax,
  softmaxBackward,
} from './ops/rows';

export interface WebGpuBackendOptions {
  /** Poison every new output (NaN / INT32_MIN) and run each dispatch in a validation scope: tests and debugging. */
  debug?: boolean;
  /** Bytes of freed buffers the pool keeps for reuse (default 256 MiB). */
  maxIdleBytes?: number;
  /** Treat the adapter as software (SwiftShader) or not; detected from GPUDevice.adapterInfo when omitted. */
  software?: boolean;
  /** Force one matmul kernel layout instead of choosing per shape and adapter (benchmarks, tests). */
  matmulLayout?: MatmulLayout;
}

/** SwiftShader (Chromium's CPU fallback) reports itself in the adapter info. */
function isSoftware(device: GPUDevice): boolean {
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  return (
    info !== undefined && /swiftshader|cpu/i.test(`${info.architecture} ${info.vendor} ${info.description}`)
  );
}

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu';
  readonly formats: ReadonlySet<StorageFormat> = new Set<StorageFormat>(['f32', 'i32', 'q8', 'q4', 'f16']);
  private readonly ctx: GpuContext;

  constructor(
    readonly device: GPUDevice,
    options: WebGpuBackendOptions = {},
  ) {
    this.ctx = new GpuContext(device, {
      name: this.name,
      debug: options.debug ?? false,
      maxIdleBytes: options.maxIdleBytes ?? 256 << 20,
      software: options.software ?? isSoftware(device),
      ...(options.matmulLayout ? { matmulLayout: options.matmulLayout } : {}),
    });
  }

  /** A backend on `device`, or on a fresh device from acquireDevice (throws WebGpuUnavailableError without one). */
  static async create(device?: GPUDevice, options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
    return new WebGpuBackend(device ?? (await acquireDevice()).device, options);
  }

  // Memory.

  upload(data: ArrayLike<number>, dtype: DType): Storage {
    return upload(this.ctx, data, dtype);
  }

  read(storage: Storage): Promise<HostData> {
    return read(this.ctx, storage);
  }

  free(storage: Storage): void {
    this.ctx.free(storage);
  }

  liveStorageCount(): number {
    return this.ctx.liveCount;
  }

  /** Submits recorded work without waiting (reads do this themselves). */
  flush(): void {
    this.ctx.flush();
  }

  /** Buffer-pool counters: tests check reuse; the UI can show them. */
  poolStats(): PoolStats & { pipelines: number; submits: number } {
    return {
      ...this.ctx.pool.stats(),
      pipelines: this.ctx.pipelines.size,
      submits: this.ctx.recorder.submits,
    };
  }

  /** Submits pending work and destroys pooled buffers; the backend is unusable afterwards. The device is the caller's. */
  dispose(): void {
    this.ctx.flush();
    this.ctx.destroy();
  }

  // Creation and elementwise.

  fill(size: number, value: number, dtype: DType): Storage {
    return fill(this.ctx, size, value, dtype);
  }

  cast(x: Storage, dtype: DType): Storage {
    return cast(this.ctx, x, dtype);
  }

  unary(spec: UnarySpec, x: Storage): Storage {
    return unary(this.ctx, spec, x);
  }

  unaryBackward(spec: UnarySpec, x: Storage, dy: Storage): Storage {
    return unaryBackward(this.ctx, spec, x, dy);
  }

  binary(op: BinaryOp, a: Storage, b: Storage, shapes: BroadcastSpec): Storage {
    return binary(this.ctx, op, a, b, shapes);
  }

  broadcast(x: Storage, from: readonly number[], to: readonly number[]): Storage {
    return broadcast(this.ctx, x, from, to);
  }

  // Reductions and normalisations.

  reduce(op: 'sum' | 'max', x: Storage, spec: ReduceSpec): Storage {
    return reduce(this.ctx, op, x, spec);
  }

  softmax(x: Storage, rows: number, cols: number, log: boolean): Storage {
    return softmax(this.ctx, x, rows, cols, log);
  }

  softmaxBackward(y: Storage, dy: Storage, rows: number, cols: number, log: boolean): Storage {
    return softmaxBackward(this.ctx, y, dy, rows, cols, log);
  }

  rmsNorm(x: Storage, weight: Storage, rows: number, cols: number, eps: number): Storage {
    return rmsNorm(this.ctx, x, weight, rows, cols, eps);
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
    return rmsNormBackward(this.ctx, x, weight, dy, rows, cols, eps, needWeightGrad);
  }

  layerNorm(x: Storage, weight: Storage, bias: Storage, rows: number, cols: number, eps: number): Storage {
    return layerNorm(this.ctx, x, weight, bias, rows, cols, eps);
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
    return layerNormBackward(this.ctx, x, weight, dy, rows, cols, eps, needWeightGrad);
  }

  // Contractions.

  matmul(a: Storage, b: Storage, spec: MatmulSpec): Storage {
    return matmul(this.ctx, a, b, spec);
  }

  matmulQuantized(x: Storage, weight: QuantizedWeight, rows: number, transposed: boolean): Storage {
    return matmulQuantized(this.ctx, x, weight, rows, transposed);
  }

  attention(q: Storage, k: Storage, v: Storage, mask: Storage | null, spec: AttentionSpec): AttentionOutput {
    return attention(this.ctx, q, k, v, mask, spec);
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
    return attentionBackward(this.ctx, q, k, v, mask, out, logSumExp, dOut, spec);
  }

  conv2d(x: Storage, weight: Storage, spec: Conv2dSpec): Storage {
    return conv2d(this.ctx, x, weight, spec);
  }

  conv2dBackwardInput(dy: Storage, weight: Storage, spec: Conv2dSpec): Storage {
    return conv2dBackwardInput(this.ctx, dy, weight, spec);
  }

  conv2dBackwardWeight(x: Storage, dy: Storage, spec: Conv2dSpec): Storage {
    return conv2dBackwardWeight(this.ctx, x, dy, spec);
  }

  // Positional and indexing.

  rope(x: Storage, positions: Storage, spec: RopeSpec, inverse: boolean): Storage {
    return rope(this.ctx, x, positions, spec, inverse);
  }

  gatherRows(table: Storage, ids: Storage, cols: number): Storage {
    return gatherRows(this.ctx, table, ids, cols);
  }

  scatterAddRows(ids: Storage, src: Storage, rows: number, cols: number): Storage {
    return scatterAddRows(this.ctx, ids, src, rows, cols);
  }

  logSoftmaxGather(logits: Storage, ids: Storage, rows: number, cols: number): Storage {
    return logSoftmaxGather(this.ctx, logits, ids, rows, cols);
  }

  logSoftmaxGatherBackward(logits: Storage, ids: Storage, dy: Storage, rows: number, cols: number): Storage {
    return logSoftmaxGatherBackward(this.ctx, logits, ids, dy, rows, cols);
  }

  entropy(logits: Storage, rows: number, cols: number): Storage {
    return entropy(this.ctx, logits, rows, cols);
  }

  entropyBackward(logits: Storage, dy: Storage, rows: number, cols: number): Storage {
    return entropyBackward(this.ctx, logits, dy, rows, cols);
  }

  // Layout.

  permute(x: Storage, shape: readonly number[], perm: readonly number[]): Storage {
    return permute(this.ctx, x, shape, perm);
  }

  slice(x: Storage, shape: readonly number[], begin: readonly number[], size: readonly number[]): Storage {
    return slice(this.ctx, x, shape, begin, size);
  }

  pad(x: Storage, size: readonly number[], begin: readonly number[], shape: readonly number[]): Storage {
    return pad(this.ctx, x, size, begin, shape);
  }

  concat(xs: readonly Storage[], shapes: readonly (readonly number[])[], axis: number): Storage {
    return concat(this.ctx, xs, shapes, axis);
  }

  writeSlice(target: Storage, x: Storage, spec: WriteSliceSpec): void {
    writeSlice(this.ctx, target, x, spec);
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
    adamwUpdate(this.ctx, { param, grad, m, v, gradScale }, hyper);
  }
}

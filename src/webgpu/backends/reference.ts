// The reference backend: every primitive in plain TypeScript with f64 accumulation; the truth other backends match.
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
} from '../backend';
import { DisposedError, DTypeError } from '../errors';
import { sizeOf } from '../shapes';
import { adamwKernel } from './reference/adamw';
import type { FloatArray, NumArray } from './reference/arrays';
import { at } from './reference/arrays';
import { attentionBackwardKernel, attentionKernel } from './reference/attention';
import { conv2dBackwardInputKernel, conv2dBackwardWeightKernel, conv2dKernel } from './reference/conv';
import {
  binaryKernel,
  broadcastKernel,
  castKernel,
  unaryBackwardKernel,
  unaryKernel,
} from './reference/elementwise';
import {
  concatKernel,
  gatherRowsKernel,
  padKernel,
  permuteKernel,
  scatterAddRowsKernel,
  sliceKernel,
  writeSliceKernel,
} from './reference/layout';
import { matmulKernel } from './reference/matmul';
import { dequantize, dequantizeHalves, matmulQuantizedKernel } from './reference/quantized';
import {
  layerNormBackwardKernel,
  layerNormKernel,
  rmsNormBackwardKernel,
  rmsNormKernel,
} from './reference/norm';
import {
  entropyBackwardKernel,
  entropyKernel,
  logSoftmaxGatherBackwardKernel,
  logSoftmaxGatherKernel,
  reduceKernel,
  softmaxBackwardKernel,
  softmaxKernel,
} from './reference/reduce';
import { ropeKernel } from './reference/rope';

export interface ReferenceOptions {
  /** 'f64' stores floats in Float64Array so finite-difference gradient checks are exact to ~1e-10. */
  precision?: 'f32' | 'f64';
  /** Fill every new output with NaN (i32: INT32_MIN) so a kernel that skips an element is caught by tests. */
  poison?: boolean;
}

const I32_POISON = -2147483648;

class ReferenceStorage implements Storage {
  freed = false;
  constructor(
    readonly dtype: DType,
    readonly data: NumArray,
  ) {}

  get size(): number {
    return this.data.length;
  }
}

export class ReferenceBackend implements Backend {
  readonly name: string;
  readonly formats: ReadonlySet<StorageFormat> = new Set<StorageFormat>(['f32', 'i32', 'q8', 'q4', 'f16']);
  readonly precision: 'f32' | 'f64';
  readonly poison: boolean;
  private live = 0;

  constructor(options: ReferenceOptions = {}) {
    this.precision = options.precision ?? 'f32';
    this.poison = options.poison ?? false;
    this.name = `reference-${this.precision}`;
  }

  // Memory.

  upload(data: ArrayLike<number>, dtype: DType): Storage {
    const storage = this.alloc(dtype, data.length);
    castKernel(Array.isArray(data) ? Float64Array.from(data) : (data as NumArray), storage.data);
    return storage;
  }

  read(storage: Storage): Promise<HostData> {
    const data = this.use(storage).data;
    return Promise.resolve(data instanceof Float64Array ? Float32Array.from(data) : data.slice());
  }

  /** Synchronous full-precision copy: tests and gradient checks only (GPU backends cannot offer this). */
  peek(storage: Storage): Float64Array {
    return Float64Array.from(this.use(storage).data);
  }

  free(storage: Storage): void {
    const own = this.use(storage);
    own.freed = true;
    this.live--;
  }

  liveStorageCount(): number {
    return this.live;
  }

  fill(size: number, value: number, dtype: DType): Storage {
    const storage = this.alloc(dtype, size);
    storage.data.fill(dtype === 'i32' ? Math.trunc(value) : value);
    return storage;
  }

  cast(x: Storage, dtype: DType): Storage {
    const out = this.alloc(dtype, x.size);
    castKernel(this.use(x).data, out.data);
    return out;
  }

  // Elementwise.

  unary(spec: UnarySpec, x: Storage): Storage {
    const out = this.allocFloat(x.size);
    unaryKernel(spec, this.float(x), out.data as FloatArray);
    return out;
  }

  unaryBackward(spec: UnarySpec, x: Storage, dy: Storage): Storage {
    const out = this.allocFloat(x.size);
    unaryBackwardKernel(spec, this.float(x), this.float(dy), out.data as FloatArray);
    return out;
  }

  binary(op: BinaryOp, a: Storage, b: Storage, shapes: BroadcastSpec): Storage {
    const dtype = a.dtype === 'i32' && b.dtype === 'i32' && op !== 'div' ? 'i32' : 'f32';
    const out = this.alloc(dtype, sizeOf(shapes.out));
    binaryKernel(op, this.use(a).data, this.use(b).data, out.data, shapes);
    return out;
  }

  broadcast(x: Storage, from: readonly number[], to: readonly number[]): Storage {
    const out = this.alloc(x.dtype, sizeOf(to));
    broadcastKernel(this.use(x).data, from, to, out.data);
    return out;
  }

  // Reductions and normalisations.

  reduce(op: 'sum' | 'max', x: Storage, spec: ReduceSpec): Storage {
    const out = this.allocFloat(spec.outer * spec.inner);
    reduceKernel(op, this.float(x), out.data as FloatArray, spec);
    return out;
  }

  softmax(x: Storage, rows: number, cols: number, log: boolean): Storage {
    const out = this.allocFloat(rows * cols);
    softmaxKernel(this.float(x), out.data as FloatArray, rows, cols, log);
    return out;
  }

  softmaxBackward(y: Storage, dy: Storage, rows: number, cols: number, log: boolean): Storage {
    const out = this.allocFloat(rows * cols);
    softmaxBackwardKernel(this.float(y), this.float(dy), out.data as FloatArray, rows, cols, log);
    return out;
  }

  rmsNorm(x: Storage, weight: Storage, rows: number, cols: number, eps: number): Storage {
    const out = this.allocFloat(rows * cols);
    rmsNormKernel(this.float(x), this.float(weight), out.data as FloatArray, rows, cols, eps);
    return out;
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
    const dx = this.allocFloat(rows * cols);
    const dWeight = needWeightGrad ? new Float64Array(cols) : null;
    rmsNormBackwardKernel(
      this.float(x),
      this.float(weight),
      this.float(dy),
      dx.data as FloatArray,
      dWeight,
      rows,
      cols,
      eps,
    );
    return dWeight ? { dx, dWeight: this.upload(dWeight, 'f32') } : { dx };
  }

  layerNorm(x: Storage, weight: Storage, bias: Storage, rows: number, cols: number, eps: number): Storage {
    const out = this.allocFloat(rows * cols);
    layerNormKernel(
      this.float(x),
      this.float(weight),
      this.float(bias),
      out.data as FloatArray,
      rows,
      cols,
      eps,
    );
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
    const dx = this.allocFloat(rows * cols);
    const dWeight = needWeightGrad ? new Float64Array(cols) : null;
    const dBias = needWeightGrad ? new Float64Array(cols) : null;
    layerNormBackwardKernel(
      this.float(x),
      this.float(weight),
      this.float(dy),
      dx.data as FloatArray,
      dWeight,
      dBias,
      rows,
      cols,
      eps,
    );
    if (!dWeight || !dBias) return { dx };
    return { dx, dWeight: this.upload(dWeight, 'f32'), dBias: this.upload(dBias, 'f32') };
  }

  // Contractions.

  matmul(a: Storage, b: Storage, spec: MatmulSpec): Storage {
    const out = this.allocFloat(sizeOf(spec.batch) * spec.m * spec.n);
    matmulKernel(this.float(a), this.float(b), out.data as FloatArray, spec);
    return out;
  }

  matmulQuantized(x: Storage, weight: QuantizedWeight, rows: number, transposed: boolean): Storage {
    const { n, k } = weight;
    const out = this.allocFloat(rows * (transposed ? k : n));
    const packed = this.use(weight.packed).data;
    const bytes = new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength);
    const dequantized =
      weight.format === 'f16'
        ? dequantizeHalves(bytes, weight)
        : dequantize(bytes, this.float(weight.scales), weight);
    matmulQuantizedKernel(this.float(x), dequantized, out.data as FloatArray, rows, n, k, transposed);
    return out;
  }

  attention(q: Storage, k: Storage, v: Storage, mask: Storage | null, spec: AttentionSpec): AttentionOutput {
    const out = this.allocFloat(q.size);
    const logSumExp = this.allocFloat(spec.batch * spec.hq * spec.tq);
    attentionKernel(
      this.float(q),
      this.float(k),
      this.float(v),
      mask ? this.float(mask) : null,
      out.data as FloatArray,
      logSumExp.data as FloatArray,
      spec,
    );
    return { out, logSumExp };
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
    const dq = this.allocFloat(q.size);
    const dk = new Float64Array(k.size);
    const dv = new Float64Array(v.size);
    attentionBackwardKernel(
      this.float(q),
      this.float(k),
      this.float(v),
      mask ? this.float(mask) : null,
      this.float(out),
      this.float(logSumExp),
      this.float(dOut),
      dq.data as FloatArray,
      dk,
      dv,
      spec,
    );
    return { dq, dk: this.upload(dk, 'f32'), dv: this.upload(dv, 'f32') };
  }

  conv2d(x: Storage, weight: Storage, spec: Conv2dSpec): Storage {
    const out = this.allocFloat(spec.batch * spec.cOut * spec.outH * spec.outW);
    conv2dKernel(this.float(x), this.float(weight), out.data as FloatArray, spec);
    return out;
  }

  conv2dBackwardInput(dy: Storage, weight: Storage, spec: Conv2dSpec): Storage {
    const out = this.allocFloat(spec.batch * spec.cIn * spec.height * spec.width);
    conv2dBackwardInputKernel(this.float(dy), this.float(weight), out.data as FloatArray, spec);
    return out;
  }

  conv2dBackwardWeight(x: Storage, dy: Storage, spec: Conv2dSpec): Storage {
    const out = this.allocFloat(spec.cOut * spec.cIn * spec.kh * spec.kw);
    conv2dBackwardWeightKernel(this.float(x), this.float(dy), out.data as FloatArray, spec);
    return out;
  }

  // Positional.

  rope(x: Storage, positions: Storage, spec: RopeSpec, inverse: boolean): Storage {
    const out = this.allocFloat(x.size);
    ropeKernel(this.float(x), this.use(positions).data, out.data as FloatArray, spec, inverse);
    return out;
  }

  // Indexing.

  gatherRows(table: Storage, ids: Storage, cols: number): Storage {
    const out = this.alloc(table.dtype, ids.size * cols);
    gatherRowsKernel(this.use(table).data, this.use(ids).data, cols, out.data);
    return out;
  }

  scatterAddRows(ids: Storage, src: Storage, rows: number, cols: number): Storage {
    const out = this.allocFloat(rows * cols);
    scatterAddRowsKernel(this.use(ids).data, this.float(src), rows, cols, out.data);
    return out;
  }

  logSoftmaxGather(logits: Storage, ids: Storage, rows: number, cols: number): Storage {
    const out = this.allocFloat(rows);
    logSoftmaxGatherKernel(this.float(logits), this.use(ids).data, out.data as FloatArray, rows, cols);
    return out;
  }

  logSoftmaxGatherBackward(logits: Storage, ids: Storage, dy: Storage, rows: number, cols: number): Storage {
    const out = this.allocFloat(rows * cols);
    logSoftmaxGatherBackwardKernel(
      this.float(logits),
      this.use(ids).data,
      this.float(dy),
      out.data as FloatArray,
      rows,
      cols,
    );
    return out;
  }

  entropy(logits: Storage, rows: number, cols: number): Storage {
    const out = this.allocFloat(rows);
    entropyKernel(this.float(logits), out.data as FloatArray, rows, cols);
    return out;
  }

  entropyBackward(logits: Storage, dy: Storage, rows: number, cols: number): Storage {
    const out = this.allocFloat(rows * cols);
    entropyBackwardKernel(this.float(logits), this.float(dy), out.data as FloatArray, rows, cols);
    return out;
  }

  // Layout.

  permute(x: Storage, shape: readonly number[], perm: readonly number[]): Storage {
    const out = this.alloc(x.dtype, x.size);
    permuteKernel(this.use(x).data, shape, perm, out.data);
    return out;
  }

  slice(x: Storage, shape: readonly number[], begin: readonly number[], size: readonly number[]): Storage {
    const out = this.alloc(x.dtype, sizeOf(size));
    sliceKernel(this.use(x).data, shape, begin, size, out.data);
    return out;
  }

  pad(x: Storage, size: readonly number[], begin: readonly number[], shape: readonly number[]): Storage {
    const out = this.alloc(x.dtype, sizeOf(shape));
    padKernel(this.use(x).data, size, begin, shape, out.data);
    return out;
  }

  concat(xs: readonly Storage[], shapes: readonly (readonly number[])[], axis: number): Storage {
    const out = this.alloc(
      xs[0]?.dtype ?? 'f32',
      shapes.reduce((n, shape) => n + sizeOf(shape), 0),
    );
    concatKernel(
      xs.map((x) => this.use(x).data),
      shapes,
      axis,
      out.data,
    );
    return out;
  }

  writeSlice(target: Storage, x: Storage, spec: WriteSliceSpec): void {
    writeSliceKernel(this.use(target).data, this.use(x).data, spec);
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
    adamwKernel(
      this.float(param),
      this.float(grad),
      this.float(m),
      this.float(v),
      at(this.float(gradScale), 0),
      hyper,
    );
  }

  // Internals.

  private alloc(dtype: DType, size: number): ReferenceStorage {
    const data =
      dtype === 'i32'
        ? new Int32Array(size)
        : this.precision === 'f64'
          ? new Float64Array(size)
          : new Float32Array(size);
    if (this.poison) data.fill(dtype === 'i32' ? I32_POISON : NaN);
    this.live++;
    return new ReferenceStorage(dtype, data);
  }

  private allocFloat(size: number): ReferenceStorage {
    return this.alloc('f32', size);
  }

  private use(storage: Storage): ReferenceStorage {
    if (!(storage instanceof ReferenceStorage)) {
      throw new DTypeError('reference', 'storage belongs to another backend');
    }
    if (storage.freed) throw new DisposedError('reference storage');
    return storage;
  }

  /** Float view of a storage; i32 inputs to float kernels are an op-level bug, reported as a DTypeError. */
  private float(storage: Storage): FloatArray {
    const data = this.use(storage).data;
    if (data instanceof Int32Array) throw new DTypeError('reference', 'float kernel was given i32 storage');
    return data;
  }
}

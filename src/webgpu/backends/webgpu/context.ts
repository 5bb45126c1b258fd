// The device-side state one backend shares with its op modules: allocation, kernel dispatch, batching, failures.
import type { DType, Storage } from '../../backend';
import { DisposedError, DTypeError } from '../../errors';
import { BufferPool } from './buffers';
import { Failures } from './failures';
import type { Grid } from './grid';
import { linearGrid } from './grid';
import { WG } from './kernels/common.wgsl';
import { fillKernel } from './kernels/elementwise.wgsl';
import type { MatmulLayout } from './kernels/matmul.wgsl';
import { Params } from './params';
import type { Kernel } from './pipelines';
import { PipelineCache } from './pipelines';
import { Recorder } from './recorder';
import { GpuStorage } from './storage';

export interface ContextOptions {
  name: string;
  /** Poison new outputs with NaN / INT32_MIN and check every dispatch in a validation scope. */
  debug: boolean;
  /** Bytes of freed buffers kept for reuse. */
  maxIdleBytes: number;
  /** A CPU implementation of WebGPU (SwiftShader): picks barrier-free kernels. */
  software: boolean;
  /** Forces one matmul kernel layout (benchmarks and tests); chosen per shape and adapter otherwise. */
  matmulLayout?: MatmulLayout;
}

const STORAGE_USAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
const NAN_BITS = 0x7fc00000;
const I32_POISON_BITS = 0x80000000;

export class GpuContext {
  readonly pool: BufferPool;
  readonly staging: BufferPool;
  readonly pipelines: PipelineCache;
  readonly recorder: Recorder;
  readonly failures: Failures;
  readonly maxPerDimension: number;
  private readonly constants = new Map<string, GPUBuffer>();
  private live = 0;

  constructor(
    readonly device: GPUDevice,
    readonly options: ContextOptions,
  ) {
    this.failures = new Failures(device, options.name);
    const create = (usage: number) => (size: number, requested: number) =>
      this.failures.allocate({ size, usage, label: `${options.name} buffer` }, requested);
    const maxBytes = device.limits.maxBufferSize;
    this.pool = new BufferPool(create(STORAGE_USAGE), options.maxIdleBytes, maxBytes);
    this.staging = new BufferPool(
      create(GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST),
      64 << 20,
      maxBytes,
    );
    this.pipelines = new PipelineCache(device);
    this.recorder = new Recorder(device, () => {
      this.pool.advance();
      this.staging.advance();
    });
    this.maxPerDimension = device.limits.maxComputeWorkgroupsPerDimension;
  }

  get software(): boolean {
    return this.options.software;
  }

  get liveCount(): number {
    return this.live;
  }

  /** A fresh output storage (at least 4 bytes: bindings cannot be empty). */
  alloc(dtype: DType, size: number, forHostWrite = false): GpuStorage {
    this.failures.check();
    const buffer = this.pool.acquire(Math.max(4, size * 4), forHostWrite);
    const storage = new GpuStorage(dtype, size, buffer, this);
    this.live++;
    if (this.options.debug && !forHostWrite && size > 0) {
      this.fillWords(storage, dtype === 'i32' ? I32_POISON_BITS : NAN_BITS);
    }
    return storage;
  }

  /** Checks a storage is ours and alive; returns it typed. */
  use(storage: Storage, want?: DType): GpuStorage {
    if (!(storage instanceof GpuStorage) || storage.owner !== this) {
      throw new DTypeError(this.options.name, 'storage belongs to another backend');
    }
    if (storage.freed) throw new DisposedError(`${this.options.name} storage`);
    if (want && storage.dtype !== want) {
      throw new DTypeError(this.options.name, `kernel wants ${want} storage, got ${storage.dtype}`);
    }
    return storage;
  }

  free(storage: Storage): void {
    const own = this.use(storage);
    own.freed = true;
    this.live--;
    this.pool.release(own.buffer);
  }

  fillWords(storage: GpuStorage, bits: number): void {
    this.runElements(fillKernel, new Params().u32(storage.size, bits), [storage], storage.size);
  }

  /** Dispatches a kernel over `grid`; storages bind at 1..n in order, parameters at 0. */
  run(kernel: Kernel, params: Params, storages: readonly (GpuStorage | GPUBuffer)[], grid: Grid): void {
    this.failures.check();
    const record = () => {
      const pipeline = this.pipelines.get(kernel);
      const entries: GPUBindGroupEntry[] = [
        { binding: 0, resource: this.recorder.paramSlot(params.words) },
        ...storages.map((s, i) => ({
          binding: i + 1,
          resource: { buffer: s instanceof GpuStorage ? s.buffer : s },
        })),
      ];
      const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
      this.recorder.dispatch(pipeline, bindGroup, grid);
    };
    if (this.options.debug) this.failures.validate(kernel.key, record);
    else record();
    if (this.recorder.full) this.flush();
  }

  /** One thread per element (params word 0 must be `count`); nothing is dispatched for zero elements. */
  runElements(
    kernel: Kernel,
    params: Params,
    storages: readonly (GpuStorage | GPUBuffer)[],
    count: number,
  ): void {
    if (count === 0) return;
    this.run(kernel, params, storages, linearGrid(Math.ceil(count / WG), this.maxPerDimension));
  }

  /** One workgroup per row (params word 0 must be `rows`). */
  runRows(kernel: Kernel, params: Params, storages: readonly (GpuStorage | GPUBuffer)[], rows: number): void {
    if (rows === 0) return;
    this.run(kernel, params, storages, linearGrid(rows, this.maxPerDimension));
  }

  /** A small read-only table kept for the backend's lifetime (RoPE frequencies), keyed by its content. */
  constant(key: string, data: () => Float32Array): GPUBuffer {
    const cached = this.constants.get(key);
    if (cached) return cached;
    const values = data();
    const buffer = this.failures.allocate({ size: Math.max(16, values.byteLength), usage: STORAGE_USAGE });
    this.device.queue.writeBuffer(buffer, 0, values);
    this.constants.set(key, buffer);
    return buffer;
  }

  flush(): void {
    if (this.options.debug) this.failures.validate('submit', () => this.recorder.flush());
    else this.recorder.flush();
  }

  destroy(): void {
    this.pool.destroyAll();
    this.staging.destroyAll();
    for (const buffer of this.constants.values()) buffer.destroy();
    this.recorder.destroy();
  }
}

// Storages of the wasm backend: regions of the kernels' heap, with exact live counts and fresh views per use.
import type { DType, Storage } from '../../backend';
import { DisposedError, DTypeError } from '../../errors';
import type { WasmHeap } from '../../wasm/heap';

const I32_POISON = -2147483648;

/** One allocation on the wasm heap; `ptr` is the byte offset kernels take. */
export class WasmStorage implements Storage {
  freed = false;
  constructor(
    readonly dtype: DType,
    readonly size: number,
    readonly ptr: number,
  ) {}
}

/**
 * Allocation and typed views. Views are created per call because any allocation may grow the memory (and detach
 * the old buffer): a method allocates its outputs first, then takes every view it needs.
 */
export class WasmMemory {
  private live = 0;
  private closed = false;

  constructor(
    private readonly heap: WasmHeap,
    private readonly name: string,
    private readonly poison: boolean,
  ) {}

  get liveCount(): number {
    return this.live;
  }

  /** After the backend is disposed every use throws (its worker pool is gone: a threaded kernel would never finish). */
  close(): void {
    this.closed = true;
  }

  alloc(dtype: DType, size: number): WasmStorage {
    if (this.closed) throw new DisposedError(`${this.name} backend`);
    const storage = new WasmStorage(dtype, size, this.heap.allocBytes(size * 4));
    this.live++;
    if (this.poison) this.data(storage).fill(dtype === 'i32' ? I32_POISON : NaN);
    return storage;
  }

  free(storage: Storage): void {
    // Tensors disposed after their backend have nothing left to release; cleanup code should not throw.
    if (this.closed) return;
    const own = this.use(storage);
    this.heap.free(own);
    own.freed = true;
    this.live--;
  }

  use(storage: Storage): WasmStorage {
    if (!(storage instanceof WasmStorage))
      throw new DTypeError(this.name, 'storage belongs to another backend');
    if (storage.freed || this.closed) throw new DisposedError(`${this.name} storage`);
    return storage;
  }

  /** The heap byte offset of a live storage (what kernels take as a pointer). */
  ptr(storage: Storage): number {
    return this.use(storage).ptr;
  }

  /** A view typed by the storage's dtype. */
  data(storage: Storage): Float32Array | Int32Array {
    const own = this.use(storage);
    const buffer = this.heap.memory.buffer;
    return own.dtype === 'i32'
      ? new Int32Array(buffer, own.ptr, own.size)
      : new Float32Array(buffer, own.ptr, own.size);
  }

  /** A float view; i32 given to a float kernel is an op-level bug, reported as a DTypeError. */
  float(storage: Storage): Float32Array {
    const view = this.data(storage);
    if (view instanceof Int32Array) throw new DTypeError(this.name, 'float kernel was given i32 storage');
    return view;
  }

  /** Float views of several storages at once, typed as a tuple of the same length. */
  floats<T extends readonly Storage[]>(...storages: T): { [K in keyof T]: Float32Array } {
    return storages.map((s) => this.float(s)) as { [K in keyof T]: Float32Array };
  }

  /** The raw bytes of a storage (packed int8/int4 weights travel in i32 storages). */
  bytes(storage: Storage): Uint8Array {
    const own = this.use(storage);
    return new Uint8Array(this.heap.memory.buffer, own.ptr, own.size * 4);
  }
}

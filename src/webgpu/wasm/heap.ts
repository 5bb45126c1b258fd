// A first-fit allocator over wasm linear memory: typed regions (f32/i32/u8) the kernels read and write, growing the memory on demand.

const PAGE_BYTES = 65536;
/** Cache-line alignment keeps SIMD loads within one line and separates regions different threads write. */
const ALIGN = 64;

export interface HeapRegion<T extends Float32Array | Int32Array | Uint8Array> {
  /** Byte offset in linear memory, the value kernels take as a pointer. */
  readonly ptr: number;
  /** Element count. */
  readonly length: number;
  /** A view over the current memory buffer (re-created after growth, so do not keep it across allocations). */
  view(): T;
}

export type F32Region = HeapRegion<Float32Array>;
export type I32Region = HeapRegion<Int32Array>;
export type U8Region = HeapRegion<Uint8Array>;

interface Block {
  start: number;
  bytes: number;
}

export class WasmHeap {
  /** Free blocks sorted by address, never adjacent (freeing coalesces). */
  private readonly freeBlocks: Block[] = [];
  private readonly usedBlocks = new Map<number, number>();
  private end: number;

  constructor(
    readonly memory: WebAssembly.Memory,
    base: number,
  ) {
    this.end = alignUp(Math.max(base, ALIGN), ALIGN);
  }

  get bytesInUse(): number {
    let total = 0;
    for (const bytes of this.usedBlocks.values()) total += bytes;
    return total;
  }

  allocF32(length: number): F32Region {
    const ptr = this.allocBytes(length * 4);
    return { ptr, length, view: () => new Float32Array(this.memory.buffer, ptr, length) };
  }

  allocI32(length: number): I32Region {
    const ptr = this.allocBytes(length * 4);
    return { ptr, length, view: () => new Int32Array(this.memory.buffer, ptr, length) };
  }

  allocU8(length: number): U8Region {
    const ptr = this.allocBytes(length);
    return { ptr, length, view: () => new Uint8Array(this.memory.buffer, ptr, length) };
  }

  /** Copies data into a fresh region. */
  fromF32(data: ArrayLike<number>): F32Region {
    const region = this.allocF32(data.length);
    region.view().set(data);
    return region;
  }

  free(region: { ptr: number }): void {
    const bytes = this.usedBlocks.get(region.ptr);
    if (bytes === undefined) throw new Error(`heap: ${region.ptr} is not an allocated region`);
    this.usedBlocks.delete(region.ptr);
    this.insertFree({ start: region.ptr, bytes });
  }

  allocBytes(requested: number): number {
    if (!Number.isInteger(requested) || requested < 0) throw new RangeError(`heap: bad size ${requested}`);
    const bytes = alignUp(Math.max(requested, 1), ALIGN);
    const start = this.takeFree(bytes) ?? this.takeFromEnd(bytes);
    this.usedBlocks.set(start, bytes);
    return start;
  }

  private takeFree(bytes: number): number | undefined {
    const index = this.freeBlocks.findIndex((block) => block.bytes >= bytes);
    const block = this.freeBlocks[index];
    if (!block) return undefined;
    const start = block.start;
    if (block.bytes === bytes) this.freeBlocks.splice(index, 1);
    else {
      block.start += bytes;
      block.bytes -= bytes;
    }
    return start;
  }

  private takeFromEnd(bytes: number): number {
    const start = this.end;
    this.end += bytes;
    const needed = Math.ceil(this.end / PAGE_BYTES) - this.memory.buffer.byteLength / PAGE_BYTES;
    if (needed > 0) this.memory.grow(needed);
    return start;
  }

  private insertFree(block: Block): void {
    let index = this.freeBlocks.findIndex((other) => other.start > block.start);
    if (index < 0) index = this.freeBlocks.length;
    this.freeBlocks.splice(index, 0, block);
    this.mergeWithNext(index);
    if (index > 0) this.mergeWithNext(index - 1);
    this.releaseTail();
  }

  private mergeWithNext(index: number): void {
    const block = this.freeBlocks[index];
    const next = this.freeBlocks[index + 1];
    if (block && next && block.start + block.bytes === next.start) {
      block.bytes += next.bytes;
      this.freeBlocks.splice(index + 1, 1);
    }
  }

  /** A free block at the very end goes back to the bump pointer (memory itself never shrinks). */
  private releaseTail(): void {
    const last = this.freeBlocks[this.freeBlocks.length - 1];
    if (last && last.start + last.bytes === this.end) {
      this.end = last.start;
      this.freeBlocks.pop();
    }
  }
}

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

// The wasm heap allocator: alignment, reuse of freed blocks, coalescing, growth, and misuse errors.
import { describe, expect, it } from 'vitest';
import { WasmHeap } from './heap';

function freshHeap(): WasmHeap {
  return new WasmHeap(new WebAssembly.Memory({ initial: 1, maximum: 64 }), 1000);
}

describe('WasmHeap', () => {
  it('hands out 64-byte aligned, non-overlapping regions above the base', () => {
    const heap = freshHeap();
    const regions = [heap.allocF32(3), heap.allocI32(17), heap.allocU8(1), heap.allocF32(100)];
    for (const region of regions) expect(region.ptr % 64).toBe(0);
    expect(regions[0]?.ptr).toBeGreaterThanOrEqual(1000);
    const spans = regions
      .map((r) => [r.ptr, r.ptr + r.view().byteLength] as const)
      .sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++)
      expect(spans[i]?.[0]).toBeGreaterThanOrEqual(spans[i - 1]?.[1] ?? 0);
  });

  it('reuses freed space and coalesces neighbours', () => {
    const heap = freshHeap();
    const first = heap.allocF32(16);
    const second = heap.allocF32(16);
    const guard = heap.allocF32(16);
    heap.free(first);
    heap.free(second);
    const merged = heap.allocF32(32);
    expect(merged.ptr).toBe(first.ptr);
    heap.free(merged);
    heap.free(guard);
    expect(heap.bytesInUse).toBe(0);
    expect(heap.allocF32(1).ptr).toBe(first.ptr);
  });

  it('grows the memory and keeps data written before the growth', () => {
    const heap = freshHeap();
    const small = heap.fromF32([1, 2, 3]);
    const big = heap.allocF32(200_000);
    expect(heap.memory.buffer.byteLength).toBeGreaterThanOrEqual(big.ptr + 800_000);
    expect(Array.from(small.view())).toEqual([1, 2, 3]);
    big.view()[199_999] = 4;
    expect(big.view()[199_999]).toBe(4);
  });

  it('rejects double frees and bad sizes', () => {
    const heap = freshHeap();
    const region = heap.allocU8(10);
    heap.free(region);
    expect(() => heap.free(region)).toThrow(/not an allocated region/);
    expect(() => heap.allocBytes(-1)).toThrow(RangeError);
  });
});

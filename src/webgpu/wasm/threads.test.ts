// The worker pool: threaded matmul and int8/int4 matmul equal the single-threaded kernels bit for bit, on every split.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matmulArrays, matmulQuantizedArrays } from './array-calls';
import { KernelMemoryError, createWasmKernels, type WasmKernels } from './kernels';
import { quantizeWeights } from './quantize';
import { randomArray } from './test-support';

let single: WasmKernels;
let threaded: WasmKernels;
beforeAll(async () => {
  single = await createWasmKernels({ threads: 1 });
  // minFlopsPerThread 1 forces the pool even on tiny shapes, so splits of odd sizes are exercised too.
  threaded = await createWasmKernels({ threads: 3, minFlopsPerThread: 1 });
});
afterAll(() => {
  single.dispose();
  threaded.dispose();
});

describe('WasmThreadPool', () => {
  it('runs with shared memory and several threads in Node', () => {
    expect(threaded.threads).toBe(3);
    expect(threaded.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('keeps its control block out of the wasm memory, and names a kernel that wrote past the scratch', () => {
    const a = randomArray(40 * 30);
    const b = randomArray(30 * 20);
    const shape = { m: 40, n: 20, k: 30, batch: 1 };
    const expected = matmulArrays(single, a, b, shape);
    // The fence after the scratch: sixteen words of its pattern (found by scanning, as a stray write would meet it).
    const words = new Int32Array(threaded.memory.buffer);
    const fence = words.findIndex((_, i) => words.subarray(i, i + 16).every((w) => w === 0x5ca1ab1e));
    expect(fence).toBeGreaterThan(0);
    words[fence + 3] = 12345; // what an overrun would do
    expect(() => matmulArrays(threaded, a, b, shape)).toThrow(KernelMemoryError);
    // The pool survives: the next job runs threaded and right.
    expect(matmulArrays(threaded, a, b, shape)).toEqual(expected);
    expect(threaded.threads).toBe(3);
  });

  it('threaded f32 matmul equals single-threaded for row, column and batch splits', () => {
    const shapes = [
      { m: 130, n: 17, k: 65, batch: 1 },
      { m: 5, n: 301, k: 33, batch: 1 },
      { m: 9, n: 11, k: 300, batch: 3 },
      { m: 7, n: 13, k: 5, batch: 6 },
      { m: 1, n: 1, k: 1, batch: 1 },
    ];
    for (const shape of shapes) {
      for (const [transA, transB] of [
        [false, false],
        [true, true],
        [false, true],
      ] as const) {
        const a = randomArray(shape.batch * shape.m * shape.k);
        const b = randomArray(shape.batch * shape.k * shape.n);
        const c = randomArray(shape.batch * shape.m * shape.n);
        for (const initial of [undefined, c]) {
          const args = { ...shape, transA, transB, c: initial };
          expect(matmulArrays(threaded, a, b, args)).toEqual(matmulArrays(single, a, b, args));
        }
      }
    }
  });

  it('threaded int8/int4 matmul equals single-threaded', () => {
    for (const bits of [8, 4] as const) {
      for (const [m, n, k] of [
        [3, 77, 96],
        [70, 9, 130],
      ] as const) {
        const a = randomArray(m * k);
        const weights = quantizeWeights(randomArray(n * k), n, k, bits, 32);
        expect(matmulQuantizedArrays(threaded, a, weights, m)).toEqual(
          matmulQuantizedArrays(single, a, weights, m),
        );
      }
    }
  });

  it('runs a job the moment a fresh pool is ready (no lost first wake-up)', async () => {
    const a = randomArray(40 * 40);
    const expected = matmulArrays(single, a, a, { m: 40, n: 40, k: 40 });
    for (let attempt = 0; attempt < 4; attempt++) {
      const fresh = await createWasmKernels({ threads: 2, minFlopsPerThread: 1 });
      expect(matmulArrays(fresh, a, a, { m: 40, n: 40, k: 40 })).toEqual(expected);
      fresh.dispose();
    }
  });

  it('keeps working after the shared memory grows', () => {
    const big = threaded.heap.allocF32(8 * 1024 * 1024);
    const a = randomArray(64 * 64);
    const b = randomArray(64 * 64);
    const shape = { m: 64, n: 64, k: 64 };
    expect(matmulArrays(threaded, a, b, shape)).toEqual(matmulArrays(single, a, b, shape));
    threaded.heap.free(big);
  });
});

describe('WasmThreadPool when a worker dies', () => {
  it('finishes the job on the threads left and then runs on one thread, with the same results', async () => {
    const kernels = await createWasmKernels({ threads: 2, minFlopsPerThread: 1 });
    const a = randomArray(48 * 48);
    const expected = matmulArrays(single, a, a, { m: 48, n: 48, k: 48 });
    // The pool is private: reach its worker the way a crash would, from outside the protocol.
    const pool = (kernels as unknown as { pool: { workers: { terminate(): void }[] } }).pool;
    pool.workers[0]?.terminate();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(matmulArrays(kernels, a, a, { m: 48, n: 48, k: 48 })).toEqual(expected);
    expect(matmulArrays(kernels, a, a, { m: 48, n: 48, k: 48 })).toEqual(expected);
    kernels.dispose();
  }, 30_000);
});

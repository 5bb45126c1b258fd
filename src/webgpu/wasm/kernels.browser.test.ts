// Browser test in Chromium: kernels.wasm loads through Vite's asset URL and computes; threads too when the page is isolated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matmulArrays, matmulF16Arrays, matmulQuantizedArrays } from './array-calls';
import { createWasmKernels, type WasmKernels } from './kernels';
import { quantizeWeights } from './quantize';
import { dequantizeHalfWeights, quantizeHalfWeights } from './quantize-f16';
import { firstMatmulMismatch, randomArray, referenceMatmul } from './test-support';

let single: WasmKernels;
beforeAll(async () => {
  single = await createWasmKernels({ threads: 1 });
});
afterAll(() => single.dispose());

describe('wasm kernels in the browser', () => {
  it('loads the module with fetch and matches the f64 loop (odd shape, Bᵀ)', () => {
    const shape = { m: 33, n: 65, k: 17, transA: false, transB: true, batch: 1 };
    const a = randomArray(shape.m * shape.k);
    const b = randomArray(shape.n * shape.k);
    const c = matmulArrays(single, a, b, shape);
    expect(firstMatmulMismatch(c, referenceMatmul(a, b, shape), shape.k)).toBeUndefined();
  });

  it('runs int4 weights and a softmax', () => {
    const weights = quantizeWeights(randomArray(9 * 64), 9, 64, 4, 32);
    const out = matmulQuantizedArrays(single, randomArray(5 * 64), weights, 5);
    expect(out.every(Number.isFinite)).toBe(true);
    const x = single.heap.fromF32([1, 2, 3, 4, 5]);
    single.softmaxRows(x, x, 1, 5);
    expect(x.view().reduce((sum, v) => sum + v, 0)).toBeCloseTo(1, 6);
    single.heap.free(x);
  });

  it('runs f16 weights in both directions like the f64 loop on the decoded halves', () => {
    const [m, n, k] = [5, 19, 37];
    const weights = quantizeHalfWeights(randomArray(n * k), n, k);
    const decoded = dequantizeHalfWeights(weights);
    for (const transposed of [false, true]) {
      const shape = {
        m,
        n: transposed ? k : n,
        k: transposed ? n : k,
        transA: false,
        transB: !transposed,
        batch: 1,
      };
      const a = randomArray(m * shape.k);
      const c = matmulF16Arrays(single, a, weights, m, { transposed });
      expect(firstMatmulMismatch(c, referenceMatmul(a, decoded, shape), shape.k)).toBeUndefined();
    }
  });

  // The vitest browser server inherits vite.config.ts's COOP/COEP headers, so the page should be isolated.
  it('uses Web Workers on shared memory when crossOriginIsolated, else falls back to one thread', async () => {
    const threaded = await createWasmKernels({ threads: 2, minFlopsPerThread: 1 });
    try {
      expect(threaded.threads).toBe(globalThis.crossOriginIsolated ? 2 : 1);
      const shape = { m: 70, n: 90, k: 40, transA: true, transB: false };
      const a = randomArray(shape.m * shape.k);
      const b = randomArray(shape.k * shape.n);
      expect(matmulArrays(threaded, a, b, shape)).toEqual(matmulArrays(single, a, b, shape));
    } finally {
      threaded.dispose();
    }
  });

  it('is cross-origin isolated under the test server (threads are really exercised)', () => {
    expect(globalThis.crossOriginIsolated).toBe(true);
  });
});

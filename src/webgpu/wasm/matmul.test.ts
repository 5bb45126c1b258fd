// f32 matmul kernel vs an f64 triple loop: odd sizes, every transpose combination, batches, accumulate, leading dims, subnormals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWasmKernels, type WasmKernels } from './kernels';
import {
  firstMatmulMismatch,
  pick,
  poisonedRegion,
  randomArray,
  referenceMatmul,
  type MatmulCase,
} from './test-support';

const ODD_SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 17, 33, 65, 127] as const;
const TRANSPOSES = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;

let kernels: WasmKernels;
beforeAll(async () => {
  kernels = await createWasmKernels({ threads: 1 });
});
afterAll(() => kernels.dispose());

/** Runs one case on fresh random inputs with a NaN-poisoned (or random, when accumulating) C and checks every element. */
function checkCase(shape: MatmulCase, accumulate = false): void {
  const { m, n, k, batch } = shape;
  const { heap } = kernels;
  const aData = randomArray(batch * m * k);
  const bData = randomArray(batch * k * n);
  const initial = accumulate ? randomArray(batch * m * n) : undefined;
  const a = heap.fromF32(aData);
  const b = heap.fromF32(bData);
  const c = initial ? heap.fromF32(initial) : poisonedRegion(heap, batch * m * n);
  kernels.matmul({ ...shape, a, b, c, accumulate });
  const mismatch = firstMatmulMismatch(c.view(), referenceMatmul(aData, bData, shape, initial), k);
  [a, b, c].forEach((region) => heap.free(region));
  expect(mismatch, JSON.stringify({ ...shape, accumulate })).toBeUndefined();
}

describe('matmulF32', () => {
  for (const [transA, transB] of TRANSPOSES) {
    it(`matches the f64 loop on odd sizes (transA=${transA}, transB=${transB})`, () => {
      for (const m of ODD_SIZES)
        checkCase({ m, n: pick(ODD_SIZES), k: pick(ODD_SIZES), transA, transB, batch: 1 });
      for (const n of ODD_SIZES)
        checkCase({ m: pick(ODD_SIZES), n, k: pick(ODD_SIZES), transA, transB, batch: 1 });
      for (const k of ODD_SIZES)
        checkCase({ m: pick(ODD_SIZES), n: pick(ODD_SIZES), k, transA, transB, batch: 1 });
    });
  }

  it('crosses the k-, m- and n-block boundaries (k = 300, m = 131, n = 1030)', () => {
    checkCase({ m: 131, n: 1030, k: 300, transA: false, transB: true, batch: 1 });
    checkCase({ m: 131, n: 37, k: 513, transA: true, transB: false, batch: 1 });
  });

  it('handles batches with every transpose combination', () => {
    for (const [transA, transB] of TRANSPOSES) {
      checkCase({ m: pick(ODD_SIZES), n: pick(ODD_SIZES), k: pick(ODD_SIZES), transA, transB, batch: 3 });
    }
  });

  it('accumulates into C when asked (also across k-blocks)', () => {
    for (const [transA, transB] of TRANSPOSES) {
      checkCase(
        { m: pick(ODD_SIZES), n: pick(ODD_SIZES), k: pick(ODD_SIZES), transA, transB, batch: 2 },
        true,
      );
    }
    checkCase({ m: 9, n: 17, k: 600, transA: false, transB: false, batch: 1 }, true);
  });

  it('writes zeros for k = 0 and leaves C alone when accumulating with k = 0', () => {
    const c = poisonedRegion(kernels.heap, 6);
    kernels.matmul({ a: 0, b: 0, c, m: 2, n: 3, k: 0 });
    expect(Array.from(c.view())).toEqual([0, 0, 0, 0, 0, 0]);
    c.view().fill(5);
    kernels.matmul({ a: 0, b: 0, c, m: 2, n: 3, k: 0, accumulate: true });
    expect(Array.from(c.view())).toEqual([5, 5, 5, 5, 5, 5]);
    kernels.heap.free(c);
  });

  it('shares an operand across the batch with stride 0 and respects leading dimensions', () => {
    const { heap } = kernels;
    const [m, n, k, batch] = [5, 9, 7, 3];
    const aData = randomArray(batch * m * k);
    const weights = randomArray(n * k);
    // C is written into the left n columns of a wider (ldc = n + 4) matrix; the padding must stay untouched.
    const ldc = n + 4;
    const a = heap.fromF32(aData);
    const b = heap.fromF32(weights);
    const c = heap.allocF32(batch * m * ldc);
    c.view().fill(-7);
    kernels.matmul({ a, b, c, m, n, k, batch, transB: true, strideB: 0, ldc, strideC: m * ldc });
    const out = c.view();
    for (let item = 0; item < batch; item++) {
      const expected = referenceMatmul(aData.subarray(item * m * k), weights, {
        m,
        n,
        k,
        transA: false,
        transB: true,
        batch: 1,
      });
      const rows = Array.from(
        { length: m * n },
        (_, index) => out[item * m * ldc + Math.floor(index / n) * ldc + (index % n)] ?? 0,
      );
      expect(firstMatmulMismatch(rows, expected, k)).toBeUndefined();
      for (let i = 0; i < m; i++)
        for (let j = n; j < ldc; j++) expect(out[item * m * ldc + i * ldc + j]).toBe(-7);
    }
    [a, b, c].forEach((region) => heap.free(region));
  });

  it('flushes subnormal inputs to zero on every packing path, and passes NaN and ±∞', () => {
    const { heap } = kernels;
    const subnormal = 1e-40;
    // 9 × 9 covers the vector and the scalar tails of both panel layouts (MR 4, NR 8).
    const [m, n, k] = [9, 9, 9];
    for (const [transA, transB] of TRANSPOSES) {
      // A holds subnormals only; B is ones, except NaN and ∞ in two k-slices that only the last row of A multiplies.
      const aData = new Float32Array(m * k).fill(subnormal);
      const bData = new Float32Array(k * n).fill(1);
      const a = heap.fromF32(aData);
      const b = heap.fromF32(bData);
      const c = poisonedRegion(heap, m * n);
      kernels.matmul({ a, b, c, m, n, k, transA, transB });
      // Unflushed, each C element would be 9e-40 (itself subnormal): flushed, every product is exactly 0.
      expect(
        Array.from(c.view()).every((x) => Object.is(x, 0)),
        `transA=${transA} transB=${transB}`,
      ).toBe(true);
      const specials = new Float32Array(m * k).fill(2);
      specials[transA ? 0 * m + (m - 1) : (m - 1) * k] = Number.NaN;
      specials[transA ? 1 * m + (m - 1) : (m - 1) * k + 1] = Number.POSITIVE_INFINITY;
      heap.free(a);
      const withSpecials = heap.fromF32(specials);
      kernels.matmul({ a: withSpecials, b, c, m, n, k, transA, transB });
      const out = c.view();
      for (let j = 0; j < n; j++) {
        expect(out[j]).toBe(2 * k);
        expect(out[(m - 1) * n + j]).toBeNaN();
      }
      [withSpecials, b, c].forEach((region) => heap.free(region));
    }
  });
});

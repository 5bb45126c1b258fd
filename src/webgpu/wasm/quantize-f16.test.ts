// f16 weight packing, and the f16 weight matmul (both directions) vs decode-then-multiply in f64 over odd shapes, threads, every half.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { f16ToF32 } from '../f16';
import { matmulF16Arrays } from './array-calls';
import { createWasmKernels, type WasmKernels } from './kernels';
import { dequantizeHalfWeights, halfWeightsOf, quantizeHalfWeights } from './quantize-f16';
import { firstMatmulMismatch, pick, poisonedRegion, randomArray, referenceMatmul } from './test-support';

/** Around the 8-half SIMD step, the 4×8 microkernel tile and the 256-deep k-block. */
const ODD_SIZES = [1, 3, 7, 8, 9, 17, 33, 65, 127] as const;

let single: WasmKernels;
let threaded: WasmKernels;
beforeAll(async () => {
  single = await createWasmKernels({ threads: 1 });
  threaded = await createWasmKernels({ threads: 2, minFlopsPerThread: 1 });
});
afterAll(() => {
  single.dispose();
  threaded.dispose();
});

/** C = A·Wᵀ (or A·W) on the kernel vs the f64 product with the decoded halves, within the f32 dot-product bound. */
function checkHalf(m: number, n: number, k: number, transposed: boolean, accumulate = false): void {
  const { heap } = single;
  const inner = transposed ? n : k;
  const cols = transposed ? k : n;
  const activations = randomArray(m * inner);
  const host = quantizeHalfWeights(randomArray(n * k), n, k);
  const weights = single.uploadHalf(host);
  const initial = accumulate ? randomArray(m * cols) : undefined;
  const a = heap.fromF32(activations);
  const c = initial ? heap.fromF32(initial) : poisonedRegion(heap, m * cols);
  single.matmulF16({ a, weights, c, m, transposed, accumulate });
  // W [n, k] is op(B) = Wᵀ stored n×k (transB) forward, and B = W stored k'×n' = n×k transposed.
  const shape = { m, n: cols, k: inner, transA: false, transB: !transposed, batch: 1 };
  const expected = referenceMatmul(activations, dequantizeHalfWeights(host), shape, initial);
  const mismatch = firstMatmulMismatch(c.view(), expected, inner);
  heap.free(a);
  heap.free(c);
  single.freeHalf(weights);
  expect(mismatch, JSON.stringify({ m, n, k, transposed, accumulate })).toBeUndefined();
}

describe('f16 weight packing', () => {
  it('rounds to nearest even, keeps n·k halves, and dequantizes exactly', () => {
    const values = Float32Array.from([1 + 2 ** -11, -(1 + 3 * 2 ** -11), 65520, 2 ** -25]);
    const host = quantizeHalfWeights(values, 1, 3 + 1);
    expect(Array.from(host.data)).toEqual([0x3c00, 0xbc02, 0x7c00, 0x0000]);
    const odd = halfWeightsOf(Uint16Array.from([0x3c00, 0xbc00, 0x4000]), 3, 1);
    expect(Array.from(dequantizeHalfWeights(odd))).toEqual([1, -1, 2]);
    expect(() => halfWeightsOf(new Uint16Array(5), 2, 3)).toThrow(RangeError);
    expect(() => quantizeHalfWeights(new Float32Array(5), 2, 3)).toThrow(RangeError);
  });
});

describe('matmulF16', () => {
  for (const transposed of [false, true]) {
    it(`x·W${transposed ? '' : 'ᵀ'} matches decode-then-matmul for odd m, n, k`, () => {
      for (const k of [...ODD_SIZES, 255, 300]) checkHalf(pick(ODD_SIZES), pick(ODD_SIZES), k, transposed);
      for (const m of ODD_SIZES) checkHalf(m, pick(ODD_SIZES), pick(ODD_SIZES), transposed);
      for (const n of ODD_SIZES) checkHalf(pick(ODD_SIZES), n, pick(ODD_SIZES), transposed);
      checkHalf(66, 33, 129, transposed, true);
    });
  }

  it('decodes every one of the 65536 halves exactly, through the SIMD and the scalar paths', () => {
    const halves = Uint16Array.from({ length: 0x10000 }, (_, i) => i);
    const want = Array.from(halves, (h) => Math.fround(f16ToF32(h)));
    // x·W with W [1, 65536]: K×N panels, eight halves per vector load; x·Wᵀ with W [65536, 1]: one half per row.
    const columns = matmulF16Arrays(single, Float32Array.of(1), halfWeightsOf(halves, 1, 0x10000), 1, {
      transposed: true,
    });
    const rows = matmulF16Arrays(single, Float32Array.of(1), halfWeightsOf(halves, 0x10000, 1), 1);
    for (const got of [columns, rows]) {
      // A sum starts at +0, so -0 comes out as +0 (adding 0 folds the zeros); NaN must stay NaN.
      const wrong = want.findIndex((value, i) => !Object.is(value + 0, (got[i] ?? 1) + 0));
      expect(wrong, `half 0x${wrong.toString(16)}: ${got[wrong]} instead of ${want[wrong]}`).toBe(-1);
    }
  });

  it('threaded equals single-threaded, bit for bit, in both directions', () => {
    for (const [m, n, k] of [
      [3, 77, 96],
      [70, 9, 130],
      [5, 1001, 19],
    ] as const) {
      const weights = quantizeHalfWeights(randomArray(n * k), n, k);
      for (const transposed of [false, true]) {
        const a = randomArray(m * (transposed ? n : k));
        const options = { transposed };
        expect(matmulF16Arrays(threaded, a, weights, m, options)).toEqual(
          matmulF16Arrays(single, a, weights, m, options),
        );
      }
    }
  });

  it('stays within 1e-3 relative L2 error of the f32 weight (f16 rounding, not the kernel)', () => {
    const [m, n, k] = [64, 192, 768];
    const a = randomArray(m * k);
    const dense = randomArray(n * k);
    const exact = referenceMatmul(a, dense, { m, n, k, transA: false, transB: true, batch: 1 }).values;
    const got = matmulF16Arrays(single, a, quantizeHalfWeights(dense, n, k), m);
    let [diff, norm] = [0, 0];
    exact.forEach((v, i) => {
      diff += ((got[i] ?? NaN) - v) ** 2;
      norm += v ** 2;
    });
    const error = Math.sqrt(diff / norm);
    console.log(
      `wasm f16 x·Wᵀ ${m}×${k}·${k}×${n}: relative L2 error vs f32 weight ${error.toExponential(2)}`,
    );
    expect(error).toBeLessThan(1e-3);
  });
});

// int8/int4 weight matmul vs dequantise-then-multiply in f64, over group sizes, odd shapes and unaligned group tails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWasmKernels, type WasmKernels } from './kernels';
import { dequantizeWeights, quantizeWeights, weightLevel, type WeightBits } from './quantize';
import { firstMatmulMismatch, pick, poisonedRegion, randomArray, referenceMatmul } from './test-support';

const ODD_SIZES = [1, 3, 8, 17, 33, 65, 127] as const;
const GROUP_SIZES = [32, 64, 128] as const;
const F32_EPSILON = 2 ** -24;

let kernels: WasmKernels;
beforeAll(async () => {
  kernels = await createWasmKernels({ threads: 1 });
});
afterAll(() => kernels.dispose());

function checkQuantized(
  bits: WeightBits,
  m: number,
  n: number,
  k: number,
  groupSize: number,
  accumulate = false,
) {
  const { heap } = kernels;
  const activations = randomArray(m * k);
  const quantized = quantizeWeights(randomArray(n * k), n, k, bits, groupSize);
  const weights = kernels.uploadQuantized(quantized);
  const initial = accumulate ? randomArray(m * n) : undefined;
  const a = heap.fromF32(activations);
  const c = initial ? heap.fromF32(initial) : poisonedRegion(heap, m * n);
  kernels.matmulQuantized({ a, weights, c, m, accumulate });
  const shape = { m, n, k, transA: false, transB: true, batch: 1 };
  const expected = referenceMatmul(activations, dequantizeWeights(quantized), shape, initial);
  // The kernel rounds each level·scale to f32: one more ε relative to Σ|a||w|.
  const mismatch = firstMatmulMismatch(c.view(), expected, k, F32_EPSILON);
  heap.free(a);
  heap.free(c);
  kernels.freeQuantized(weights);
  expect(mismatch, JSON.stringify({ bits, m, n, k, groupSize, accumulate })).toBeUndefined();
}

describe('quantizeWeights', () => {
  it('round-trips levels within half a step and packs int4 low nibble first', () => {
    const values = Float32Array.from([0.6, -1, 0.25, 1, -0.75]);
    const q = quantizeWeights(values, 1, 5, 4, 4);
    expect(Array.from({ length: 5 }, (_, p) => weightLevel(q, 0, p))).toEqual([4, -7, 2, 7, -7]);
    expect(q.data[0]).toBe(((-7 + 8) << 4) | (4 + 8));
    const back = dequantizeWeights(q);
    for (let p = 0; p < 4; p++)
      expect(Math.abs((back[p] ?? 0) - (values[p] ?? 0))).toBeLessThanOrEqual(1 / 14 + 1e-7);
  });
});

describe('matmulQuantized', () => {
  for (const bits of [8, 4] as const) {
    it(`int${bits} matches dequantise-then-matmul for odd m, n, k and group sizes 32/64/128`, () => {
      for (const groupSize of GROUP_SIZES) {
        for (const k of [...ODD_SIZES, 255, 300])
          checkQuantized(bits, pick(ODD_SIZES), pick(ODD_SIZES), k, groupSize);
        for (const m of ODD_SIZES) checkQuantized(bits, m, pick(ODD_SIZES), pick(ODD_SIZES), groupSize);
        for (const n of ODD_SIZES) checkQuantized(bits, pick(ODD_SIZES), n, pick(ODD_SIZES), groupSize);
      }
    });

    it(`int${bits} handles small odd groups, k-blocks that split a group, and accumulate`, () => {
      checkQuantized(bits, 5, 9, 41, 3);
      checkQuantized(bits, 7, 19, 600, 48);
      checkQuantized(bits, 66, 33, 129, 64, true);
    });
  }
});

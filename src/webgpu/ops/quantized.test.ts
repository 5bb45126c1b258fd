// quantizedLinear vs linear on the dequantized weight (values, input gradient) for q8/q4/f16; download round trip; f16 error vs f32.
import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../backends/reference';
import { fromArray, randn } from '../creation';
import { QuantizedTensor } from '../quantized';
import { Random } from '../random';
import { gradcheck } from '../testing/gradcheck';
import { dequantizeWeights, quantizeWeights } from '../wasm/quantize';
import { dequantizeHalfWeights, quantizeHalfWeights } from '../wasm/quantize-f16';
import { linear } from './matmul';
import { quantizedLinear } from './quantized';

const backend = new ReferenceBackend({ precision: 'f64', poison: true });
const rng = new Random(Math.floor(Math.random() * 2 ** 31));

describe('quantizedLinear', () => {
  for (const bits of [8, 4] as const) {
    it(`int${bits}: matches linear on the dequantized weight (odd k, partial last group)`, () => {
      const [n, k, groupSize] = [5, 13, 4];
      const dense = Float32Array.from(rng.normals(n * k));
      const host = quantizeWeights(dense, n, k, bits, groupSize);
      const weight = QuantizedTensor.upload(host, backend);
      const x = randn([2, 3, k], { backend, rng });
      const expected = backend.peek(
        linear(x, fromArray(dequantizeWeights(host), [n, k], { backend })).storage,
      );
      const actual = backend.peek(quantizedLinear(x, weight).storage);
      actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 12));
      const { maxRelativeError, worst } = gradcheck(backend, (input) => quantizedLinear(input, weight), [
        { shape: [3, k] },
      ]);
      expect(maxRelativeError, worst).toBeLessThan(1e-6);
      weight.dispose();
    });

    it(`int${bits}: download returns the uploaded bytes and scales exactly (k not a multiple of 4 bytes)`, async () => {
      const host = quantizeWeights(Float32Array.from(rng.normals(3 * 11)), 3, 11, bits, 4);
      const weight = QuantizedTensor.upload(host, backend);
      const back = await weight.download();
      if (back.bits === 16) throw new Error('an int weight came back as f16');
      expect(back).toEqual({ ...host, data: back.data, scales: back.scales });
      expect(Array.from(back.data)).toEqual(Array.from(host.data));
      expect(Array.from(back.scales)).toEqual(Array.from(host.scales));
      weight.dispose();
    });
  }

  it('f16: matches linear on the decoded weight, odd n·k (half-filled last word), input gradient', () => {
    const [n, k] = [5, 13];
    const host = quantizeHalfWeights(Float32Array.from(rng.normals(n * k)), n, k);
    const weight = QuantizedTensor.upload(host, backend);
    const x = randn([2, 3, k], { backend, rng });
    const expected = backend.peek(
      linear(x, fromArray(dequantizeHalfWeights(host), [n, k], { backend })).storage,
    );
    const actual = backend.peek(quantizedLinear(x, weight).storage);
    actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 12));
    const { maxRelativeError, worst } = gradcheck(backend, (input) => quantizedLinear(input, weight), [
      { shape: [3, k] },
    ]);
    expect(maxRelativeError, worst).toBeLessThan(1e-6);
    weight.dispose();
  });

  it('f16: download returns the uploaded halves exactly', async () => {
    const host = quantizeHalfWeights(Float32Array.from(rng.normals(3 * 7)), 3, 7);
    const weight = QuantizedTensor.upload(host, backend);
    const back = await weight.download();
    expect(back.bits).toBe(16);
    expect({ ...back, data: Array.from(back.data) }).toEqual({ ...host, data: Array.from(host.data) });
    weight.dispose();
  });

  it('f16: relative error vs the f32 weight stays below 1e-3 (f16 rounding is 2^-11), q8 for scale', () => {
    const [rows, n, k] = [16, 64, 256];
    const dense = Float32Array.from(rng.normals(n * k));
    const x = randn([rows, k], { backend, rng });
    const exact = backend.peek(linear(x, fromArray(dense, [n, k], { backend })).storage);
    const errorOf = (weight: QuantizedTensor): number => {
      const y = backend.peek(quantizedLinear(x, weight).storage);
      let [diff, norm] = [0, 0];
      y.forEach((v, i) => {
        diff += (v - (exact[i] as number)) ** 2;
        norm += (exact[i] as number) ** 2;
      });
      weight.dispose();
      return Math.sqrt(diff / norm);
    };
    const half = errorOf(QuantizedTensor.upload(quantizeHalfWeights(dense, n, k), backend));
    const q8 = errorOf(QuantizedTensor.upload(quantizeWeights(dense, n, k, 8, 32), backend));
    console.log(
      `x·Wᵀ [${rows}×${k}]·[${k}×${n}] relative L2 error vs f32: f16 ${half.toExponential(2)}, q8/32 ${q8.toExponential(2)}`,
    );
    expect(half).toBeLessThan(1e-3);
    expect(half).toBeGreaterThan(0);
    expect(q8).toBeGreaterThan(half);
  });
});

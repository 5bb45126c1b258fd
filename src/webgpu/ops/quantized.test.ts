// quantizedLinear vs linear on the dequantized weight (values, input gradient); QuantizedTensor.download round trip.
import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../backends/reference';
import { fromArray, randn } from '../creation';
import { QuantizedTensor } from '../quantized';
import { Random } from '../random';
import { gradcheck } from '../testing/gradcheck';
import { dequantizeWeights, quantizeWeights } from '../wasm/quantize';
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
      expect(back).toEqual({ ...host, data: back.data, scales: back.scales });
      expect(Array.from(back.data)).toEqual(Array.from(host.data));
      expect(Array.from(back.scales)).toEqual(Array.from(host.scales));
      weight.dispose();
    });
  }
});

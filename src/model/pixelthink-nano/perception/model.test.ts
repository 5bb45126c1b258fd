// Unit tests of the perception detector in engine ops: output shapes, parameter count and gradients by finite differences.
import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../../../webgpu/backends/reference';
import { WasmBackend } from '../../../webgpu/backends/wasm';
import { fromArray, randn } from '../../../webgpu/creation';
import { concat, reshape } from '../../../webgpu/ops/shape';
import type { Tensor } from '../../../webgpu/tensor';
import { gradcheck } from '../../../webgpu/testing/gradcheck';
import { gridSize, INPUT_CHANNELS, OUTPUT_CHANNELS, PERCEPTION_CONFIG } from './config';
import { perceptionLoss } from './loss';
import { forward, headOutput, initPerception, MissingParameterError, parameterCount } from './model';
import { sceneBatch } from './data';
import { GRADCHECK_CONFIG } from './test-support';

describe('perception model', () => {
  it('maps [B, 5, 128, 128] to [B, 24, 32, 32] head outputs', async () => {
    const backend = await WasmBackend.create({ threads: 1 });
    const params = initPerception(PERCEPTION_CONFIG, { backend, seed: 1 });
    const output = forward(
      params,
      PERCEPTION_CONFIG,
      randn([2, INPUT_CHANNELS, 128, 128], { backend, rng: 2 }),
    );
    expect(gridSize(PERCEPTION_CONFIG)).toBe(32);
    expect(output.shape).toEqual([2, OUTPUT_CHANNELS, 32, 32]);
    expect(headOutput(output, 'colour').shape).toEqual([2, 6, 32, 32]);
    expect(headOutput(output, 'points').shape).toEqual([2, 4, 32, 32]);
    expect(parameterCount(params)).toBe(95_928);
    backend.dispose();
  }, 30_000);

  it('starts every heatmap cell near the 0.1 prior', async () => {
    const backend = await WasmBackend.create({ threads: 1 });
    const params = initPerception(PERCEPTION_CONFIG, { backend, seed: 1 });
    const bias = await params.get('head.out.bias')!.data();
    expect(1 / (1 + Math.exp(-(bias[0] as number)))).toBeCloseTo(0.1, 6);
    expect(Array.from(bias.subarray(1)).every((b) => b === 0)).toBe(true);
    backend.dispose();
  });

  it('names a missing parameter', () => {
    const backend = new ReferenceBackend({ precision: 'f64' });
    const params = initPerception(GRADCHECK_CONFIG, { backend });
    params.delete('head.out.weight');
    const input = fromArray(new Float64Array(INPUT_CHANNELS * 64), [1, INPUT_CHANNELS, 8, 8], { backend });
    expect(() => forward(params, GRADCHECK_CONFIG, input)).toThrow(MissingParameterError);
  });

  it('has gradients that match finite differences for every parameter and the input', () => {
    const backend = new ReferenceBackend({ precision: 'f64' });
    const init = initPerception(GRADCHECK_CONFIG, { backend, seed: 3, biasStd: 0.1 });
    const names = [...init.keys()];
    const f = (input: Tensor, ...weights: Tensor[]): Tensor =>
      forward(new Map(names.map((n, i) => [n, weights[i] as Tensor])), GRADCHECK_CONFIG, input);
    const specs = [
      { shape: [1, INPUT_CHANNELS, 8, 8] },
      ...[...init.values()].map((t) => ({ shape: [...t.shape] })),
    ];
    const { maxRelativeError, worst } = gradcheck(backend, f, specs, { seed: 4 });
    expect(maxRelativeError, worst).toBeLessThan(1e-6);
  }, 30_000);

  it('has loss gradients (focal, cross-entropy and L1 heads) that match finite differences', () => {
    const backend = new ReferenceBackend({ precision: 'f64' });
    const { targets } = sceneBatch(GRADCHECK_CONFIG, 'val', 0, 2);
    const grid = gridSize(GRADCHECK_CONFIG);
    const f = (output: Tensor): Tensor =>
      concat(
        Object.values(perceptionLoss(output, targets)).map((term) => reshape(term, [1])),
        0,
      );
    const { maxRelativeError, worst } = gradcheck(backend, f, [{ shape: [2, OUTPUT_CHANNELS, grid, grid] }], {
      seed: 5,
    });
    expect(maxRelativeError, worst).toBeLessThan(1e-6);
  }, 30_000);
});

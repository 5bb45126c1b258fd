// Unit tests of nano-sam in engine ops: output shapes, parameter count, prompt maps and gradients by finite differences.
import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../../webgpu/backends/reference';
import { WasmBackend } from '../../webgpu/backends/wasm';
import { randn } from '../../webgpu/creation';
import { concat, reshape } from '../../webgpu/ops/shape';
import type { Tensor } from '../../webgpu/tensor';
import { gradcheck } from '../../webgpu/testing/gradcheck';
import type { NanoSamConfig } from './config';
import { gridSize, NANO_SAM_CONFIG } from './config';
import { forward, initNanoSam, parameterCount } from './model';
import type { NanoSamPrompt } from './prompt';
import { promptMaps } from './prompt';

const TINY: NanoSamConfig = {
  inputSize: 8,
  encoderChannels: [2],
  embedDim: 2,
  decoderDim: 3,
  decoderLayers: 1,
  descriptorDim: 2,
  pixelHeadDim: 3,
  candidates: 3,
  pointSigma: 1.5,
  boxSoftness: 0.5,
};

describe('nano-sam model', () => {
  it('gives [batch, K] IoU scores and [batch, K, S, S] mask logits', async () => {
    const backend = await WasmBackend.create({ threads: 1 });
    const params = initNanoSam(NANO_SAM_CONFIG, { backend, seed: 1 });
    const pixels = randn([2, 3, 128, 128], { backend, rng: 2 });
    const prompts: NanoSamPrompt[] = [{ points: [[30, 40]] }, { box: [10, 10, 90, 70], points: [[50, 40]] }];
    const { iouScores, maskLogits } = forward(params, NANO_SAM_CONFIG, pixels, prompts);
    expect(gridSize(NANO_SAM_CONFIG)).toBe(32);
    expect(iouScores.shape).toEqual([2, 3]);
    expect(maskLogits.shape).toEqual([2, 3, 128, 128]);
    expect(parameterCount(params)).toBe(44_322);
    backend.dispose();
  }, 30_000);

  it('rasterises box and points onto the grid', () => {
    const config = { ...NANO_SAM_CONFIG };
    const maps = promptMaps([{ box: [0, 0, 64, 64], points: [[2, 2]], negatives: [] }], config);
    const plane = 32 * 32;
    expect(maps[0]).toBeGreaterThan(0.5); // cell (0, 0) is inside the box
    expect(maps[31 * 32 + 31]).toBeLessThan(1e-3); // cell (31, 31) is far outside
    expect(maps[plane]).toBeCloseTo(1, 6); // the point sits on cell (0, 0)'s centre
    expect(maps[2 * plane]).toBe(0); // no negatives
  });

  it('has gradients that match finite differences for every parameter and the pixels', () => {
    const backend = new ReferenceBackend({ precision: 'f64' });
    const init = initNanoSam(TINY, { backend, seed: 3, biasStd: 0.1 });
    const names = [...init.keys()];
    const prompts: NanoSamPrompt[] = [{ box: [1, 2, 6, 7], points: [[3, 4]], negatives: [[6, 1]] }];
    const f = (pixels: Tensor, ...weights: Tensor[]): Tensor => {
      const params = new Map(names.map((n, i) => [n, weights[i] as Tensor]));
      const { iouScores, maskLogits } = forward(params, TINY, pixels, prompts);
      return concat([reshape(iouScores, [-1]), reshape(maskLogits, [-1])], 0);
    };
    const specs = [{ shape: [1, 3, 8, 8] }, ...[...init.values()].map((t) => ({ shape: [...t.shape] }))];
    const { maxRelativeError, worst } = gradcheck(backend, f, specs, { seed: 4 });
    expect(maxRelativeError, worst).toBeLessThan(1e-6);
  }, 60_000);
});

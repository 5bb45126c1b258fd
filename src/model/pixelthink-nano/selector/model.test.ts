// The selector network: score shapes and padding, equivariance to the order of objects, gradients by finite differences.
import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../../../webgpu/backends/reference';
import { WasmBackend } from '../../../webgpu/backends/wasm';
import type { Tensor } from '../../../webgpu/tensor';
import { gradcheck } from '../../../webgpu/testing/gradcheck';
import { defaultSelectorConfig, type SelectorConfig } from './config';
import { selectorExample } from './data';
import { selectorInputs } from './features';
import { initSelector, MissingSelectorParameterError, selectorForward, selectorShapes } from './model';

const TINY: SelectorConfig = {
  dim: 8,
  layers: 2,
  heads: 2,
  pairHidden: 6,
  mlpHidden: 10,
  vocab: 12,
  maxQueryTokens: 6,
};

const scene = (index: number) => selectorExample('val', index).objects;

describe('selector model', () => {
  it('scores every object slot and pushes padded slots out of reach', async () => {
    const backend = await WasmBackend.create({ threads: 1 });
    const config = defaultSelectorConfig(40);
    const params = initSelector(config, { backend, seed: 1 });
    const scenes = [scene(0), scene(1).slice(0, 2)];
    const inputs = selectorInputs(config, scenes, [[1, 2, 3], [4]]);
    const scores = selectorForward(params, config, inputs);
    expect(scores.shape).toEqual([2, inputs.slots]);
    const values = await scores.data();
    const second = Array.from(values.subarray(inputs.slots));
    expect(second.slice(0, 2).every((v) => Math.abs(v) < 100)).toBe(true);
    expect(second.slice(2).every((v) => v < -1e8)).toBe(true);
    backend.dispose();
  });

  it('gives the same score to an object wherever it sits in the list', async () => {
    const backend = await WasmBackend.create({ threads: 1 });
    const config = defaultSelectorConfig(40);
    const params = initSelector(config, { backend, seed: 2 });
    const objects = scene(3);
    const order = objects.map((_, i) => (i * 3 + 1) % objects.length);
    expect(new Set(order).size).toBe(objects.length);
    const scoresOf = async (list: typeof objects) =>
      selectorForward(params, config, selectorInputs(config, [list], [[5, 6, 7]])).data();
    const original = await scoresOf(objects);
    const shuffled = await scoresOf(order.map((i) => objects[i] as (typeof objects)[number]));
    order.forEach((from, to) => expect(shuffled[to]).toBeCloseTo(original[from] as number, 4));
    backend.dispose();
  });

  it('names a missing parameter', () => {
    const backend = new ReferenceBackend({ precision: 'f64' });
    const params = initSelector(TINY, { backend });
    params.delete('layers.1.pair.geometry.weight');
    expect(() => selectorForward(params, TINY, selectorInputs(TINY, [scene(0)], [[1]]))).toThrow(
      MissingSelectorParameterError,
    );
  });

  it('has gradients that match finite differences for every parameter', () => {
    const backend = new ReferenceBackend({ precision: 'f64' });
    const names = selectorShapes(TINY).map(([name]) => name);
    // Equal object counts: a padded slot's −1e9 would swamp the finite differences of the loss.
    const inputs = selectorInputs(
      TINY,
      [scene(5).slice(0, 3), scene(6).slice(0, 3)],
      [
        [1, 2, 3],
        [4, 5],
      ],
    );
    const f = (...weights: Tensor[]): Tensor =>
      selectorForward(new Map(names.map((n, i) => [n, weights[i] as Tensor])), TINY, inputs);
    const specs = selectorShapes(TINY).map(([, shape]) => ({ shape }));
    const { maxRelativeError, worst } = gradcheck(backend, f, specs, { seed: 4 });
    expect(maxRelativeError, worst).toBeLessThan(1e-6);
  }, 120_000);
});

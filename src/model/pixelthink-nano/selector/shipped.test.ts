// The shipped selector (public/models/pixelthink-nano/selector.safetensors) still picks as reported on 200 val samples.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { WasmBackend } from '../../../webgpu/backends/wasm';
import { configureTransformersForNode } from '../../hub/transformers-node';
import type { PerceivedObject } from '../scene-text';
import { PolicyTokenizer } from '../tokens';
import { evaluateSelector } from './evaluate';
import { SELECTOR_FILE, selectorFromWeights } from './select';
import { readSelectorCheckpoint } from './train';

const FILE = resolve('public/models/pixelthink-nano', SELECTOR_FILE);

let tokenizer: PolicyTokenizer;
beforeAll(async () => {
  configureTransformersForNode(resolve('public/models'));
  tokenizer = await PolicyTokenizer.load('pixelthink-nano');
});

describe('shipped selector', () => {
  // Reported in docs/models.md: 194 of val 0–199 (97.0%), 488 of val 0–499.
  it('picks the target of 194 of the first 200 val samples', async () => {
    const backend = await WasmBackend.create({ threads: 1 });
    const { config, params, optimizerState } = readSelectorCheckpoint(backend, readFileSync(FILE));
    expect(optimizerState.step).toBe(6000);
    const encode = (query: string) => tokenizer.encode(query);
    const accuracy = await evaluateSelector(params, config, encode, { split: 'val', first: 0, count: 200 });
    expect(accuracy.all).toEqual({ correct: 194, total: 200 });
    backend.dispose();
  }, 60_000);

  it('gives the policy a Select that returns an index into the objects it is given', async () => {
    const backend = await WasmBackend.create({ threads: 1 });
    const select = selectorFromWeights(backend, readFileSync(FILE), (query) => tokenizer.encode(query));
    const objects: PerceivedObject[] = [
      {
        size: 'small',
        colour: 'red',
        shape: 'circle',
        x: 100,
        y: 400,
        bbox: [80, 380, 120, 420],
        points: [
          [100, 400],
          [101, 400],
        ],
      },
      {
        size: 'large',
        colour: 'blue',
        shape: 'star',
        x: 500,
        y: 400,
        bbox: [400, 300, 600, 500],
        points: [
          [500, 400],
          [501, 400],
        ],
      },
    ];
    expect(await select(objects, 'the blue star')).toBe(1);
    expect(await select(objects, 'the red circle')).toBe(0);
    expect(await select(objects.slice(0, 1), 'the blue star')).toBe(0);
    backend.dispose();
  });
});

// pixelthink-nano's supervised data and trainer: left-to-right re-indexing, the tokenizer path, masking, learning, resuming.
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pluralShape, sample } from '../../data/shapeworld/index';
import { parseResponse } from '../../rl/prompt';
import { WasmBackend } from '../../webgpu/backends/wasm';
import { configureTransformersForNode } from '../hub/transformers-node';
import { transformerConfig } from '../transformer/config';
import { sceneText } from './scene-text';
import { leftToRightSample, sftExample } from './sft-data';
import { batchTensors, DEFAULT_SFT_OPTIONS, sftBatch, SftTrainer } from './sft';
import { PolicyTokenizer } from './tokens';

let tokenizer: PolicyTokenizer;
beforeAll(async () => {
  configureTransformersForNode(resolve('public/models'));
  tokenizer = await PolicyTokenizer.load('pixelthink-nano');
});

const TINY_OPTIONS = { ...DEFAULT_SFT_OPTIONS, batch: 2, steps: 20, warmupSteps: 1, lr: 2e-2 };

function tinyConfig(vocab: number) {
  return transformerConfig({ vocab, dim: 16, layers: 1, heads: 2, kvHeads: 1, headDim: 8, ffnHidden: 32 });
}

describe('left-to-right samples', () => {
  it('keeps the answer and lists every object in the order of the object list', () => {
    for (const index of [0, 1, 2, 3, 4, 5]) {
      const record = sample('train', index);
      const sorted = leftToRightSample(record);
      expect(sorted.gt).toEqual(record.gt);
      expect(sorted.objects[sorted.target]?.gt.bbox).toEqual(record.gt.bbox);
      expect(parseResponse(sorted.references.long).answer).toEqual(
        parseResponse(record.references.long).answer,
      );
      const xs = sorted.objects.map((o) => o.x);
      expect(xs).toEqual([...xs].sort((a, b) => a - b));
    }
  });

  it('renders each inventory entry as the long chain lists it behind its attributes, answers keyed by centre, then the target', () => {
    const example = sftExample('train', 3, 'long');
    const text = sceneText([...example.objects].reverse(), example.target);
    const inventory = /From left to right: (.*?)\. /.exec(example.response)?.[1] as string;
    expect(inventory).toBeTruthy();
    const listing = /^objects: (.*?)\. answers: /.exec(text)?.[1] as string;
    const entries = listing.split('; ');
    expect(entries.map((e) => e.slice(e.indexOf(': ') + 2)).join('; ')).toBe(inventory);
    // Each header names its own entry's attributes, so the entry's first word is keyed by them.
    for (const entry of entries) {
      const [header, body] = entry.split(': a ') as [string, string];
      const [size, colour, plural] = header.split(' ') as [string, string, string];
      expect(body.startsWith(`${size} ${colour} `)).toBe(true);
      expect(plural).toBe(pluralShape(body.split(' ')[2] as string));
    }
    const answer = /<answer>(.*)<\/answer>/.exec(example.response)?.[1] as string;
    const target = example.objects.find((o) => text.includes(`(${o.x}, ${o.y}) ${answer}`));
    expect(target).toBe(example.target);
    expect(text.split('"bbox"')).toHaveLength(example.objects.length + 1);
    // The target line is the chain's conclusion, word for word.
    const conclusion = /So the target is the (.*?)\.<\/think>/.exec(example.response)?.[1] as string;
    expect(text.endsWith(` target: a ${conclusion}.`)).toBe(true);
    expect(sceneText(example.objects, null)).not.toContain('target:');
  });
});

describe('pixelthink-nano tokens and batches', () => {
  it('splices the object list into the chat where the image placeholder was', () => {
    const example = sftExample('train', 7, 'long');
    const ids = tokenizer.promptIds(example.query, example.objects, example.target);
    expect(ids).not.toContain(tokenizer.imagePadId);
    const text = tokenizer.decode(ids);
    expect(text).toContain(sceneText(example.objects, example.target));
    expect(text).toContain(`Please find '${example.query}'`);
    expect(tokenizer.decode(tokenizer.responseIds(example.response))).toBe(example.response);
  });

  it('puts next-token targets on responses only, and pads with ignored targets', () => {
    const batch = {
      ids: [
        [1, 2, 3, 4],
        [5, 6, 7],
      ],
      responseStart: [2, 1],
    };
    const { ids, targets, length } = batchTensors(batch, 0);
    expect(length).toBe(4);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7, 0]);
    expect(targets).toEqual([-100, 3, 4, -100, 6, 7, -100, -100]);
  });

  it('draws the same batch for the same (seed, step)', () => {
    expect(sftBatch(tokenizer, TINY_OPTIONS, 3)).toEqual(sftBatch(tokenizer, TINY_OPTIONS, 3));
    expect(sftBatch(tokenizer, TINY_OPTIONS, 3)).not.toEqual(sftBatch(tokenizer, TINY_OPTIONS, 4));
  });
});

describe('SFT trainer', () => {
  it('lowers the loss and resumes exactly from a checkpoint', async () => {
    const backend = await WasmBackend.create({ threads: 1 });
    const config = tinyConfig(tokenizer.vocabSize);
    const straight = SftTrainer.create(backend, config, TINY_OPTIONS);
    // A fixed batch the run never trains on (steps 0..5 read train samples 0..11).
    const heldOut = sftBatch(tokenizer, TINY_OPTIONS, 500);
    const before = await straight.lossesOn(heldOut, tokenizer.eosId);
    const losses: number[] = [];
    for (let i = 0; i < 6; i++) losses.push((await straight.trainStep(tokenizer)).loss);
    const after = await straight.lossesOn(heldOut, tokenizer.eosId);
    expect(after.loss).toBeLessThan(0.9 * before.loss);
    // The copy head learns to look at the object-list tokens the responses copy.
    expect(before.copyLoss).toBeGreaterThan(0);
    expect(after.copyLoss).toBeLessThan(before.copyLoss as number);

    const interrupted = SftTrainer.create(backend, config, TINY_OPTIONS);
    for (let i = 0; i < 5; i++) await interrupted.trainStep(tokenizer);
    const bytes = await interrupted.checkpoint();
    const resumed = SftTrainer.restore(backend, bytes);
    expect((await resumed.trainStep(tokenizer)).loss).toBe(losses[5]);
    // Asked to, a resumed run restarts its warm-up and cosine at the checkpoint's step.
    expect(resumed.options.startStep).toBeUndefined();
    expect(SftTrainer.restore(backend, bytes, {}, {}, true).options.startStep).toBe(5);
    backend.dispose();
  }, 120_000);

  it('adds a pointer to a resumed run: saved weights kept, a fresh gate, the schedule restarted, the loss lowered', async () => {
    const backend = await WasmBackend.create({ threads: 1 });
    const plain = SftTrainer.create(backend, tinyConfig(tokenizer.vocabSize), TINY_OPTIONS);
    for (let i = 0; i < 3; i++) await plain.trainStep(tokenizer);
    const bytes = await plain.checkpoint();
    const pointed = SftTrainer.restore(backend, bytes, {}, { pointer: { layer: 0, head: 1 } });
    expect(pointed.config.pointer).toEqual({ layer: 0, head: 1 });
    expect(pointed.options.startStep).toBe(3);
    const saved = await plain.model.tensorAt('model.norm.weight').data();
    expect([...(await pointed.model.tensorAt('model.norm.weight').data())]).toEqual([...saved]);
    expect(pointed.model.tensorAt('model.pointer_gate.bias').requiresGrad).toBe(true);
    // The warm-up restarts: step 3 of the old run is the new schedule's first warm-up step.
    const heldOut = sftBatch(tokenizer, TINY_OPTIONS, 500);
    const lossOn = async () => (await pointed.lossesOn(heldOut, tokenizer.eosId)).loss;
    const before = await lossOn();
    for (let i = 0; i < 4; i++) await pointed.trainStep(tokenizer);
    expect(await lossOn()).toBeLessThan(before);
    // A checkpoint that already has the pointer resumes its own schedule.
    const again = SftTrainer.restore(
      backend,
      await pointed.checkpoint(),
      {},
      { pointer: { layer: 0, head: 1 } },
    );
    expect(again.options.startStep).toBe(3);
    expect(again.step).toBe(7);
    backend.dispose();
  }, 120_000);
});

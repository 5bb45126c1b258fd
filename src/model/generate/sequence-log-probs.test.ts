// Teacher-forced log-probs equal the ones recorded while decoding; padding is masked; gradients reach trainable tensors.
import { describe, expect, it } from 'vitest';
import { ReferenceBackend, Tape, embedding, keep, scope, sum } from '../../webgpu';
import { EMBED_TOKENS } from '../transformer';
import { ids, maxAbsDiff, tinyModel } from '../transformer/test-support';
import { LoraAdapters } from '../lora';
import { generateGroup, groupLogProbs, sequenceLogProbs } from '.';

const PROMPT = [4, 9, 2, 17];

describe('sequenceLogProbs', () => {
  it('reproduces the decode-time log-probs (temperature 1 and the tempered old log-probs) and entropies', async () => {
    const backend = new ReferenceBackend({ poison: true });
    const model = tinyModel(backend);
    const entropies: number[][] = [[], [], []];
    const group = await generateGroup(model, PROMPT, {
      maxNewTokens: 9,
      groupSize: 3,
      stopTokens: [5, 6],
      seed: 11,
      sampling: { temperature: 0.8 },
      onToken: (e) => entropies[e.sequence]?.push(e.entropy),
    });
    const completions = group.sequences.map((s) => s.tokens);
    const longest = Math.max(...completions.map((c) => c.length));
    for (const temperature of [1, 0.8]) {
      const scored = groupLogProbs(model, PROMPT, completions, { temperature });
      const logProbs = await scored.logProbs.data();
      const scoredEntropies = await scored.entropies.data();
      group.sequences.forEach((sequence, g) => {
        const row = logProbs.subarray(g * longest, (g + 1) * longest);
        const expected = temperature === 1 ? sequence.logProbs : sequence.oldLogProbs;
        expect(maxAbsDiff(row.subarray(0, sequence.tokens.length), expected)).toBeLessThan(1e-5);
        expect(Array.from(row.subarray(sequence.tokens.length)).every((v) => v === 0)).toBe(true);
        const entropyRow = scoredEntropies.subarray(g * longest, g * longest + sequence.tokens.length);
        if (temperature === 1) expect(maxAbsDiff(entropyRow, entropies[g] ?? [])).toBeLessThan(1e-5);
        expect(Array.from(scored.mask.subarray(g * longest, (g + 1) * longest))).toEqual(
          Array.from({ length: longest }, (_, t) => (t < sequence.tokens.length ? 1 : 0)),
        );
      });
      scored.logProbs.dispose();
      scored.entropies.dispose();
    }
    model.dispose();
  });

  it('records on a tape: gradients reach a trainable base, and nothing is left behind', async () => {
    const backend = new ReferenceBackend({ poison: true });
    const model = tinyModel(backend);
    model.setTrainable(true);
    const wrt = [...model.namedTensors().values()];
    const before = backend.liveStorageCount();
    const sums = scope(() => {
      const tape = new Tape();
      const loss = tape.record(() => sum(sequenceLogProbs(model, PROMPT, [1, 2, 3]).logProbs));
      return tape.grad(loss, wrt).map((g) => sum(g));
    });
    const values = await Promise.all(sums.map((t) => t.item()));
    for (const t of sums) t.dispose();
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.filter((v) => v !== 0).length).toBeGreaterThan(wrt.length / 2);
    expect(backend.liveStorageCount()).toBe(before);
    model.dispose();
  });

  it('gives the same LoRA gradients with checkpointed layers, keeping fewer tensors alive after the forward', async () => {
    const backend = new ReferenceBackend({ poison: true });
    const model = tinyModel(backend);
    const lora = LoraAdapters.create(
      model,
      { rank: 2, alpha: 4, targets: ['q_proj', 'v_proj', 'down_proj'], baseModelId: 't' },
      1,
    );
    const completions = [
      [1, 2, 3, 4, 5, 6],
      [7, 8],
    ];
    const gradientsWith = async (
      checkpointLayers: boolean,
    ): Promise<{ grads: Float32Array[]; live: number }> => {
      const tape = new Tape();
      const liveBefore = backend.liveStorageCount();
      const loss = tape.record(() =>
        sum(groupLogProbs(model, PROMPT, completions, { adapter: lora, checkpointLayers }).logProbs),
      );
      const live = backend.liveStorageCount() - liveBefore;
      const grads = tape.grad(loss, Object.values(lora.parameters()));
      loss.dispose();
      const values = await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>));
      for (const g of grads) g.dispose();
      return { grads: values, live };
    };
    const plain = await gradientsWith(false);
    const checkpointed = await gradientsWith(true);
    plain.grads.forEach((g, i) => expect(maxAbsDiff(checkpointed.grads[i] ?? [], g)).toBeLessThan(1e-6));
    expect(checkpointed.live).toBeLessThan(plain.live);
    lora.dispose();
    model.dispose();
  });

  it('scores the same with the prompt given as prefix embeddings (the VLM path), even a prefix-only prompt', async () => {
    const backend = new ReferenceBackend({ poison: true });
    const model = tinyModel(backend);
    const completions = [[1, 2, 3], [4]];
    const plain = groupLogProbs(model, PROMPT, completions);
    const expected = await plain.logProbs.data();
    for (const split of [2, PROMPT.length]) {
      const prefix = scope(() =>
        keep(embedding(model.tensorAt(EMBED_TOKENS), ids(model, [PROMPT.slice(0, split)]))),
      );
      const viaPrefix = groupLogProbs(model, PROMPT.slice(split), completions, { prefixEmbeddings: prefix });
      expect(maxAbsDiff(await viaPrefix.logProbs.data(), expected)).toBeLessThan(1e-6);
      viaPrefix.logProbs.dispose();
      viaPrefix.entropies.dispose();
      prefix.dispose();
    }
    plain.logProbs.dispose();
    plain.entropies.dispose();
    model.dispose();
  });
});

// End to end on the reference backend: the real decoder learns a toy copy task, then greedy generation copies.
import { describe, expect, it } from 'vitest';
import { AdamW, ReferenceBackend, Random, crossEntropy, fromArray, scope, valueAndGrad } from '../../webgpu';
import { transformerConfig } from '../transformer';
import { tinyModel } from '../transformer/test-support';
import { generateGroup } from '.';

const BOS = 0;
const SEP = 1;
const SYMBOLS = 8; // ids 2..9
const COPY_LENGTH = 3;
const BATCH = 16;
const STEPS = 40;
const config = transformerConfig({
  vocab: 2 + SYMBOLS,
  dim: 32,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  headDim: 8,
  ffnHidden: 64,
  ropeTheta: 10_000,
  maxPositions: 16,
  tiedEmbeddings: true,
});

function randomWord(rng: Random): number[] {
  return Array.from({ length: COPY_LENGTH }, () => 2 + rng.int(SYMBOLS));
}

/** [BOS, w, SEP, w]; only the copied half is a target (the word itself is unpredictable). */
function copyBatch(rng: Random): { inputs: number[]; targets: number[] } {
  const inputs: number[] = [];
  const targets: number[] = [];
  for (let b = 0; b < BATCH; b++) {
    const word = randomWord(rng);
    const sequence = [BOS, ...word, SEP, ...word];
    inputs.push(...sequence.slice(0, -1));
    targets.push(...sequence.slice(1).map((token, t) => (t >= COPY_LENGTH ? token : -100)));
  }
  return { inputs, targets };
}

describe('training the decoder on a copy task', () => {
  it('loss falls and greedy decoding then copies unseen words', async () => {
    const backend = new ReferenceBackend();
    const model = tinyModel(backend, 3, config, 0.1);
    model.setTrainable(true);
    const params = Object.fromEntries(model.namedTensors());
    const optimizer = new AdamW(params, { lr: 2e-2, weightDecay: 0, maxGradNorm: 1 });
    const rng = new Random(8);
    const width = 2 * COPY_LENGTH + 1;
    const losses: number[] = [];
    const stepMs: number[] = [];
    for (let step = 0; step < STEPS; step++) {
      const started = performance.now();
      const { inputs, targets } = copyBatch(rng);
      const loss = scope(() => {
        const inputIds = fromArray(inputs, [BATCH, width], { backend, dtype: 'i32' });
        const targetIds = fromArray(targets, [BATCH, width], { backend, dtype: 'i32' });
        const { value, grads } = valueAndGrad(
          () => crossEntropy(model.forward({ inputIds }), targetIds),
          optimizer.params,
        );
        optimizer.update(grads);
        return value;
      });
      losses.push(await loss.item());
      loss.dispose();
      stepMs.push(performance.now() - started);
    }
    const median = [...stepMs].sort((a, b) => a - b)[STEPS >> 1] ?? 0;
    const last = losses.slice(-5).reduce((s, l) => s + l, 0) / 5;
    console.info(
      `copy task: loss ${losses[0]?.toFixed(3)} -> ${last.toFixed(3)}, median step ${median.toFixed(1)} ms`,
    );
    expect(last).toBeLessThan(0.25 * (losses[0] ?? 0));

    model.setTrainable(false);
    const testRng = new Random(999);
    let correct = 0;
    const trials = 8;
    for (let trial = 0; trial < trials; trial++) {
      const word = randomWord(testRng);
      const result = await generateGroup(model, [BOS, ...word, SEP], {
        maxNewTokens: COPY_LENGTH,
        sampling: { temperature: 0 },
      });
      if (result.sequences[0]?.tokens.join() === word.join()) correct++;
    }
    expect(correct).toBeGreaterThanOrEqual(trials - 1);
    model.dispose();
  }, 60_000);
});

// The tiny transformer LM learns a toy sequence task with AdamW on the reference backend, without leaking storage.
import { describe, expect, it } from 'vitest';
import { Tape, valueAndGrad } from '../autograd';
import { ReferenceBackend } from '../backends/reference';
import { AdamW } from '../optim/adamw';
import { Random } from '../random';
import { scope } from '../scope';
import type { Tensor } from '../tensor';
import type { TinyConfig } from './tiny-transformer';
import { initTinyLM, tinyLoss } from './tiny-transformer';
import { progressionBatch } from './progression-task';

const config: TinyConfig = { vocab: 16, dim: 32, heads: 4, kvHeads: 2, headDim: 8, hidden: 64, layers: 2 };
const SHAPE = { batch: 8, seq: 12 };

describe('tiny transformer LM on the reference backend', () => {
  it('loss falls below half its initial value in 50 AdamW steps, with no storage growth across steps', async () => {
    const backend = new ReferenceBackend();
    const rng = new Random(7);
    const params = initTinyLM(config, rng, backend);
    const optimizer = new AdamW(params, { lr: 1e-2, weightDecay: 0.01, maxGradNorm: 1 });
    const names = optimizer.names;
    const losses: number[] = [];
    const liveAfterStep: number[] = [];
    const stepTimes: number[] = [];
    for (let step = 0; step < 50; step++) {
      const started = performance.now();
      const { loss, norm } = scope(() => {
        const { ids, targets, positions } = progressionBatch(rng, backend, config, SHAPE);
        const { value, grads } = valueAndGrad(
          () => tinyLoss(params, config, ids, targets, positions),
          names.map((name) => params[name] as Tensor),
        );
        return { loss: value, norm: optimizer.update(grads) };
      });
      stepTimes.push(performance.now() - started);
      losses.push(await loss.item());
      expect(Number.isFinite(await norm!.item())).toBe(true);
      loss.dispose();
      norm?.dispose();
      liveAfterStep.push(backend.liveStorageCount());
    }
    const initial = losses[0] as number;
    const final = losses.slice(-5).reduce((s, v) => s + v, 0) / 5;
    const medianStep = [...stepTimes].sort((a, b) => a - b)[25] as number;
    console.info(
      `tiny LM: loss ${initial.toFixed(3)} -> ${final.toFixed(3)}, median step ${medianStep.toFixed(1)} ms`,
    );
    expect(final).toBeLessThan(0.5 * initial);
    // Parameters + two AdamW moments each: nothing else survives a step.
    expect(liveAfterStep[49]).toBe(liveAfterStep[1]);
    expect(liveAfterStep[49]).toBe(3 * names.length);
  }, 60_000);

  it('checkpointed blocks give the same gradients while keeping fewer activations alive', () => {
    const backend = new ReferenceBackend({ precision: 'f64' });
    const params = initTinyLM(config, new Random(3), backend);
    const wrt = Object.values(params);
    const liveAfterForward: number[] = [];
    const run = (checkpointBlocks: boolean): Float64Array[] =>
      scope(() => {
        const { ids, targets, positions } = progressionBatch(new Random(11), backend, config, SHAPE);
        const tape = new Tape();
        const loss = tape.record(() =>
          tinyLoss(params, config, ids, targets, positions, { checkpointBlocks }),
        );
        liveAfterForward.push(backend.liveStorageCount());
        return tape.grad(loss, wrt).map((g) => backend.peek(g.storage));
      });
    const plain = run(false);
    const recomputed = run(true);
    plain.forEach((g, i) => {
      const other = recomputed[i] as Float64Array;
      g.forEach((value, j) => expect(Math.abs(value - (other[j] as number))).toBeLessThan(1e-10));
    });
    const [plainLive, checkpointedLive] = liveAfterForward as [number, number];
    expect(checkpointedLive).toBeLessThan(0.6 * plainLive);
  });
});

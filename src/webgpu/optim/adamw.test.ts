// AdamW against a hand-computed two-step example, global-norm clipping, and state export/import.
import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../backends/reference';
import { fromArray, parameter } from '../creation';
import type { Tensor } from '../tensor';
import { AdamW } from './adamw';
import { clipGradNorm } from './clip';

const backend = new ReferenceBackend({ precision: 'f64' });
const values = (t: Tensor): number[] => Array.from(backend.peek(t.storage));

/** One AdamW step for a single scalar, written out longhand. */
function handStep(
  p: number,
  g: number,
  m: number,
  v: number,
  t: number,
  lr: number,
  wd: number,
): [number, number, number] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const m1 = b1 * m + (1 - b1) * g;
  const v1 = b2 * v + (1 - b2) * g * g;
  const mHat = m1 / (1 - b1 ** t);
  const vHat = v1 / (1 - b2 ** t);
  return [p - lr * wd * p - (lr * mHat) / (Math.sqrt(vHat) + eps), m1, v1];
}

describe('AdamW', () => {
  it('matches two hand-computed steps with decoupled weight decay and bias correction', () => {
    const w = parameter(fromArray([1, -2], [2], { backend }));
    const optimizer = new AdamW({ w }, { lr: 0.1, weightDecay: 0.5 });
    const grads = [
      [0.5, -1],
      [-0.25, 3],
    ];
    let expected: [number, number, number][] = [
      [1, 0, 0],
      [-2, 0, 0],
    ];
    grads.forEach((g, step) => {
      optimizer.update([fromArray(g, [2], { backend })]);
      expected = expected.map(([p, m, v], i) => handStep(p, g[i]!, m, v, step + 1, 0.1, 0.5));
      values(w).forEach((actual, i) => expect(actual).toBeCloseTo(expected[i]![0], 12));
    });
    // First step: mHat / sqrt(vHat) = sign(g), so p = 1 - 0.05 - 0.1 = 0.85 exactly (up to eps).
    expect(optimizer.step).toBe(2);
  });

  it('clips the global gradient norm (and fuses the same factor into the update)', async () => {
    const a = fromArray([3, 0], [2], { backend });
    const b = fromArray([4], [1], { backend });
    const { grads, norm } = clipGradNorm([a, b], 1);
    expect(await norm.item()).toBeCloseTo(5, 12);
    expect([...values(grads[0]!), ...values(grads[1]!)].map((v) => v * 5)).toEqual(
      [3, 0, 4].map((v) => expect.closeTo(v, 5) as unknown as number),
    );
    const untouched = clipGradNorm([a, b], 10).grads;
    expect(values(untouched[0]!)).toEqual([3, 0]);

    // With clipping, AdamW's first step is still sign(g)*lr (Adam is scale-invariant), but the moments shrink.
    const w = parameter(fromArray([0, 0, 0], [3], { backend }));
    const optimizer = new AdamW({ w }, { lr: 0.1, weightDecay: 0, maxGradNorm: 1 });
    const reported = optimizer.update([fromArray([3, 0, 4], [3], { backend })]);
    expect(await reported!.item()).toBeCloseTo(5, 12);
    const state = await optimizer.exportState();
    expect(Array.from(state.tensors['m.w']!)).toEqual(
      [0.1 * 0.6, 0, 0.1 * 0.8].map((v) => expect.closeTo(v, 7) as unknown as number),
    );
  });

  it('exports and imports its state so training resumes identically', async () => {
    // f32 storage, as in the app: the exported Float32Arrays are then exact copies of the moments.
    const backend = new ReferenceBackend();
    const values = (t: Tensor): number[] => Array.from(backend.peek(t.storage));
    const run = async (split: boolean): Promise<number[]> => {
      const w = parameter(fromArray([1, 2, 3], [3], { backend }));
      let optimizer = new AdamW({ w }, { lr: 0.05 });
      const gradAt = (step: number): Tensor => fromArray([step, -1, 0.5 * step], [3], { backend });
      for (let step = 1; step <= 4; step++) {
        if (split && step === 3) {
          const state = await optimizer.exportState();
          optimizer.dispose();
          optimizer = new AdamW({ w }, { lr: 0.05 });
          optimizer.importState(state);
        }
        optimizer.update([gradAt(step)]);
      }
      return values(w);
    };
    expect(await run(true)).toEqual(await run(false));
  });
});

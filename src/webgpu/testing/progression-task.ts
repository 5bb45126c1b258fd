// The toy task the engine's training tests share: arithmetic progressions mod vocab, and the tiny LM's loss and gradients on it.
import { valueAndGrad } from '../autograd';
import type { Backend } from '../backend';
import { fromArray } from '../creation';
import { Random } from '../random';
import { scope } from '../scope';
import type { Tensor } from '../tensor';
import { initTinyLM, tinyLoss, type TinyConfig } from './tiny-transformer';

export interface TaskShape {
  batch: number;
  seq: number;
}

/** Progressions with a random start and a step in {1, 2, 3}: the step must be read from context. */
export function progressionBatch(
  rng: Random,
  backend: Backend,
  config: TinyConfig,
  { batch, seq }: TaskShape,
): { ids: Tensor; targets: Tensor; positions: Tensor } {
  const ids: number[] = [];
  const targets: number[] = [];
  for (let b = 0; b < batch; b++) {
    const start = rng.int(config.vocab);
    const step = 1 + rng.int(3);
    const sequence = Array.from({ length: seq + 1 }, (_, t) => (start + t * step) % config.vocab);
    ids.push(...sequence.slice(0, seq));
    // The first target cannot be predicted from one token: ignore it, as a prompt position would be.
    targets.push(-100, ...sequence.slice(2));
  }
  return {
    ids: fromArray(ids, [batch, seq], { backend, dtype: 'i32' }),
    targets: fromArray(targets, [batch, seq], { backend, dtype: 'i32' }),
    positions: fromArray(
      Array.from({ length: seq }, (_, t) => t),
      [seq],
      { backend, dtype: 'i32' },
    ),
  };
}

/** Loss and every parameter gradient of the tiny LM with seeded parameters and batch, read back to the host. */
export async function tinyLossAndGrads(
  backend: Backend,
  config: TinyConfig,
  shape: TaskShape,
): Promise<{ loss: number; grads: Float32Array[] }> {
  const params = initTinyLM(config, new Random(3), backend);
  const wrt = Object.values(params);
  const { value, grads } = scope(() => {
    const { ids, targets, positions } = progressionBatch(new Random(11), backend, config, shape);
    return valueAndGrad(() => tinyLoss(params, config, ids, targets, positions), wrt);
  });
  const host = await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>));
  const loss = await value.item();
  [value, ...grads, ...wrt].forEach((t) => t.dispose());
  return { loss, grads: host };
}

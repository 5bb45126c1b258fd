// One full training step (forward, backward, AdamW) of the nano decoder on each engine backend.
import { AdamW } from '../../../src/webgpu/optim/adamw';
import { valueAndGrad } from '../../../src/webgpu/autograd';
import { fromArray } from '../../../src/webgpu/creation';
import { crossEntropy } from '../../../src/webgpu/ops/loss';
import { Random } from '../../../src/webgpu/random';
import { scope } from '../../../src/webgpu/scope';
import type { Backend } from '../../../src/webgpu/backend';
import type { EngineBackends } from './backends';
import { NANO_CONFIG, nanoModel, projectionFlops } from './model';
import { rowOf, type EngineRow } from './results';
import { timeSteps } from './timing';

export interface TrainingShape {
  batch: number;
  tokens: number;
}

/** ms of one step: forward + backward of every weight (full fine-tuning) + AdamW with clipping, loss read back. */
async function stepTime(
  backend: Backend,
  shape: TrainingShape,
  runs: number,
  warmup: number,
): Promise<number> {
  const model = nanoModel(backend);
  model.setTrainable(true);
  const params = Object.fromEntries(model.namedTensors());
  const optimizer = new AdamW(params, { lr: 1e-3, maxGradNorm: 1 });
  const wrt = optimizer.params;
  const rng = new Random(5);
  const { batch, tokens } = shape;
  const ids = Array.from({ length: batch * (tokens + 1) }, () => rng.int(NANO_CONFIG.vocab));
  const inputs = ids.filter((_, i) => i % (tokens + 1) !== tokens);
  const targets = ids.filter((_, i) => i % (tokens + 1) !== 0);
  const ms = await timeSteps({
    setup: () => undefined,
    run: async () => {
      const loss = scope(() => {
        const x = fromArray(inputs, [batch, tokens], { backend, dtype: 'i32' });
        const y = fromArray(targets, [batch, tokens], { backend, dtype: 'i32' });
        const { value, grads } = valueAndGrad(() => crossEntropy(model.forward({ inputIds: x }), y), wrt);
        optimizer.update(grads)?.dispose();
        return value;
      });
      await loss.item();
      loss.dispose();
    },
    runs,
    warmup,
  });
  optimizer.dispose();
  model.dispose();
  return ms;
}

export async function benchTraining(
  backends: EngineBackends,
  shape: TrainingShape,
  runs: number,
): Promise<EngineRow> {
  const ms = new Map<string, number>();
  for (const { name, backend } of backends.list) {
    // The reference takes tens of seconds per step: one untimed-free run is enough to rank it.
    const slow = name === 'reference';
    ms.set(name, await stepTime(backend, shape, slow ? 1 : runs, slow ? 0 : 1));
    console.error(`  training step ${name}: ${ms.get(name)?.toFixed(0)} ms`);
  }
  const tokens = shape.batch * shape.tokens;
  const label = `nano decoder step, ${shape.batch}×${shape.tokens} tokens`;
  // Backward is two matmuls per forward matmul: ~3× the forward projection flops.
  return rowOf('training', label, 3 * projectionFlops(NANO_CONFIG, tokens), ms);
}

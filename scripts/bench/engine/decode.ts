// One batched decode step of the nano decoder (a GRPO group over a shared prefilled KV cache) on each engine backend.
import { KvCache } from '../../../src/model/generate';
import type { Transformer } from '../../../src/model/transformer';
import type { Backend } from '../../../src/webgpu/backend';
import { fromArray } from '../../../src/webgpu/creation';
import { Random } from '../../../src/webgpu/random';
import type { EngineBackends } from './backends';
import { NANO_CONFIG, nanoModel, projectionFlops } from './model';
import { rowOf, type EngineRow } from './results';
import { timeSteps } from './timing';

export interface DecodeShape {
  group: number;
  cached: number;
}

/** Prefills `cached` prompt tokens once at batch 1 (as generateGroup does) into a cache to expand per run. */
function prefill(model: Transformer, backend: Backend, cached: number): KvCache {
  const rng = new Random(9);
  const cache = KvCache.forModel(NANO_CONFIG);
  const ids = Array.from({ length: cached }, () => rng.int(NANO_CONFIG.vocab));
  const inputIds = fromArray(ids, [1, cached], { backend, dtype: 'i32' });
  model.forward({ inputIds, cache, logitsFrom: cached - 1 }).dispose();
  inputIds.dispose();
  return cache;
}

/** ms of one step: the group's next tokens through every layer with the cache, logits read back for sampling. */
async function stepTime(backend: Backend, shape: DecodeShape, runs: number): Promise<number> {
  const model = nanoModel(backend);
  const prompt = prefill(model, backend, shape.cached);
  const tokens = Array.from({ length: shape.group }, (_, i) => (i * 37) % NANO_CONFIG.vocab);
  const ms = await timeSteps({
    setup: () => prompt.expand(shape.group),
    run: async (cache) => {
      const inputIds = fromArray(tokens, [shape.group, 1], { backend, dtype: 'i32' });
      const logits = model.forward({ inputIds, cache });
      await logits.data();
      logits.dispose();
      inputIds.dispose();
    },
    cleanup: (cache) => cache.dispose(),
    runs,
    warmup: 2,
  });
  prompt.dispose();
  model.dispose();
  return ms;
}

export async function benchDecode(
  backends: EngineBackends,
  shape: DecodeShape,
  runs: number,
): Promise<EngineRow> {
  const ms = new Map<string, number>();
  for (const { name, backend } of backends.list) ms.set(name, await stepTime(backend, shape, runs));
  const label = `decode step, group ${shape.group}, KV cache ${shape.cached}`;
  return rowOf('decode', label, projectionFlops(NANO_CONFIG, shape.group), ms);
}

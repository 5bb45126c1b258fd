// LoRA adapters: A [rank, in] and B [out, rank] per target projection, added to the base output as a ProjectionAdapter.
import { Random, fromArray, linear, parameter, scale, uniform, zeros } from '../../webgpu';
import type { Tensor } from '../../webgpu';
import { projectionOfPath } from '../transformer';
import type { ProjectionAdapter, Transformer } from '../transformer';
import type { LoraConfig } from './config';
import { loraScale, validateLoraConfig } from './config';
import { LoraError } from './errors';

export interface LoraPair {
  /** [rank, inFeatures]: the down projection. */
  a: Tensor;
  /** [outFeatures, rank]: the up projection, zero at init so a fresh adapter leaves the model unchanged. */
  b: Tensor;
}

/** PEFT's tensor names, so adapters interoperate with Hugging Face tooling. */
export function loraTensorName(path: string, which: 'A' | 'B'): string {
  return `base_model.model.${path}.lora_${which}.weight`;
}

export class LoraAdapters implements ProjectionAdapter {
  readonly scale: number;

  /** Takes ownership of the pairs (by module path); they become trainable parameters. */
  constructor(
    readonly config: LoraConfig,
    readonly pairs: ReadonlyMap<string, LoraPair>,
  ) {
    validateLoraConfig(config);
    this.scale = loraScale(config);
    for (const pair of pairs.values()) {
      parameter(pair.a);
      parameter(pair.b);
    }
  }

  /**
   * Fresh adapters for every target projection of `model`: A ~ U(−1/√in, 1/√in) (PEFT's Kaiming-uniform with
   * a = √5), B = 0. The same seed gives the same adapters on every backend.
   */
  static create(model: Transformer, config: LoraConfig, seed: number | Random): LoraAdapters {
    validateLoraConfig(config);
    const rng = seed instanceof Random ? seed : new Random(seed);
    const backend = model.backend;
    const pairs = new Map<string, LoraPair>();
    for (const path of model.linearPaths) {
      const projection = projectionOfPath(path);
      if (projection === null || !config.targets.includes(projection)) continue;
      const { inFeatures, outFeatures } = model.linearAt(path);
      const bound = 1 / Math.sqrt(inFeatures);
      pairs.set(path, {
        a: uniform([config.rank, inFeatures], { backend, rng, low: -bound, high: bound }),
        b: zeros([outFeatures, config.rank], { backend }),
      });
    }
    return new LoraAdapters(config, pairs);
  }

  /** Adapters with given values (loading, tests); `values` maps loraTensorName(...) to row-major data. */
  static fromValues(
    model: Transformer,
    config: LoraConfig,
    values: ReadonlyMap<string, ArrayLike<number>>,
  ): LoraAdapters {
    const template = LoraAdapters.create(model, config, 0);
    const pairs = new Map<string, LoraPair>();
    try {
      for (const [path, pair] of template.pairs) {
        const load = (which: 'A' | 'B', like: Tensor): Tensor => {
          const name = loraTensorName(path, which);
          const data = values.get(name);
          if (!data) throw new LoraError('shape-mismatch', `${name} is missing`);
          if (data.length !== like.size) {
            throw new LoraError(
              'shape-mismatch',
              `${name} has ${data.length} values, the model needs ${like.size}`,
            );
          }
          return fromArray(data, like.shape, { backend: model.backend });
        };
        pairs.set(path, { a: load('A', pair.a), b: load('B', pair.b) });
      }
    } catch (error) {
      for (const pair of pairs.values()) disposePair(pair);
      throw error;
    } finally {
      template.dispose();
    }
    return new LoraAdapters(config, pairs);
  }

  delta(path: string, x: Tensor): Tensor | null {
    const pair = this.pairs.get(path);
    if (!pair) return null;
    // Scaling the rank-wide intermediate is cheaper than scaling the output.
    return linear(scale(linear(x, pair.a), this.scale), pair.b);
  }

  /** The trainable tensors by PEFT name, A then B per projection in layer order (what AdamW takes). */
  parameters(): Record<string, Tensor> {
    const named: Record<string, Tensor> = {};
    for (const [path, pair] of this.pairs) {
      named[loraTensorName(path, 'A')] = pair.a;
      named[loraTensorName(path, 'B')] = pair.b;
    }
    return named;
  }

  dispose(): void {
    for (const pair of this.pairs.values()) disposePair(pair);
  }
}

function disposePair(pair: LoraPair): void {
  pair.a.dispose();
  pair.b.dispose();
}

// Seeded initialisation of a fresh decoder: normal(0, std) matrices (HF initializer_range), zero biases, unit norms.
import { Random, full, keep, randn } from '../../webgpu';
import type { Backend, Tensor } from '../../webgpu';
import type { TransformerConfig } from './config';
import { expectedWeights } from './names';

export interface InitOptions {
  backend: Backend;
  /** A seed or a generator to draw from (advanced). */
  rng: Random | number;
  /** Standard deviation of the matrices; 0.02 as Qwen2's initializer_range. */
  std?: number;
}

function isNormOrBias(name: string, shape: readonly number[]): boolean {
  return shape.length === 1 && !name.endsWith('.bias');
}

/** Every weight of `expectedWeights(config)`, kept out of scopes, frozen (requiresGrad false). */
export function initTransformerWeights(config: TransformerConfig, options: InitOptions): Map<string, Tensor> {
  const rng = options.rng instanceof Random ? options.rng : new Random(options.rng);
  const std = options.std ?? 0.02;
  const { backend } = options;
  const weights = new Map<string, Tensor>();
  for (const [name, shape] of expectedWeights(config)) {
    let tensor: Tensor;
    if (isNormOrBias(name, shape)) tensor = full(shape, 1, { backend });
    else if (shape.length === 1) tensor = full(shape, 0, { backend });
    else tensor = randn(shape, { backend, rng, std });
    weights.set(name, keep(tensor));
  }
  return weights;
}

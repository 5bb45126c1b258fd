// The nano-policy-sized decoder the training and decode figures use, built on a given backend from one seed.
import { transformerConfig, initTransformerWeights, Transformer } from '../../../src/model/transformer';
import type { TransformerConfig } from '../../../src/model/transformer';
import type { Backend } from '../../../src/webgpu/backend';

export const NANO_CONFIG: TransformerConfig = transformerConfig({
  ...{ vocab: 1024, dim: 192, layers: 4, heads: 6, kvHeads: 2, headDim: 32, ffnHidden: 512 },
  maxPositions: 512,
});

export function nanoModel(backend: Backend, config: TransformerConfig = NANO_CONFIG): Transformer {
  return new Transformer(config, initTransformerWeights(config, { backend, rng: 1 }));
}

/** Flops of the decoder's matmuls for `tokens` tokens (projections, MLP, LM head; attention excluded). */
export function projectionFlops(config: TransformerConfig, tokens: number): number {
  const { dim, heads, kvHeads, headDim, ffnHidden, vocab, layers } = config;
  const perLayer = dim * (heads + 2 * kvHeads) * headDim + heads * headDim * dim + 3 * dim * ffnHidden;
  return 2 * tokens * (layers * perLayer + dim * vocab);
}

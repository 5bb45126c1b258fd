// Test helpers shared by the model tests: a tiny Qwen2-style config, a seeded model, host reads of logits.
import { fromArray, scope } from '../../webgpu';
import type { Backend, Tensor } from '../../webgpu';
import type { TransformerConfig } from './config';
import { transformerConfig } from './config';
import { initTransformerWeights } from './init';
import { Transformer } from './transformer';
import type { ForwardInput } from './types';

export const TINY_CONFIG: TransformerConfig = transformerConfig({
  vocab: 24,
  dim: 32,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  headDim: 8,
  ffnHidden: 48,
  ropeTheta: 10_000,
  maxPositions: 64,
  tiedEmbeddings: false,
});

/** A seeded model; std 0.2 gives peaked, token-dependent logits (0.02 would make every step nearly uniform). */
export function tinyModel(
  backend: Backend,
  seed = 1,
  config: TransformerConfig = TINY_CONFIG,
  std = 0.2,
): Transformer {
  return new Transformer(config, initTransformerWeights(config, { backend, rng: seed, std }));
}

export function ids(model: Transformer, rows: readonly (readonly number[])[]): Tensor {
  return fromArray(rows.flat(), [rows.length, rows[0]?.length ?? 0], {
    backend: model.backend,
    dtype: 'i32',
  });
}

/** Logits of a forward as a host array (the tensors are freed). */
export async function hostLogits(model: Transformer, input: () => ForwardInput): Promise<Float32Array> {
  const logits = scope(() => model.forward(input()));
  try {
    return (await logits.data()) as Float32Array;
  } finally {
    logits.dispose();
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return worst;
}

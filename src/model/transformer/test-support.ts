// Test helpers shared by the model tests: a tiny Qwen2-style config, a seeded model, host reads of logits.
import { Tape, crossEntropy, fromArray, keep, reshape, scope } from '../../webgpu';
import type { Backend, Tensor } from '../../webgpu';
import type { TransformerConfig } from './config';
import { transformerConfig } from './config';
import { initTransformerWeights } from './init';
import { Transformer } from './transformer';
import type { AttentionCache, ForwardInput } from './types';

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

/** Chunks of 5, 1 and 2 tokens every cache test feeds: a prefill, one decode step, a short continuation. */
const CHUNKS = [
  [0, 5],
  [5, 6],
  [6, 8],
] as const;

/** The logits of each chunk of `rows` (8 tokens each) fed through `cache` in turn, in feeding order. */
export async function cachedChunks(
  model: Transformer,
  rows: readonly (readonly number[])[],
  cache: AttentionCache,
): Promise<Float32Array[]> {
  const parts: Float32Array[] = [];
  for (const [from, to] of CHUNKS) {
    const inputIds = (): Tensor =>
      ids(
        model,
        rows.map((r) => r.slice(from, to)),
      );
    parts.push(await hostLogits(model, () => ({ inputIds: inputIds(), cache })));
  }
  return parts;
}

/** The tiny decoder with every optional part on: token shift, and pointer decoding on a head of the last layer. */
export const POINTER_CONFIG: TransformerConfig = transformerConfig({
  ...TINY_CONFIG,
  tokenShift: 2,
  pointer: { layer: 1, head: 3 },
});

export interface BackendRun {
  /** Forward of two sequences, [2, 8, vocab]. */
  logProbs: Float32Array;
  /** The same through the KV cache, fed 5 then 1 then 2 tokens (rows concatenated in order). */
  cached: Float32Array[];
  /** Gradient of the mean cross-entropy with respect to every weight, by name. */
  grads: Map<string, Float32Array>;
}

/**
 * One seeded POINTER_CONFIG model on `backend`: full forward, chunked cached forward and weight gradients, for
 * cross-backend parity (the reference backend is the truth).
 */
export async function pointerRun(
  backend: Backend,
  cacheFor: (batch: number) => AttentionCache & { dispose(): void },
): Promise<BackendRun> {
  const rows = [
    [3, 7, 1, 12, 5, 9, 3, 20],
    [4, 4, 19, 2, 7, 4, 11, 0],
  ];
  const model = tinyModel(backend, 7, POINTER_CONFIG);
  model.setTrainable(true);
  const logProbs = await hostLogits(model, () => ({ inputIds: ids(model, rows) }));
  const cache = cacheFor(2);
  const cached = await cachedChunks(model, rows, cache);
  cache.dispose();
  const weights = model.namedTensors();
  const names = [...weights.keys()];
  const grads = new Map<string, Float32Array>();
  const values = scope(() => {
    const tape = new Tape();
    const loss = tape.record(() =>
      crossEntropy(
        reshape(model.forward({ inputIds: ids(model, rows) }), [16, POINTER_CONFIG.vocab]),
        fromArray([...rows[0]!.slice(1), 0, ...rows[1]!.slice(1), 0], [16], { backend, dtype: 'i32' }),
      ),
    );
    return tape
      .grad(
        loss,
        names.map((n) => weights.get(n) as Tensor),
      )
      .map((g) => keep(g));
  });
  for (const [i, g] of values.entries()) {
    grads.set(names[i] as string, (await g.data()) as Float32Array);
    g.dispose();
  }
  model.dispose();
  return { logProbs, cached, grads };
}

/** Largest |a − b| / (1e-3 + max |b|) over the gradients of every weight. */
export function worstGradError(got: Map<string, Float32Array>, want: Map<string, Float32Array>): number {
  let worst = 0;
  for (const [name, ref] of want) {
    const scale = Math.max(...ref.map(Math.abs));
    worst = Math.max(worst, maxAbsDiff(got.get(name) ?? [], ref) / (1e-3 + scale));
  }
  return worst;
}

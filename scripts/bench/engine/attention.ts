// Fused causal GQA attention forward through the Backend API on each engine backend.
import type { AttentionSpec } from '../../../src/webgpu/backend';
import { Random } from '../../../src/webgpu/random';
import { timeInterleaved, type Contender } from '../harness';
import type { EngineBackends } from './backends';
import { rowOf, type EngineRow } from './results';

export interface AttentionShape {
  batch: number;
  tokens: number;
  heads: number;
  kvHeads: number;
  headDim: number;
}

export const ATTENTION_SHAPE: AttentionShape = { batch: 1, tokens: 256, heads: 6, kvHeads: 2, headDim: 32 };

/** Scores and the weighted sum over the causal pairs only: 4·d flops per (head, query, visible key). */
function attentionFlops(s: AttentionShape): number {
  return 4 * s.headDim * s.batch * s.heads * ((s.tokens * (s.tokens + 1)) / 2);
}

export async function benchAttention(
  backends: EngineBackends,
  shape: AttentionShape,
  runs: number,
): Promise<EngineRow> {
  const { batch, tokens, heads, kvHeads, headDim } = shape;
  const spec: AttentionSpec = {
    ...{ batch, tq: tokens, tk: tokens, kvRows: tokens, hq: heads, hkv: kvHeads, d: headDim },
    ...{ scale: 1 / Math.sqrt(headDim), causal: true, queryOffset: 0, maskBatch: 1, maskHeads: 1 },
  };
  const rng = new Random(3);
  const q = Float32Array.from(rng.normals(batch * tokens * heads * headDim));
  const kv = Float32Array.from(rng.normals(batch * tokens * kvHeads * headDim));
  const cleanups: (() => void)[] = [];
  const contenders: Contender[] = backends.list.map(({ name, backend }) => {
    const [qs, ks, vs] = [q, kv, kv].map((values) => backend.upload(values, 'f32'));
    if (!qs || !ks || !vs) throw new Error('upload failed');
    cleanups.push(() => [qs, ks, vs].forEach((s) => backend.free(s)));
    return {
      name,
      run: () => {
        const { out, logSumExp } = backend.attention(qs, ks, vs, null, spec);
        backend.free(out);
        backend.free(logSumExp);
      },
    };
  });
  const ms = await timeInterleaved(contenders, runs);
  cleanups.forEach((free) => free());
  const label = `${batch}×${tokens} tokens, ${heads}/${kvHeads} heads × ${headDim}, causal`;
  return rowOf('attention', label, attentionFlops(shape), ms);
}

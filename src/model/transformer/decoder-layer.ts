// One Qwen2 decoder layer: x + attn(RMSNorm(x)) with RoPE, GQA and the KV cache, then + SwiGLU(RMSNorm(.)).
import { add, attention, reshape, rmsNorm, rope, swiglu } from '../../webgpu';
import type { Tensor } from '../../webgpu';
import type { TransformerConfig } from './config';
import { ropeSectionsOf } from './config';
import type { Linear } from './linear';
import type { ProjectionName } from './names';
import { inputNormName, postAttentionNormName, projectionPath } from './names';
import type { PointerLook } from './pointer';
import type { AttentionCache, ProjectionAdapter } from './types';

/** What a layer needs besides its input: weights by name, positions, and the optional cache and adapter. */
export interface LayerContext {
  config: TransformerConfig;
  layer: number;
  linearAt: (path: string) => Linear;
  tensorAt: (name: string) => Tensor;
  /** i32 [sections, batch, total]. */
  positions: Tensor;
  cache?: AttentionCache;
  adapter?: ProjectionAdapter;
  attentionTap?: (layer: number, q: Tensor, k: Tensor) => void;
  /** Given only to the pointer layer: sees its queries and every key so far (after the cache). */
  pointerTap?: (look: PointerLook) => void;
}

/** base(x) + adapter delta, the single place where LoRA touches the forward pass. */
export function applyProjection(
  linear: Linear,
  path: string,
  x: Tensor,
  adapter: ProjectionAdapter | undefined,
): Tensor {
  const base = linear.apply(x);
  const delta = adapter?.delta(path, x) ?? null;
  if (!delta) return base;
  return add(base, delta);
}

function project(ctx: LayerContext, projection: ProjectionName, x: Tensor): Tensor {
  const path = projectionPath(ctx.layer, projection);
  return applyProjection(ctx.linearAt(path), path, x, ctx.adapter);
}

/** [batch, seq, heads·headDim] → [batch, seq, heads, headDim], the attention kernel's layout (no transposes). */
function splitHeads(x: Tensor, heads: number, headDim: number): Tensor {
  const [batch, seq] = x.shape as [number, number];
  return reshape(x, [batch, seq, heads, headDim]);
}

function selfAttention(ctx: LayerContext, h: Tensor): Tensor {
  const { heads, kvHeads, headDim, ropeTheta } = ctx.config;
  const ropeOptions = { theta: ropeTheta, sections: ropeSectionsOf(ctx.config) };
  const q = rope(splitHeads(project(ctx, 'q_proj', h), heads, headDim), ctx.positions, ropeOptions);
  let k = rope(splitHeads(project(ctx, 'k_proj', h), kvHeads, headDim), ctx.positions, ropeOptions);
  let v = splitHeads(project(ctx, 'v_proj', h), kvHeads, headDim);
  ctx.attentionTap?.(ctx.layer, q, k);
  let kvLength: number | undefined;
  if (ctx.cache) ({ keys: k, values: v, length: kvLength } = ctx.cache.extend(ctx.layer, k, v));
  ctx.pointerTap?.({ q, keys: k, keyCount: kvLength ?? (k.shape[1] as number) });
  // Queries are the newest tokens: the default queryOffset (kvLength − tq) places them after the cached keys.
  const attended = attention(q, k, v, { causal: true, kvLength });
  const [batch, seq] = h.shape as [number, number];
  return project(ctx, 'o_proj', reshape(attended, [batch, seq, heads * headDim]));
}

function mlp(ctx: LayerContext, h: Tensor): Tensor {
  return project(ctx, 'down_proj', swiglu(project(ctx, 'gate_proj', h), project(ctx, 'up_proj', h)));
}

/** Pre-norm residual block; intermediates are left to the caller's scope. */
export function decoderLayer(ctx: LayerContext, x: Tensor): Tensor {
  const eps = ctx.config.rmsNormEps;
  const afterAttention = add(x, selfAttention(ctx, rmsNorm(x, ctx.tensorAt(inputNormName(ctx.layer)), eps)));
  const normed = rmsNorm(afterAttention, ctx.tensorAt(postAttentionNormName(ctx.layer)), eps);
  return add(afterAttention, mlp(ctx, normed));
}

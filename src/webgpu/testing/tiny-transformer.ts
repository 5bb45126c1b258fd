// A tiny decoder-only LM (embedding, [RMSNorm, GQA attention with RoPE, RMSNorm, SwiGLU] x N, LM head) for tests.
import type { Backend } from '../backend';
import { checkpoint } from '../checkpoint';
import { parameter, randn, full } from '../creation';
import { add, swiglu } from '../ops/elementwise';
import { embedding } from '../ops/embedding';
import { crossEntropy } from '../ops/loss';
import { linear } from '../ops/matmul';
import { rmsNorm } from '../ops/norm';
import { rope } from '../ops/rope';
import { attention } from '../ops/attention';
import { reshape } from '../ops/shape';
import type { Random } from '../random';
import type { Tensor } from '../tensor';

export interface TinyConfig {
  vocab: number;
  dim: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  hidden: number;
  layers: number;
}

export type TinyParams = Record<string, Tensor>;

/** Parameters named like Hugging Face Llama/Qwen2 checkpoints, scaled 0.02 (embeddings) and 1/sqrt(fan-in). */
export function initTinyLM(config: TinyConfig, rng: Random, backend: Backend): TinyParams {
  const { vocab, dim, heads, kvHeads, headDim, hidden } = config;
  const weight = (rows: number, cols: number): Tensor =>
    parameter(randn([rows, cols], { backend, rng, std: 1 / Math.sqrt(cols) }));
  const params: TinyParams = {
    'embed_tokens.weight': parameter(randn([vocab, dim], { backend, rng, std: 0.5 })),
    'norm.weight': parameter(full([dim], 1, { backend })),
    'lm_head.weight': weight(vocab, dim),
  };
  for (let l = 0; l < config.layers; l++) {
    const p = `layers.${l}.`;
    params[`${p}input_layernorm.weight`] = parameter(full([dim], 1, { backend }));
    params[`${p}self_attn.q_proj.weight`] = weight(heads * headDim, dim);
    params[`${p}self_attn.k_proj.weight`] = weight(kvHeads * headDim, dim);
    params[`${p}self_attn.v_proj.weight`] = weight(kvHeads * headDim, dim);
    params[`${p}self_attn.o_proj.weight`] = weight(dim, heads * headDim);
    params[`${p}post_attention_layernorm.weight`] = parameter(full([dim], 1, { backend }));
    params[`${p}mlp.gate_proj.weight`] = weight(hidden, dim);
    params[`${p}mlp.up_proj.weight`] = weight(hidden, dim);
    params[`${p}mlp.down_proj.weight`] = weight(dim, hidden);
  }
  return params;
}

function param(params: TinyParams, name: string): Tensor {
  const tensor = params[name];
  if (!tensor) throw new Error(`missing parameter ${name}`);
  return tensor;
}

/** One pre-norm block: x + attn(norm(x)), then + mlp(norm(.)). */
function block(params: TinyParams, config: TinyConfig, layer: number, x: Tensor, positions: Tensor): Tensor {
  const p = (name: string): Tensor => param(params, `layers.${layer}.${name}`);
  const [batch, seq] = x.shape as [number, number];
  const h = rmsNorm(x, p('input_layernorm.weight'));
  const q = rope(
    reshape(linear(h, p('self_attn.q_proj.weight')), [batch, seq, config.heads, config.headDim]),
    positions,
  );
  const k = rope(
    reshape(linear(h, p('self_attn.k_proj.weight')), [batch, seq, config.kvHeads, config.headDim]),
    positions,
  );
  const v = reshape(linear(h, p('self_attn.v_proj.weight')), [batch, seq, config.kvHeads, config.headDim]);
  const attended = reshape(attention(q, k, v, { causal: true }), [batch, seq, config.heads * config.headDim]);
  const afterAttention = add(x, linear(attended, p('self_attn.o_proj.weight')));
  const h2 = rmsNorm(afterAttention, p('post_attention_layernorm.weight'));
  const gated = swiglu(linear(h2, p('mlp.gate_proj.weight')), linear(h2, p('mlp.up_proj.weight')));
  return add(afterAttention, linear(gated, p('mlp.down_proj.weight')));
}

export interface ForwardOptions {
  /** Wrap each block in `checkpoint` (recompute in backward instead of keeping activations). */
  checkpointBlocks?: boolean;
}

/** Logits [batch, seq, vocab] for ids [batch, seq]; run inside a scope or a tape's record. */
export function tinyLogits(
  params: TinyParams,
  config: TinyConfig,
  ids: Tensor,
  positions: Tensor,
  options: ForwardOptions = {},
): Tensor {
  let x = embedding(param(params, 'embed_tokens.weight'), ids);
  for (let l = 0; l < config.layers; l++) {
    x = options.checkpointBlocks
      ? (checkpoint((input) => [block(params, config, l, input, positions)], [x])[0] as Tensor)
      : block(params, config, l, x, positions);
  }
  return linear(rmsNorm(x, param(params, 'norm.weight')), param(params, 'lm_head.weight'));
}

/** Mean next-token cross-entropy. */
export function tinyLoss(
  params: TinyParams,
  config: TinyConfig,
  ids: Tensor,
  targets: Tensor,
  positions: Tensor,
  options: ForwardOptions = {},
): Tensor {
  return crossEntropy(tinyLogits(params, config, ids, positions, options), targets);
}

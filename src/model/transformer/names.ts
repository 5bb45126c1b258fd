// Hugging Face Qwen2 parameter and module names, so weights load from and save to the usual checkpoints.
import type { TransformerConfig } from './config';

export const EMBED_TOKENS = 'model.embed_tokens.weight';
export const FINAL_NORM = 'model.norm.weight';
export const LM_HEAD = 'lm_head';
/** The pointer's gate: weight [1, dim] and bias [1] on the final hidden state (configs with a pointer only). */
export const POINTER_GATE = 'model.pointer_gate';

export const ATTENTION_PROJECTIONS = ['q_proj', 'k_proj', 'v_proj', 'o_proj'] as const;
export const MLP_PROJECTIONS = ['gate_proj', 'up_proj', 'down_proj'] as const;
export type ProjectionName = (typeof ATTENTION_PROJECTIONS)[number] | (typeof MLP_PROJECTIONS)[number];
export const PROJECTION_NAMES: readonly ProjectionName[] = [...ATTENTION_PROJECTIONS, ...MLP_PROJECTIONS];

export function layerPrefix(layer: number): string {
  return `model.layers.${layer}`;
}

/** The module path of one projection, e.g. `model.layers.0.self_attn.q_proj` (append `.weight` / `.bias`). */
export function projectionPath(layer: number, projection: ProjectionName): string {
  const group = (ATTENTION_PROJECTIONS as readonly string[]).includes(projection) ? 'self_attn' : 'mlp';
  return `${layerPrefix(layer)}.${group}.${projection}`;
}

/** The [dim, dim] projection of the embedding `shift` positions back (1-based), when the config shifts tokens. */
export function tokenShiftName(shift: number): string {
  return `model.token_shift.${shift}.weight`;
}

export function inputNormName(layer: number): string {
  return `${layerPrefix(layer)}.input_layernorm.weight`;
}

export function postAttentionNormName(layer: number): string {
  return `${layerPrefix(layer)}.post_attention_layernorm.weight`;
}

/** The projection a module path ends in (`...self_attn.q_proj` → `q_proj`), or null for other modules. */
export function projectionOfPath(path: string): ProjectionName | null {
  const last = path.slice(path.lastIndexOf('.') + 1);
  return (PROJECTION_NAMES as readonly string[]).includes(last) ? (last as ProjectionName) : null;
}

/** [out, in] of a projection, and whether it has a bias, for this config. */
export function projectionShape(
  config: TransformerConfig,
  projection: ProjectionName,
): { outFeatures: number; inFeatures: number; bias: boolean } {
  const qWidth = config.heads * config.headDim;
  const kvWidth = config.kvHeads * config.headDim;
  const qkvBias = config.attentionBias;
  switch (projection) {
    case 'q_proj':
      return { outFeatures: qWidth, inFeatures: config.dim, bias: qkvBias };
    case 'k_proj':
    case 'v_proj':
      return { outFeatures: kvWidth, inFeatures: config.dim, bias: qkvBias };
    case 'o_proj':
      return { outFeatures: config.dim, inFeatures: qWidth, bias: false };
    case 'gate_proj':
    case 'up_proj':
      return { outFeatures: config.ffnHidden, inFeatures: config.dim, bias: false };
    case 'down_proj':
      return { outFeatures: config.dim, inFeatures: config.ffnHidden, bias: false };
  }
}

/** Every linear module path of the model (projections of every layer, then the LM head unless tied). */
export function linearPaths(config: TransformerConfig): string[] {
  const paths: string[] = [];
  for (let layer = 0; layer < config.layers; layer++) {
    for (const projection of PROJECTION_NAMES) paths.push(projectionPath(layer, projection));
  }
  if (!config.tiedEmbeddings) paths.push(LM_HEAD);
  return paths;
}

/** Every weight name a checkpoint of this config holds, with its shape. */
export function expectedWeights(config: TransformerConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>([[EMBED_TOKENS, [config.vocab, config.dim]]]);
  for (let shift = 1; shift <= (config.tokenShift ?? 0); shift++) {
    shapes.set(tokenShiftName(shift), [config.dim, config.dim]);
  }
  for (let layer = 0; layer < config.layers; layer++) {
    shapes.set(inputNormName(layer), [config.dim]);
    shapes.set(postAttentionNormName(layer), [config.dim]);
    for (const projection of PROJECTION_NAMES) {
      const { outFeatures, inFeatures, bias } = projectionShape(config, projection);
      const path = projectionPath(layer, projection);
      shapes.set(`${path}.weight`, [outFeatures, inFeatures]);
      if (bias) shapes.set(`${path}.bias`, [outFeatures]);
    }
  }
  shapes.set(FINAL_NORM, [config.dim]);
  if (config.pointer) {
    shapes.set(`${POINTER_GATE}.weight`, [1, config.dim]);
    shapes.set(`${POINTER_GATE}.bias`, [1]);
  }
  if (!config.tiedEmbeddings) shapes.set(`${LM_HEAD}.weight`, [config.vocab, config.dim]);
  return shapes;
}

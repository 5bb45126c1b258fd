// The Qwen2-style decoder config: sizes, RoPE and norm constants, validation, and reading a Hugging Face config.json.
import { ModelConfigError } from './errors';

export interface TransformerConfig {
  vocab: number;
  /** Model (residual stream) width. */
  dim: number;
  layers: number;
  /** Query heads. */
  heads: number;
  /** Key/value heads (grouped-query attention): heads must be a multiple of kvHeads. */
  kvHeads: number;
  headDim: number;
  /** SwiGLU hidden width (HF intermediate_size). */
  ffnHidden: number;
  ropeTheta: number;
  rmsNormEps: number;
  /** The LM head reuses the token embedding table (HF tie_word_embeddings). */
  tiedEmbeddings: boolean;
  /** Longest sequence (prefix + prompt + completion) the model and its KV cache accept. */
  maxPositions: number;
  /** q/k/v projections carry a bias, as in Qwen2 (o_proj and the MLP never do). */
  attentionBias: boolean;
  /**
   * How the headDim/2 RoPE frequencies split between position rows: [headDim/2] is 1-D RoPE (default); Qwen2-VL's
   * M-RoPE is [16, 24, 24] with (t, h, w) position rows.
   */
  ropeSections?: readonly number[];
  /**
   * Token shift (RWKV's, and the "smeared keys" of induction-head studies): each position's input also carries a
   * learned projection of the embeddings of the `tokenShift` positions before it. A single attention layer can then
   * match on what preceded a token and copy what followed it, which a small model needs to copy from its context.
   * 0 or absent (Qwen2 itself) adds nothing.
   */
  tokenShift?: number;
  /**
   * Pointer decoding (a pointer-generator, See et al. 2017): the output is log(g · softmax(lm head) + (1 − g) · copy),
   * where copy puts query head `head` of layer `layer`'s attention over earlier positions on those positions' token
   * ids and g = sigmoid(pointer_gate(final hidden state)). Where that head looks becomes what the model writes,
   * without the value path having to learn to carry the token (docs/models.md, pilot log). Absent: plain LM head.
   */
  pointer?: PointerConfig;
}

export interface PointerConfig {
  layer: number;
  head: number;
}

/** Qwen2 defaults for the constants a small config usually leaves out. */
export const QWEN2_DEFAULTS = Object.freeze({
  ropeTheta: 1_000_000,
  rmsNormEps: 1e-6,
  tiedEmbeddings: true,
  attentionBias: true,
  maxPositions: 32_768,
});

type Sizes = Pick<
  TransformerConfig,
  'vocab' | 'dim' | 'layers' | 'heads' | 'kvHeads' | 'headDim' | 'ffnHidden'
>;

/** A full config from the sizes plus optional overrides of the Qwen2 defaults; validated. */
export function transformerConfig(sizes: Sizes & Partial<TransformerConfig>): TransformerConfig {
  const config: TransformerConfig = { ...QWEN2_DEFAULTS, ...sizes };
  validateTransformerConfig(config);
  return config;
}

function positiveInteger(config: TransformerConfig, field: keyof TransformerConfig): void {
  const value = config[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ModelConfigError(field, `must be a positive integer, got ${String(value)}`);
  }
}

export function validateTransformerConfig(config: TransformerConfig): void {
  for (const field of [
    'vocab',
    'dim',
    'layers',
    'heads',
    'kvHeads',
    'headDim',
    'ffnHidden',
    'maxPositions',
  ] as const) {
    positiveInteger(config, field);
  }
  if (config.heads % config.kvHeads !== 0) {
    throw new ModelConfigError(
      'kvHeads',
      `${config.heads} query heads are not a multiple of ${config.kvHeads}`,
    );
  }
  if (config.headDim % 2 !== 0)
    throw new ModelConfigError('headDim', `RoPE needs an even headDim, got ${config.headDim}`);
  if (!(config.ropeTheta > 0))
    throw new ModelConfigError('ropeTheta', `must be positive, got ${config.ropeTheta}`);
  if (!(config.rmsNormEps > 0))
    throw new ModelConfigError('rmsNormEps', `must be positive, got ${config.rmsNormEps}`);
  const shift = config.tokenShift ?? 0;
  if (!Number.isSafeInteger(shift) || shift < 0)
    throw new ModelConfigError('tokenShift', `must be a non-negative integer, got ${String(shift)}`);
  validatePointer(config);
  const sections = ropeSectionsOf(config);
  if (sections.reduce((n, s) => n + s, 0) !== config.headDim / 2) {
    throw new ModelConfigError(
      'ropeSections',
      `[${sections.join(', ')}] must sum to headDim/2 = ${config.headDim / 2}`,
    );
  }
}

function validatePointer(config: TransformerConfig): void {
  const { pointer } = config;
  if (!pointer) return;
  const inRange = (value: unknown, bound: number): boolean =>
    Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) < bound;
  if (!inRange(pointer.layer, config.layers) || !inRange(pointer.head, config.heads)) {
    throw new ModelConfigError(
      'pointer',
      `layer ${String(pointer.layer)} / head ${String(pointer.head)} is outside ${config.layers} layers × ${config.heads} heads`,
    );
  }
}

/**
 * Slots a KV cache needs: one per layer, one holding past input embeddings when the config shifts tokens, one holding
 * past token ids when it decodes with a pointer.
 */
export function cacheSlots(config: TransformerConfig): number {
  return pointerIdSlot(config) + (config.pointer ? 1 : 0);
}

/** The cache slot of the token-shift history (when the config shifts tokens). */
export function tokenShiftSlot(config: TransformerConfig): number {
  return config.layers;
}

/** The cache slot of the pointer's past token ids (when the config has a pointer). */
export function pointerIdSlot(config: TransformerConfig): number {
  return config.layers + ((config.tokenShift ?? 0) > 0 ? 1 : 0);
}

/** The RoPE sections, defaulting to one section (1-D positions). */
export function ropeSectionsOf(config: TransformerConfig): readonly number[] {
  return config.ropeSections ?? [config.headDim / 2];
}

function numberField(json: Record<string, unknown>, key: string): number | undefined {
  const value = json[key];
  return typeof value === 'number' ? value : undefined;
}

function requiredNumber(json: Record<string, unknown>, key: string): number {
  const value = numberField(json, key);
  if (value === undefined) throw new ModelConfigError(key, 'missing from config.json');
  return value;
}

/** Reads a Hugging Face Qwen2 / Qwen2-VL text config.json (the fields this decoder uses). */
export function configFromHuggingFace(json: Record<string, unknown>): TransformerConfig {
  const dim = requiredNumber(json, 'hidden_size');
  const heads = requiredNumber(json, 'num_attention_heads');
  const ropeScaling = json.rope_scaling as { mrope_section?: number[] } | undefined;
  return transformerConfig({
    vocab: requiredNumber(json, 'vocab_size'),
    dim,
    layers: requiredNumber(json, 'num_hidden_layers'),
    heads,
    kvHeads: numberField(json, 'num_key_value_heads') ?? heads,
    headDim: numberField(json, 'head_dim') ?? dim / heads,
    ffnHidden: requiredNumber(json, 'intermediate_size'),
    ropeTheta: numberField(json, 'rope_theta') ?? QWEN2_DEFAULTS.ropeTheta,
    rmsNormEps: numberField(json, 'rms_norm_eps') ?? QWEN2_DEFAULTS.rmsNormEps,
    tiedEmbeddings: typeof json.tie_word_embeddings === 'boolean' ? json.tie_word_embeddings : false,
    maxPositions: numberField(json, 'max_position_embeddings') ?? QWEN2_DEFAULTS.maxPositions,
    // Qwen2 configs have no attention_bias field (the bias is always there); Llama-style ones say false.
    attentionBias:
      typeof json.attention_bias === 'boolean' ? json.attention_bias : QWEN2_DEFAULTS.attentionBias,
    ...(ropeScaling?.mrope_section ? { ropeSections: ropeScaling.mrope_section } : {}),
  });
}

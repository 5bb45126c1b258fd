// Public API of the policy decoder: config, weights, Linear (dense / quantised), forward, safetensors I/O.
export {
  transformerConfig,
  validateTransformerConfig,
  configFromHuggingFace,
  ropeSectionsOf,
  cacheSlots,
  QWEN2_DEFAULTS,
} from './config';
export type { TransformerConfig } from './config';
export { ModelConfigError, ModelWeightError, ForwardInputError } from './errors';
export { DenseLinear, QuantizedLinear, quantizeLinear } from './linear';
export type { Linear, QuantizeOptions } from './linear';
export {
  EMBED_TOKENS,
  FINAL_NORM,
  LM_HEAD,
  PROJECTION_NAMES,
  expectedWeights,
  linearPaths,
  projectionOfPath,
  projectionPath,
  projectionShape,
  tokenShiftName,
} from './names';
export type { ProjectionName } from './names';
export { initTransformerWeights } from './init';
export type { InitOptions } from './init';
export { consecutivePositions } from './positions';
export { Transformer } from './transformer';
export type { AttentionCache, ForwardInput, ProjectionAdapter } from './types';
export { saveTransformer, loadTransformer, CONFIG_METADATA_KEY } from './weights-io';
export type { LoadOptions } from './weights-io';

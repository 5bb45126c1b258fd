// Public API of generation: KV cache, sampling, the group decode loop with per-token stats, teacher-forced log-probs.
export { KvCache } from './kv-cache';
export { GenerationCancelledError, GenerationOptionError } from './errors';
export { argmax, sampleToken, temperedLogProb, validateSampling } from './sampling';
export type { LogitsRow, SampledToken, SamplingOptions } from './sampling';
export { tokenStats } from './token-stats';
export type { TokenStats } from './token-stats';
export type { FinishReason, GeneratedSequence } from './sequence-state';
export { generate, generateGroup } from './generate';
export type { GenerateOptions, GenerationResult, GenerationTimings } from './generate';
export type { TokenEvent } from './active-group';
export { groupLogProbs, sequenceLogProbs } from './sequence-log-probs';
export type { GroupLogProbs, SequenceLogProbsOptions } from './sequence-log-probs';

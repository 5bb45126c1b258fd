// Public API of the PixelThink method core: reward, prompt and parsing, uncertainty, GRPO, metrics, vectors.
export * from './errors';
export type * from './types';
export { DIFFICULTY_LEVELS } from './types';
export {
  DEFAULT_REWARD_PARAMS,
  DEFAULT_DIFFICULTY,
  PAPER_GAMMA,
  accuracyTerms,
  boxL1Distance,
  difficultyLevel,
  effectiveDifficulty,
  inclusiveBoxIoU,
  lengthBudget,
  lengthFactor,
  pairedPointDistance,
  resolveRewardParams,
  scoreResponse,
  validateRewardParams,
} from './reward';
export type { AccuracyTerms } from './reward';
export {
  ANSWER_KEYS,
  MODEL_FRAME,
  MODEL_FRAME_SIZE,
  SYSTEM_PROMPT,
  buildChatMessages,
  buildUserPrompt,
  checkAnswerFormat,
  checkThinkFormat,
  describeIssue,
  extractReasoning,
  findFirstBraceBlock,
  hasAnswerShape,
  issueSeverity,
  normalizeQuery,
  parseResponse,
  readAnswerJson,
  scaleAnswerToFrame,
  scaleAnswerToImage,
} from './prompt';
export type {
  AnswerJson,
  AnswerKey,
  BraceBlock,
  ChatContent,
  ChatMessage,
  IssueSeverity,
  ParseOptions,
  ParsedResponse,
  ResponseIssue,
} from './prompt';
export { pySplitCount as countWords, pyRound as roundHalfToEven } from './python';
export { pyJsonLoads } from './pyjson';
export type { PyJsonObject, PyJsonResult, PyJsonValue } from './pyjson';
export {
  UncertaintyAccumulator,
  marginUncertainty,
  stepStatsFromLogits,
  uncertaintyFromLogits,
} from './uncertainty';
export type { Logits, StepStats, UncertaintySummary } from './uncertainty';
export {
  ADVANTAGE_EPSILON,
  DEFAULT_GRPO_PARAMS,
  KL_CLAMP,
  advantagesByGroup,
  broadcastAdvantages,
  groupAdvantages,
  grpoTokenLoss,
  k3Kl,
  resolveGrpoParams,
  validateGrpoParams,
} from './grpo';
export type { GrpoParams, TokenLossInput, TokenLossResult } from './grpo';
export {
  SegmentationMetrics,
  countForeground,
  iouFromCounts,
  maskIntersectionUnion,
  maskIoU,
  sampleCounts,
} from './metrics';
export type { EvalSample, GroupSummary, MaskCounts, MaskLike, MetricsSummary } from './metrics';
export {
  SNAKE_CASE_REWARD_PARAMS,
  VECTOR_TOLERANCE,
  checkRewardCase,
  checkRewardVectors,
  formatMismatch,
  parseRewardVectors,
  rewardParamsFromVector,
} from './vectors';
export type {
  ExpectedValue,
  FieldMismatch,
  RewardVectorCase,
  RewardVectorFile,
  VectorsReport,
} from './vectors';

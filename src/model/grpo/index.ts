// Public API of GRPO training on LoRA adapters (method.md §6): trainer, settings, tasks, checkpoints, evaluation.
export { GrpoTrainer, GrpoDivergedError } from './trainer';
export type { GrpoTrainerOptions } from './trainer';
export { DEFAULT_GRPO_SETTINGS, GrpoSettingsError, resolveGrpoSettings } from './settings';
export type { GrpoLoraSettings, GrpoSettings, GrpoSettingsInput } from './settings';
export type { GrpoPrompt, GrpoTask } from './task';
export { MemoryCheckpointStore } from './store';
export type { GrpoCheckpointStore } from './store';
export { GRPO_CHECKPOINT_KIND, readGrpoCheckpoint, writeGrpoCheckpoint } from './state';
export type { GrpoCheckpoint, GrpoRunState } from './state';
export { NonFiniteLossError, grpoStepLoss } from './loss';
export type { LossGroup, LossOptions, LossParams, ReadTensor, StepLoss } from './loss';
export { promptLevel, rolloutGroup, rolloutSeed, scoreSequence } from './rollout';
export type { RolloutGroup, RolloutOptions, ScoredResponse } from './rollout';
export { responseStats, summariseRollouts } from './metrics';
export type {
  AccuracyTermMeans,
  GrpoStepMetrics,
  GuardAction,
  GuardReason,
  ResponseStats,
  RolloutSummary,
} from './metrics';
export { evaluateRewards } from './evaluate';
export type { RewardEvalOptions } from './evaluate';
export { DEFAULT_FIRST_SAMPLE, shapeWorldPrompt, shapeWorldTask } from './shapeworld-task';
export type { ObjectSource, ShapeWorldTaskOptions } from './shapeworld-task';
export { perceivedPromptIds, policyTaskGlue } from './policy-task';
export { LabelledTaskError, labelledSamplesTask } from './samples-task';
export type { LabelledSample, LabelledTaskOptions } from './samples-task';
export { readSavedAdapter } from './saved-adapter';
export type { SavedAdapter, SavedAdapterKind } from './saved-adapter';

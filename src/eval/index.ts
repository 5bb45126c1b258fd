// Public API of the evaluation harness: runner contracts and registry, the oracles, evaluate(), and report formatting.
export * from './errors';
export type * from './types';
export { RunnerRegistry } from './registry';
export type { RunnerEntry } from './registry';
export { defaultPolicies, defaultSegmenters } from './default-runners';
export { ORACLE_POLICY_IDS, ORACLE_TOKEN_COUNTING, createOraclePolicy } from './oracle-policy';
export type { ReferenceLength } from './oracle-policy';
export {
  BOX_ONLY_MIN_IOU,
  ORACLE_SEGMENTER_ID,
  createOracleSegmenter,
  selectObject,
} from './oracle-segmenter';
export { labelAt, labelRegions } from './label-regions';
export type { LabelRegion } from './label-regions';
export { evaluate, evaluateItems, sampleRange } from './evaluate';
export type { EvaluateOptions, ItemsReport, RunOptions } from './evaluate';
export { promptFromResponse, runSample } from './run-sample';
export type { Pipeline } from './run-sample';
export { renderSizeOf, shapeWorldItem, shapeWorldItems } from './shapeworld-items';
export type { RenderSizes } from './shapeworld-items';
export { EvalAccumulator } from './accumulator';
export type { LevelReports } from './accumulator';
export { STAGES, timed } from './timing';
export { describeReward, formatSummaryTable } from './table';
export { formatProgress } from './progress';
export { CliUsageError, evalUsage, parseEvalArgs, resolveCliRewardParams } from './cli-options';
export type { EvalCliOptions, EvalCommand, KnownRunners, RunnerListing } from './cli-options';

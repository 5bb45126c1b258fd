// The harness loop: runs a policy + segmenter pair over items (a ShapeWorld split) and summarises them per level.
import { SPLITS, SPLIT_SIZES, isSplit } from '../data/shapeworld/index';
import type { Split } from '../data/shapeworld/index';
import { resolveRewardParams } from '../rl/index';
import type { RewardParams } from '../rl/index';
import { EvalAccumulator } from './accumulator';
import type { LevelReports } from './accumulator';
import { EvalOptionError } from './errors';
import { runSample } from './run-sample';
import { renderSizeOf, shapeWorldItems } from './shapeworld-items';
import { EventLoopYielder } from './timing';
import type { EvalItem, EvalProgress, EvalSummary, PolicyRunner, SampleRow, SegmenterRunner } from './types';

export interface RunOptions {
  policy: PolicyRunner;
  segmenter: SegmenterRunner;
  /** Overrides of the defaults (PixelThink preset); validated before the first sample. */
  rewardParams?: Partial<RewardParams>;
  /** Called after every sample. */
  onProgress?: (progress: EvalProgress) => void;
  /** Aborting stops before the next sample; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface EvaluateOptions extends RunOptions {
  /** Number of samples; default the rest of the split (required for the endless train split). */
  n?: number;
  /** First sample index; default 0. */
  offset?: number;
}

export interface ItemsReport extends LevelReports {
  rewardParams: RewardParams;
  rows: SampleRow[];
  wallMs: number;
}

/** The general loop, for any source of items (the app's own samples use it too). */
export async function evaluateItems(
  items: Iterable<EvalItem> | AsyncIterable<EvalItem>,
  total: number,
  options: RunOptions,
): Promise<ItemsReport> {
  const { policy, segmenter, onProgress, signal } = options;
  const pipeline = { policy, segmenter, rewardParams: resolveRewardParams(options.rewardParams) };
  const accumulator = new EvalAccumulator();
  const rows: SampleRow[] = [];
  const yielder = new EventLoopYielder();
  const start = performance.now();
  signal?.throwIfAborted();
  for await (const item of items) {
    signal?.throwIfAborted();
    const row = await runSample(item, pipeline, signal);
    rows.push(row);
    accumulator.add(row);
    const elapsedMs = performance.now() - start;
    onProgress?.({ done: rows.length, total, elapsedMs, row, overall: accumulator.report().overall });
    await yielder.maybeYield();
  }
  return {
    ...accumulator.report(),
    rewardParams: pipeline.rewardParams,
    rows,
    wallMs: performance.now() - start,
  };
}

function checkInteger(option: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new EvalOptionError(option, `must be an integer in ${min}..${max}, got ${value}`);
  }
  return value;
}

/** Checks split, offset and n against the split's size; returns the sample range. */
export function sampleRange(
  split: string,
  n?: number,
  offset = 0,
): { split: Split; offset: number; count: number } {
  if (!isSplit(split))
    throw new EvalOptionError('split', `must be one of ${SPLITS.join(', ')}, got "${split}"`);
  const size = SPLIT_SIZES[split];
  const limit = Number.isFinite(size) ? size : Number.MAX_SAFE_INTEGER;
  checkInteger('offset', offset, 0, limit - 1);
  if (n === undefined && !Number.isFinite(size)) {
    throw new EvalOptionError('n', `the ${split} split is endless: say how many samples to evaluate`);
  }
  const count = checkInteger('n', n ?? limit - offset, 1, limit - offset);
  return { split, offset, count };
}

/** Evaluates samples offset .. offset + n − 1 of a ShapeWorld split. */
export async function evaluate(split: Split, options: EvaluateOptions): Promise<EvalSummary> {
  const range = sampleRange(split, options.n, options.offset);
  const sizes = {
    policy: renderSizeOf('policy', options.policy),
    segmenter: renderSizeOf('segmenter', options.segmenter),
  };
  const items = shapeWorldItems(range.split, range.offset, range.count, sizes);
  const report = await evaluateItems(items, range.count, options);
  return {
    split: range.split,
    offset: range.offset,
    count: report.rows.length,
    policy: { id: options.policy.id, tokenCounting: options.policy.tokenCounting, renderSize: sizes.policy },
    segmenter: { id: options.segmenter.id, renderSize: sizes.segmenter },
    rewardParams: report.rewardParams,
    overall: report.overall,
    byLevel: report.byLevel,
    wallMs: report.wallMs,
    rows: report.rows,
  };
}

// Contracts of the evaluation harness: policy and segmenter runners, one item to evaluate, per-sample rows, summaries.
import type { ShapeWorldSample, Split } from '../data/shapeworld/index';
import type { BoxPoints, DifficultyLevel, GroupSummary, RewardBreakdown, RewardParams } from '../rl/index';

/** Pixels as a runner receives them: row-major RGBA (alpha included), width × height. */
export interface RenderedImage {
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
}

/** Milliseconds per pipeline stage, e.g. { encode: 12, generate: 840 }. */
export type StageTimings = Record<string, number>;

export interface PolicyInput {
  image: RenderedImage;
  query: string;
  /** The full ground-truth record, there for oracles only: a real policy must never read it. */
  sample?: ShapeWorldSample;
}

export interface PolicyAnswer {
  /** The raw response, `<think>…</think><answer>{…}</answer>`, with coordinates in the 840 answer frame. */
  response: string;
  /** Generated tokens, counted as the runner's `tokenCounting` says. */
  tokens: number;
  /** Tokens inside <think>; required when the reward's length mode is 'reasoning-tokens'. */
  reasoningTokens?: number;
  /** Margin uncertainty of the response (method §4), 0..1; null when the runner cannot measure it. */
  uncertainty: number | null;
  /** The runner's own stages; a stage named like one the harness times ('generate') replaces the harness's. */
  timingsMs: StageTimings;
}

export interface PolicyRunner {
  readonly id: string;
  /** How `tokens` are counted, printed beside the table (e.g. "Qwen2.5-VL tokenizer"). */
  readonly tokenCounting: string;
  /** Square side ShapeWorld scenes are rendered at for this policy; default the 840 answer frame. */
  readonly renderSize?: number;
  answer(input: PolicyInput, signal?: AbortSignal): Promise<PolicyAnswer>;
  dispose?(): Promise<void> | void;
}

export interface SegmenterInput {
  image: RenderedImage;
  /** Box and two positive points, in pixels of `image`. */
  prompt: BoxPoints;
  /** Object label map of the image (0 background, i + 1 for object i), there for oracles only. */
  labels?: Uint8Array;
}

export interface SegmenterOutput {
  /** width × height of the input image, row-major; non-zero is foreground. */
  mask: Uint8Array;
  /** The segmenter's confidence in its mask (e.g. SAM's predicted IoU). */
  score: number;
  timingsMs: StageTimings;
}

export interface SegmenterRunner {
  readonly id: string;
  /** Square side ShapeWorld scenes are rendered at for this segmenter (and the metrics computed at). */
  readonly renderSize?: number;
  segment(input: SegmenterInput, signal?: AbortSignal): Promise<SegmenterOutput>;
  dispose?(): Promise<void> | void;
}

/** One thing to evaluate, whatever its source (a ShapeWorld split now, the app's own samples later). */
export interface EvalItem {
  id: string;
  query: string;
  /** The level the tables group by (ShapeWorld's own level, not the reward's). */
  level: DifficultyLevel;
  /** External difficulty 1..10 given to the reward; null counts as 3.0 there. */
  difficulty: number | null;
  /** Box and points in the 840 answer frame, as the reward reads them. */
  groundTruth: BoxPoints;
  policyImage: RenderedImage;
  segmenterImage: RenderedImage;
  /** Target mask at the segmenter image's size: the metrics are computed there. */
  truthMask: Uint8Array;
  /** Object label map at the segmenter image's size, for the oracle segmenter. */
  labels?: Uint8Array;
  sample?: ShapeWorldSample;
  /** Time it took to produce the item (e.g. 'render'). */
  timingsMs: StageTimings;
}

/** Everything measured on one sample; JSON-serialisable. */
export interface SampleRow {
  id: string;
  level: DifficultyLevel;
  difficulty: number | null;
  /** False when no box and two points could be read from the response: then I = 0 and U = |GT mask|. */
  parsed: boolean;
  iou: number;
  intersection: number;
  union: number;
  segmenterScore: number | null;
  reward: RewardBreakdown;
  words: number;
  tokens: number;
  reasoningTokens: number | null;
  uncertainty: number | null;
  timingsMs: StageTimings;
  response: string;
}

/** SegmentationMetrics' group summary plus the harness's own means. */
export interface LevelReport extends GroupSummary {
  /** Mean accuracy reward R_acc (0..5). */
  meanAccuracy: number | null;
  /** Samples whose answer could not be parsed. */
  unparsed: number;
  /** Mean tokens inside <think> (the paper's "reasoning tokens"), over samples whose policy reports them. */
  meanReasoningTokens: number | null;
}

export interface EvalSummary {
  split: Split;
  offset: number;
  count: number;
  policy: { id: string; tokenCounting: string; renderSize: number };
  segmenter: { id: string; renderSize: number };
  rewardParams: RewardParams;
  overall: LevelReport;
  byLevel: Record<DifficultyLevel, LevelReport>;
  /** Wall time of the whole run, ms. */
  wallMs: number;
  rows: SampleRow[];
}

export interface EvalProgress {
  done: number;
  total: number;
  elapsedMs: number;
  row: SampleRow;
  /** Running totals over the samples done so far. */
  overall: LevelReport;
}

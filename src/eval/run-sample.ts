// One item through the pipeline: policy answer → parse → scale to the segmenter's image → mask → IoU and reward.
import {
  MODEL_FRAME,
  countWords,
  iouFromCounts,
  parseResponse,
  sampleCounts,
  scaleAnswerToImage,
  scoreResponse,
} from '../rl/index';
import type { BoxPoints, ImageSize, RewardBreakdown, RewardParams } from '../rl/index';
import { checkPolicyAnswer, checkSegmenterOutput } from './check-runner-output';
import { EvalOptionError } from './errors';
import { STAGES, timed } from './timing';
import type {
  EvalItem,
  PolicyAnswer,
  PolicyRunner,
  SampleRow,
  SegmenterOutput,
  SegmenterRunner,
  StageTimings,
} from './types';

export interface Pipeline {
  policy: PolicyRunner;
  segmenter: SegmenterRunner;
  /** Fully resolved (see resolveRewardParams). */
  rewardParams: RewardParams;
}

interface Generation {
  answer: PolicyAnswer;
  timingsMs: StageTimings;
}

interface Segmentation {
  output: SegmenterOutput;
  timingsMs: StageTimings;
}

async function generate(item: EvalItem, policy: PolicyRunner, signal?: AbortSignal): Promise<Generation> {
  const input = { image: item.policyImage, query: item.query, sample: item.sample };
  const { value, ms } = await timed(() => policy.answer(input, signal));
  const answer = checkPolicyAnswer(policy.id, value);
  // The runner's own stage times are more precise than our wall time around the call, so they win.
  return { answer, timingsMs: { [STAGES.generate]: ms, ...answer.timingsMs } };
}

/** The answer's box and points in pixels of `image`, or null when the response holds no usable answer. */
export function promptFromResponse(response: string, image: ImageSize): BoxPoints | null {
  const answer = parseResponse(response, { frame: MODEL_FRAME }).answer;
  return answer === null ? null : scaleAnswerToImage(answer, image, MODEL_FRAME);
}

async function segment(
  item: EvalItem,
  segmenter: SegmenterRunner,
  prompt: BoxPoints,
  signal?: AbortSignal,
): Promise<Segmentation> {
  const input = { image: item.segmenterImage, prompt, labels: item.labels };
  const { value, ms } = await timed(() => segmenter.segment(input, signal));
  const output = checkSegmenterOutput(segmenter.id, value, item.segmenterImage);
  return { output, timingsMs: { [STAGES.segment]: ms, ...output.timingsMs } };
}

function score(item: EvalItem, answer: PolicyAnswer, pipeline: Pipeline): RewardBreakdown {
  const { rewardParams, policy } = pipeline;
  if (rewardParams.lengthMode === 'reasoning-tokens' && answer.reasoningTokens === undefined) {
    throw new EvalOptionError(
      'lengthMode',
      `policy "${policy.id}" does not report reasoningTokens, which the 'reasoning-tokens' length mode needs`,
    );
  }
  const context = {
    difficulty: item.difficulty,
    // The reward reads an unknown uncertainty as 0, like the released code with no margins.
    uncertainty: answer.uncertainty ?? 0,
    reasoningTokens: answer.reasoningTokens,
  };
  return scoreResponse(answer.response, item.groundTruth, context, rewardParams);
}

export async function runSample(
  item: EvalItem,
  pipeline: Pipeline,
  signal?: AbortSignal,
): Promise<SampleRow> {
  const generation = await generate(item, pipeline.policy, signal);
  const { answer } = generation;
  const prompt = promptFromResponse(answer.response, item.segmenterImage);
  const segmentation = prompt === null ? null : await segment(item, pipeline.segmenter, prompt, signal);
  // No prompt, no mask: sampleCounts then counts I = 0 and U = |GT mask| (method §7).
  const counts = sampleCounts(segmentation?.output.mask ?? null, item.truthMask);
  return {
    id: item.id,
    level: item.level,
    difficulty: item.difficulty,
    parsed: prompt !== null,
    iou: iouFromCounts(counts),
    intersection: counts.intersection,
    union: counts.union,
    segmenterScore: segmentation?.output.score ?? null,
    reward: score(item, answer, pipeline),
    words: countWords(answer.response),
    tokens: answer.tokens,
    reasoningTokens: answer.reasoningTokens ?? null,
    uncertainty: answer.uncertainty,
    timingsMs: { ...item.timingsMs, ...generation.timingsMs, ...segmentation?.timingsMs },
    response: answer.response,
  };
}

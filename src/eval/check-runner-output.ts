// Contract checks on what runners return, so a buggy runner fails loudly instead of skewing the metrics.
import { RunnerOutputError } from './errors';
import type { PolicyAnswer, RenderedImage, SegmenterOutput, StageTimings } from './types';

function checkTimings(runner: string, timings: unknown): void {
  if (typeof timings !== 'object' || timings === null) {
    throw new RunnerOutputError(runner, 'timingsMs must be an object of stage → milliseconds');
  }
  for (const [stage, ms] of Object.entries(timings as StageTimings)) {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new RunnerOutputError(
        runner,
        `timingsMs.${stage} must be a non-negative number, got ${String(ms)}`,
      );
    }
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

export function checkPolicyAnswer(runner: string, answer: PolicyAnswer): PolicyAnswer {
  if (typeof answer.response !== 'string') throw new RunnerOutputError(runner, 'response must be a string');
  if (!isCount(answer.tokens)) {
    throw new RunnerOutputError(runner, `tokens must be a non-negative number, got ${String(answer.tokens)}`);
  }
  const { reasoningTokens, uncertainty } = answer;
  if (reasoningTokens !== undefined && !(isCount(reasoningTokens) && Number.isInteger(reasoningTokens))) {
    throw new RunnerOutputError(
      runner,
      `reasoningTokens must be a non-negative integer, got ${reasoningTokens}`,
    );
  }
  if (uncertainty !== null && !(Number.isFinite(uncertainty) && uncertainty >= 0 && uncertainty <= 1)) {
    throw new RunnerOutputError(runner, `uncertainty must be null or within [0, 1], got ${uncertainty}`);
  }
  checkTimings(runner, answer.timingsMs);
  return answer;
}

export function checkSegmenterOutput(
  runner: string,
  output: SegmenterOutput,
  image: RenderedImage,
): SegmenterOutput {
  const pixels = image.width * image.height;
  if (!(output.mask instanceof Uint8Array) || output.mask.length !== pixels) {
    throw new RunnerOutputError(
      runner,
      `mask must be a Uint8Array of ${image.width}×${image.height} = ${pixels} pixels, got ${output.mask?.length ?? 'none'}`,
    );
  }
  if (!Number.isFinite(output.score))
    throw new RunnerOutputError(runner, `score must be finite, got ${output.score}`);
  checkTimings(runner, output.timingsMs);
  return output;
}

// pixelthink-nano as an evaluation PolicyRunner, environment-free (Node CLIs and the browser trainer worker share it).
import { extractReasoning } from '../rl/index';
import type { SamplingOptions } from '../model/generate';
import type { ProjectionAdapter } from '../model/transformer';
import { PERCEPTION_CONFIG } from '../model/pixelthink-nano/perception/config';
import type { PixelThinkNano } from '../model/pixelthink-nano/policy';
import type { PolicyAnswer, PolicyInput, PolicyRunner } from './types';

export const NANO_TOKEN_COUNTING =
  'pixelthink-nano tokenizer (byte-level BPE, 2342 ids); reasoning tokens = tokens inside <think>';

/** Scenes are drawn at the perception front end's input size, so its resize is the identity. */
export const NANO_RENDER_SIZE = PERCEPTION_CONFIG.inputSize;
/** The evaluation's token budget for one pixelthink-nano chain (`npm run eval`, and the policy benchmark). */
export const NANO_EVAL_MAX_NEW_TOKENS = 400;

export interface NanoDecoding {
  sampling: SamplingOptions;
  maxNewTokens: number;
  seed: number;
}

/** One answer of the loaded policy (with the adapter, when given), with its tokens, uncertainty and stage times. */
export async function nanoAnswer(
  policy: PixelThinkNano,
  input: PolicyInput,
  decoding: NanoDecoding,
  adapter: ProjectionAdapter | undefined,
  signal?: AbortSignal,
): Promise<PolicyAnswer> {
  const run = await policy.run(input.image, input.query, {
    maxNewTokens: decoding.maxNewTokens,
    sampling: decoding.sampling,
    seed: decoding.seed,
    ...(adapter ? { adapter } : {}),
    ...(signal ? { signal } : {}),
  });
  const generated = run.sequence.tokens.filter((t) => t !== policy.tokenizer.eosId).length;
  const { perceive, select, prefill, decode } = run.timingsMs;
  return {
    response: run.response,
    tokens: generated,
    reasoningTokens: policy.tokenizer.encode(extractReasoning(run.response)).length,
    uncertainty: run.sequence.uncertainty.uncertainty,
    timingsMs: { perceive, select, prefill, decode, generate: perceive + select + prefill + decode },
  };
}

/** A runner over an already loaded policy; it owns nothing (the caller disposes the policy and the adapter). */
export function nanoPolicyRunner(
  policy: PixelThinkNano,
  decoding: NanoDecoding,
  adapter?: ProjectionAdapter,
  id = adapter ? `${policy.id}+lora` : policy.id,
): PolicyRunner {
  return {
    id,
    tokenCounting: NANO_TOKEN_COUNTING,
    renderSize: NANO_RENDER_SIZE,
    answer: (input, signal) => nanoAnswer(policy, input, decoding, adapter, signal),
  };
}

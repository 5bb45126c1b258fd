// Oracle policies: answer with the sample's own reference response (short or long), to prove the harness end to end.
import { countWords, extractReasoning } from '../rl/index';
import { EvalError } from './errors';
import type { PolicyAnswer, PolicyInput, PolicyRunner } from './types';

export type ReferenceLength = 'short' | 'long';

/** Oracles have no tokenizer; real tokenizers come with the models. */
export const ORACLE_TOKEN_COUNTING =
  'whitespace words of the response (oracle policies have no tokenizer); reasoning tokens = words inside <think>';

export const ORACLE_POLICY_IDS: Record<ReferenceLength, string> = {
  short: 'oracle',
  long: 'oracle-long',
};

function answerWithReference(id: string, length: ReferenceLength, input: PolicyInput): PolicyAnswer {
  if (input.sample === undefined) {
    throw new EvalError(`policy "${id}" needs input.sample (the ground-truth record) to answer`);
  }
  const response = input.sample.references[length];
  return {
    response,
    tokens: countWords(response),
    reasoningTokens: countWords(extractReasoning(response)),
    uncertainty: 0,
    timingsMs: {},
  };
}

/** 'oracle' answers with the short reference, 'oracle-long' with the long one (same answer, more words). */
export function createOraclePolicy(length: ReferenceLength): PolicyRunner {
  const id = ORACLE_POLICY_IDS[length];
  return {
    id,
    tokenCounting: ORACLE_TOKEN_COUNTING,
    // async, so a missing sample rejects the promise rather than throwing at the call.
    answer: async (input) => answerWithReference(id, length, input),
  };
}

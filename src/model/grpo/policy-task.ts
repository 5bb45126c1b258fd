// What every pixelthink-nano GRPO task shares: the prompt from a perceived image, and the tokenizer glue of GrpoTask.
import { extractReasoning } from '../../rl/index';
import type { Perceive, PolicyImage } from '../pixelthink-nano/policy';
import type { PerceivedObject } from '../pixelthink-nano/scene-text';
import type { PolicyTokenizer } from '../pixelthink-nano/tokens';
import type { GrpoTask } from './task';

/** The policy's prompt ids for a query about `image`, with the object list its perception front end reads there. */
export async function perceivedPromptIds(
  tokenizer: PolicyTokenizer,
  perceive: Perceive,
  image: PolicyImage,
  query: string,
): Promise<{ promptIds: number[]; objects: PerceivedObject[] }> {
  const objects = await perceive(image);
  return { promptIds: tokenizer.promptIds(query, objects), objects };
}

/** Stop on end-of-turn, decode without special tokens, count tokens inside <think>: the same for every nano task. */
export function policyTaskGlue(
  tokenizer: PolicyTokenizer,
): Pick<GrpoTask, 'stopTokens' | 'decode' | 'reasoningTokens'> {
  return {
    stopTokens: [tokenizer.eosId],
    decode: (tokens) => tokenizer.decode(tokens),
    reasoningTokens: (response) => tokenizer.encode(extractReasoning(response)).length,
  };
}

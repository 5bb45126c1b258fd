// What every pixelthink-nano GRPO task shares: the prompt from a perceived image, and the tokenizer glue of GrpoTask.
import { extractReasoning } from '../../rl/index';
import type { PolicyImage, PolicyPrompter } from '../pixelthink-nano/policy';
import type { PerceivedObject } from '../pixelthink-nano/scene-text';
import type { PolicyTokenizer } from '../pixelthink-nano/tokens';
import type { GrpoTask } from './task';

/** The policy's prompt ids for a query about `image`: its perception front end's objects and its selector's pick. */
export async function perceivedPromptIds(
  policy: PolicyPrompter,
  image: PolicyImage,
  query: string,
): Promise<{ promptIds: number[]; objects: PerceivedObject[] }> {
  const objects = await policy.perceive(image);
  return { promptIds: (await policy.prompt(objects, query)).ids, objects };
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

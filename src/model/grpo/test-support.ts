// A toy GRPO task for the tests: token ids stand for pieces of the method's answer, so src/rl's reward scores them.
import type { GroundTruth } from '../../rl/index';
import type { GrpoPrompt, GrpoTask } from './task';

export const TOY_TOKENS = Object.freeze({
  think: 0,
  reasoning: 1,
  endThink: 2,
  /** The answer that matches the ground truth: box IoU, box L1 and points all score. */
  right: 3,
  /** A well-formed answer elsewhere: only the answer-format term scores. */
  wrong: 4,
  stop: 5,
});

const PIECES: Readonly<Record<number, string>> = {
  [TOY_TOKENS.think]: '<think>',
  [TOY_TOKENS.reasoning]: ' the red one ',
  [TOY_TOKENS.endThink]: '</think>',
  [TOY_TOKENS.right]: '<answer>{"bbox":[100,100,200,200],"points_1":[150,150],"points_2":[160,160]}</answer>',
  [TOY_TOKENS.wrong]: '<answer>{"bbox":[500,500,600,600],"points_1":[550,550],"points_2":[560,560]}</answer>',
};

export const TOY_TRUTH: GroundTruth = {
  bbox: [100, 100, 200, 200],
  points: [
    [150, 150],
    [160, 160],
  ],
};

/** Every other id is a filler word. */
export function toyDecode(tokens: readonly number[]): string {
  return tokens.map((t) => PIECES[t] ?? ` w${t}`).join('');
}

/** Fixed prompts of filler ids (ids ≥ 6); step s takes prompts s·count … cyclically. */
export const TOY_PROMPTS: readonly GrpoPrompt[] = [
  [6, 7, 8, 9],
  [10, 11, 12],
  [13, 14, 15, 16, 17],
  [18, 19, 20],
].map((promptIds, i) => ({
  id: `toy-${i}`,
  promptIds,
  groundTruth: TOY_TRUTH,
  difficulty: 2,
  level: 'easy' as const,
}));

export function toyTask(): GrpoTask {
  return {
    description: { data: 'toy', prompts: TOY_PROMPTS.length },
    stopTokens: [TOY_TOKENS.stop],
    prompts: (step, count) =>
      Promise.resolve(
        Array.from(
          { length: count },
          (_, i) => TOY_PROMPTS[(step * count + i) % TOY_PROMPTS.length] as GrpoPrompt,
        ),
      ),
    decode: toyDecode,
  };
}

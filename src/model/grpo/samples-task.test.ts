// The labelled-samples GRPO task: prompts cycle through the samples by step, each image perceived once; and a reward
// change on the trainer reaches the next step and its checkpoint.
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { configureTransformersForNode } from '../hub/transformers-node';
import { selectedPrompt, type Perceive, type PolicyPrompter } from '../pixelthink-nano/policy';
import type { PerceivedObject } from '../pixelthink-nano/scene-text';
import { PolicyTokenizer } from '../pixelthink-nano/tokens';
import { LabelledTaskError, labelledSamplesTask } from './samples-task';
import type { LabelledSample } from './samples-task';

let tokenizer: PolicyTokenizer;
beforeAll(async () => {
  configureTransformersForNode(resolve('public/models'));
  tokenizer = await PolicyTokenizer.load('pixelthink-nano');
});

const OBJECT: PerceivedObject = {
  colour: 'red',
  shape: 'circle',
  size: 'small',
  x: 100,
  y: 120,
  bbox: [80, 100, 120, 140],
  points: [
    [95, 115],
    [105, 125],
  ],
};

/** A prompter whose selector always picks the first object. */
function prompter(perceive: Perceive): PolicyPrompter {
  return {
    tokenizer,
    perceive,
    prompt: (objects, query) => selectedPrompt(tokenizer, async () => 0, objects, query),
  };
}

function samples(reads: string[]): LabelledSample[] {
  return ['a', 'b', 'c'].map((id, i) => ({
    id,
    query: `the ${id} thing`,
    groundTruth: {
      bbox: [i, i, 100 + i, 100 + i],
      points: [
        [10, 10],
        [20, 20],
      ],
    },
    difficulty: i === 2 ? null : 2 + 3 * i,
    image: async () => {
      reads.push(id);
      return { rgba: new Uint8ClampedArray(4 * 4 * 4), width: 4, height: 4 };
    },
  }));
}

describe('labelled samples GRPO task', () => {
  it('cycles through the samples by step, perceiving each image once, with the sample truth', async () => {
    const reads: string[] = [];
    let perceived = 0;
    const task = labelledSamplesTask({
      policy: prompter(async () => {
        perceived++;
        return [OBJECT];
      }),
      samples: samples(reads),
    });
    expect(task.description).toEqual({
      data: 'labelled-samples',
      samples: ['a', 'b', 'c'],
      objects: 'perceived',
    });
    const step1 = await task.prompts(1, 2);
    expect(step1.map((p) => p.id)).toEqual(['c', 'a']);
    expect(step1[0]).toMatchObject({ difficulty: null, groundTruth: { bbox: [2, 2, 102, 102] } });
    expect(step1[1]?.promptIds).toEqual(tokenizer.promptIds('the a thing', [OBJECT], OBJECT));
    expect(step1[1]?.level).toBeUndefined(); // the reward's level of the difficulty
    expect((await task.prompts(1, 2)).map((p) => p.promptIds)).toEqual(step1.map((p) => p.promptIds));
    await task.prompts(0, 3);
    expect(reads.sort()).toEqual(['a', 'b', 'c']);
    expect(perceived).toBe(3);
    expect(task.stopTokens).toEqual([tokenizer.eosId]);
  });

  it('refuses an empty sample list, and retries an image that failed to read', async () => {
    expect(() => labelledSamplesTask({ policy: prompter(async () => []), samples: [] })).toThrow(
      LabelledTaskError,
    );
    let fail = true;
    const task = labelledSamplesTask({
      policy: prompter(async () => []),
      samples: [
        {
          id: 'x',
          query: 'the x',
          groundTruth: {
            bbox: [0, 0, 1, 1],
            points: [
              [0, 0],
              [1, 1],
            ],
          },
          difficulty: 5,
          image: async () => {
            if (fail) throw new Error('gone');
            return { rgba: new Uint8ClampedArray(4), width: 1, height: 1 };
          },
        },
      ],
    });
    await expect(task.prompts(0, 1)).rejects.toThrow('gone');
    fail = false;
    expect((await task.prompts(0, 1))[0]?.id).toBe('x');
  });
});

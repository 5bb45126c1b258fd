// The ShapeWorld GRPO task (prompts per step, both object sources) and the run settings' validation.
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sample } from '../../data/shapeworld/index';
import { configureTransformersForNode } from '../hub/transformers-node';
import { selectedPrompt, type Perceive, type PolicyPrompter, type Select } from '../pixelthink-nano/policy';
import { groundTruthObjects, leftToRightSample } from '../pixelthink-nano/sft-data';
import { PolicyTokenizer } from '../pixelthink-nano/tokens';
import { DEFAULT_GRPO_SETTINGS, GrpoSettingsError, resolveGrpoSettings } from './settings';
import { shapeWorldTask } from './shapeworld-task';

let tokenizer: PolicyTokenizer;
beforeAll(async () => {
  configureTransformersForNode(resolve('public/models'));
  tokenizer = await PolicyTokenizer.load('pixelthink-nano');
});

/** The last object, whatever the query: a selector the tests can predict. */
const lastObject: Select = async (objects) => objects.length - 1;

function prompter(perceive: Perceive = () => Promise.reject(new Error('not perceived'))): PolicyPrompter {
  return {
    tokenizer,
    perceive,
    prompt: (objects, query) => selectedPrompt(tokenizer, lastObject, objects, query),
  };
}

describe('ShapeWorld GRPO task', () => {
  it('gives step s the samples first + s·count …, with the policy prompt and the sample truth', async () => {
    const task = shapeWorldTask({ policy: prompter(), objects: 'gt', firstSample: 50 });
    const prompts = await task.prompts(2, 3);
    expect(prompts.map((p) => p.id)).toEqual([56, 57, 58].map((i) => sample('train', i).id));
    const record = sample('train', 57);
    const second = prompts[1];
    expect(second?.groundTruth).toEqual(record.gt);
    expect(second?.difficulty).toBe(record.difficulty);
    expect(second?.level).toBe(record.level);
    const objects = groundTruthObjects(leftToRightSample(record));
    expect(second?.promptIds).toEqual(tokenizer.promptIds(record.query, objects, objects.at(-1) ?? null));
    expect(await task.prompts(2, 3)).toEqual(prompts);
    expect(task.stopTokens).toEqual([tokenizer.eosId]);
    expect(task.reasoningTokens?.('<think>a b</think><answer>{}</answer>')).toBe(
      tokenizer.encode('a b').length,
    );
  });

  it('perceives the rendered scene when asked to (no target line when nothing is seen)', async () => {
    const seen: number[] = [];
    const perceive: Perceive = async (image) => {
      seen.push(image.width);
      return [];
    };
    const task = shapeWorldTask({ policy: prompter(perceive), objects: 'perceived', firstSample: 10 });
    const [prompt] = await task.prompts(0, 1);
    expect(seen).toEqual([128]);
    expect(prompt?.promptIds).toEqual(tokenizer.promptIds(sample('train', 10).query, [], null));
  });
});

describe('GRPO settings', () => {
  it('overlays given values on the defaults and validates every group', () => {
    const settings = resolveGrpoSettings({ grpo: { groupSize: 4 }, reward: { preset: 'seg-zero' } });
    expect(settings.grpo).toEqual({ ...DEFAULT_GRPO_SETTINGS.grpo, groupSize: 4 });
    expect(settings.reward.preset).toBe('seg-zero');
    expect(settings.reward.tau1).toBe(5);
    expect(() => resolveGrpoSettings({ steps: 0 })).toThrow(GrpoSettingsError);
    expect(() => resolveGrpoSettings({ grpo: { clip: 1.5 } })).toThrow(/clip/);
    expect(() => resolveGrpoSettings({ reward: { tau1: 1, tau2: 2 } })).toThrow(/tau/);
    expect(() => resolveGrpoSettings({ lora: { rank: 0 } })).toThrow(/rank/);
  });
});

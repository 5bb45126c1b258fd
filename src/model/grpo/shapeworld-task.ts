// ShapeWorld-Reason as a GRPO task for pixelthink-nano: the object list perceived on the rendered scene, or the true one.
import { renderScene, sample } from '../../data/shapeworld/index';
import type { Split } from '../../data/shapeworld/index';
import type { PolicyPrompter } from '../pixelthink-nano/policy';
import { groundTruthObjects, leftToRightSample } from '../pixelthink-nano/sft-data';
import { perceivedPromptIds, policyTaskGlue } from './policy-task';
import type { GrpoPrompt, GrpoTask } from './task';

/**
 * 'perceived': the perception front end reads the rendered scene, as the policy runs for a user (no ground truth
 * reaches the prompt). 'gt': the sample's true object list (cheaper; a perfect front end).
 */
export type ObjectSource = 'perceived' | 'gt';

export interface ShapeWorldTaskOptions {
  /** Builds the prompts (its perception front end reads the scene for 'perceived'; its selector always picks). */
  policy: PolicyPrompter;
  objects: ObjectSource;
  /** Default 'train'. */
  split?: Split;
  /**
   * Step s uses samples firstSample + s·count … (count = prompts per step). The default starts far past the samples
   * the SFT run saw (train 0–7199), so GRPO trains on scenes the decoder has never been taught.
   */
  firstSample?: number;
  /** Side the scene is rendered at for perception (the detector's own input size; default 128). */
  renderSize?: number;
}

export const DEFAULT_FIRST_SAMPLE = 1_000_000;

/** The policy's prompt for ShapeWorld sample (split, index), with the ground truth the reward scores against. */
export async function shapeWorldPrompt(
  options: ShapeWorldTaskOptions,
  split: Split,
  index: number,
): Promise<GrpoPrompt> {
  const record = sample(split, index);
  let promptIds: number[];
  if (options.objects === 'gt')
    promptIds = (await options.policy.prompt(groundTruthObjects(leftToRightSample(record)), record.query))
      .ids;
  else {
    const image = renderScene(record, options.renderSize ?? 128);
    ({ promptIds } = await perceivedPromptIds(options.policy, image, record.query));
  }
  return {
    id: record.id,
    promptIds,
    groundTruth: record.gt,
    difficulty: record.difficulty,
    level: record.level,
  };
}

export function shapeWorldTask(options: ShapeWorldTaskOptions): GrpoTask {
  const split = options.split ?? 'train';
  const first = options.firstSample ?? DEFAULT_FIRST_SAMPLE;
  const { tokenizer } = options.policy;
  return {
    description: {
      data: 'shapeworld-reason',
      split,
      firstSample: first,
      objects: options.objects,
      renderSize: options.objects === 'perceived' ? (options.renderSize ?? 128) : null,
    },
    ...policyTaskGlue(tokenizer),
    prompts: async (step, count) => {
      // One at a time: perception runs on the policy's backend.
      const prompts: GrpoPrompt[] = [];
      for (let i = 0; i < count; i++)
        prompts.push(await shapeWorldPrompt(options, split, first + step * count + i));
      return prompts;
    },
  };
}

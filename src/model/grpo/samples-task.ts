// The user's labelled samples as a GRPO task: each image perceived once by the policy's front end, cycled through by step.
import type { GroundTruth } from '../../rl/index';
import type { PolicyImage, PolicyPrompter } from '../pixelthink-nano/policy';
import { perceivedPromptIds, policyTaskGlue } from './policy-task';
import type { GrpoPrompt, GrpoTask } from './task';

/** One labelled sample as the task needs it; the image is read only when its prompt is first built. */
export interface LabelledSample {
  id: string;
  query: string;
  /** Box and points in the 840 answer frame. */
  groundTruth: GroundTruth;
  /** 1..10, or null (the reward counts 3.0). */
  difficulty: number | null;
  image(): Promise<PolicyImage>;
}

export interface LabelledTaskOptions {
  /** Perceives each image and builds its prompt. */
  policy: PolicyPrompter;
  /** In a fixed order (the run records their ids): step s uses samples s·count … cyclically. */
  samples: readonly LabelledSample[];
}

export class LabelledTaskError extends Error {
  override readonly name = 'LabelledTaskError';
}

export function labelledSamplesTask(options: LabelledTaskOptions): GrpoTask {
  const { policy, samples } = options;
  if (samples.length === 0) throw new LabelledTaskError('There are no labelled samples to train on.');
  const prompts = new Map<string, Promise<number[]>>();
  const promptOf = (sample: LabelledSample): Promise<number[]> => {
    let ids = prompts.get(sample.id);
    if (!ids) {
      ids = sample
        .image()
        .then((image) => perceivedPromptIds(policy, image, sample.query))
        .then((p) => p.promptIds);
      // A failed read is retried on the next use rather than remembered.
      ids.catch(() => prompts.delete(sample.id));
      prompts.set(sample.id, ids);
    }
    return ids;
  };
  return {
    description: { data: 'labelled-samples', samples: samples.map((s) => s.id), objects: 'perceived' },
    ...policyTaskGlue(policy.tokenizer),
    prompts: async (step, count) => {
      const out: GrpoPrompt[] = [];
      // One at a time: perception runs on the policy's backend.
      for (let i = 0; i < count; i++) {
        const sample = samples[(step * count + i) % samples.length] as LabelledSample;
        out.push({
          id: sample.id,
          promptIds: await promptOf(sample),
          groundTruth: sample.groundTruth,
          difficulty: sample.difficulty,
        });
      }
      return out;
    },
  };
}

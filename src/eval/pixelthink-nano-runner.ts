// Policy runners over pixelthink-nano: with its perception front end, or with the ground-truth object list (decoder only).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ShapeWorldSample } from '../data/shapeworld/index';
import type { Backend } from '../webgpu/backend';
import type { SamplingOptions } from '../model/generate';
import type { ProjectionAdapter, Transformer } from '../model/transformer';
import { loadPixelThinkNano, POLICY_MODEL_ID } from '../model/pixelthink-nano/folder';
import { PERCEPTION_FILE, perceptionFromCheckpoint } from '../model/pixelthink-nano/perceive';
import type { Perceive, PixelThinkNano } from '../model/pixelthink-nano/policy';
import { groundTruthObjects, leftToRightSample } from '../model/pixelthink-nano/sft-data';
import { EvalError } from './errors';
import { NANO_RENDER_SIZE, NANO_TOKEN_COUNTING, nanoAnswer } from './nano-policy';
import type { PolicyRunner } from './types';

export interface NanoRunnerOptions {
  /** Folder holding `pixelthink-nano/` (public/models). */
  modelRoot: string;
  /** Owned by the runner from then on: disposed with it. */
  backend: Backend & { dispose(): void };
  sampling: SamplingOptions;
  maxNewTokens: number;
  seed: number;
  /** A LoRA adapter (e.g. from a GRPO checkpoint) built for the loaded decoder; omitted, the base policy runs. */
  adapter?: (decoder: Transformer) => ProjectionAdapter;
}

/** Node reads the folder from disk. */
function diskReader(root: string) {
  return async (path: string): Promise<Uint8Array | null> => {
    try {
      return new Uint8Array(await readFile(join(root, POLICY_MODEL_ID, path)));
    } catch {
      return null;
    }
  };
}

/** The shipped policy from `<modelRoot>/pixelthink-nano` on disk, perception front end included, on `backend`. */
export async function loadPixelThinkNanoFromDisk(
  modelRoot: string,
  backend: Backend,
): Promise<PixelThinkNano> {
  const read = diskReader(modelRoot);
  const weights = await read(PERCEPTION_FILE);
  if (!weights) throw new EvalError(`${POLICY_MODEL_ID}: ${PERCEPTION_FILE} is missing`);
  return loadPixelThinkNano(POLICY_MODEL_ID, read, backend, perceptionFromCheckpoint(backend, weights));
}

/** The policy a user runs: the perception front end on the image, then the decoder. */
export async function createPixelThinkNanoRunner(options: NanoRunnerOptions): Promise<PolicyRunner> {
  const policy = await loadPixelThinkNanoFromDisk(options.modelRoot, options.backend);
  const adapter = options.adapter?.(policy.decoder);
  return {
    id: adapter ? `${POLICY_MODEL_ID}+lora` : POLICY_MODEL_ID,
    tokenCounting: NANO_TOKEN_COUNTING,
    renderSize: NANO_RENDER_SIZE,
    answer: (input) => nanoAnswer(policy, input, options, adapter),
    dispose: () => options.backend.dispose(),
  };
}

/**
 * The decoder alone: it reads the sample's true object list (a perfect front end). It measures what the decoder has
 * learned, an upper bound of the full policy; it is not the policy a user runs.
 */
export async function createGroundTruthObjectsRunner(options: NanoRunnerOptions): Promise<PolicyRunner> {
  let current: ShapeWorldSample | null = null;
  const perceive: Perceive = async () => {
    if (!current) throw new EvalError('pixelthink-nano-gt-objects needs input.sample');
    return groundTruthObjects(leftToRightSample(current));
  };
  const policy = await loadPixelThinkNano(
    POLICY_MODEL_ID,
    diskReader(options.modelRoot),
    options.backend,
    perceive,
  );
  const adapter = options.adapter?.(policy.decoder);
  return {
    id: adapter ? 'pixelthink-nano-gt-objects+lora' : 'pixelthink-nano-gt-objects',
    tokenCounting: NANO_TOKEN_COUNTING,
    answer: async (input) => {
      current = input.sample ?? null;
      return nanoAnswer(policy, input, options, adapter);
    },
    dispose: () => options.backend.dispose(),
  };
}

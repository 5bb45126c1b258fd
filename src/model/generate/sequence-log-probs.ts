// Teacher-forced log-probs and entropies of completions WITH autograd: what GRPO's loss back-propagates through.
import { broadcastTo, entropy, fromArray, mul, reshape, scale, scope, tokenLogProbs } from '../../webgpu';
import type { Tensor } from '../../webgpu';
import type { ProjectionAdapter, Transformer } from '../transformer';
import { GenerationOptionError } from './errors';

export interface SequenceLogProbsOptions {
  /** LoRA for the policy; omit for the reference (base) policy. */
  adapter?: ProjectionAdapter;
  /** Logits are divided by it first, as verl does for old/new log-probs; default 1. */
  temperature?: number;
  /** Vision features before the prompt, f32 [1, prefix, dim] (shared by every completion). */
  prefixEmbeddings?: Tensor;
  /** Recompute each layer in backward instead of keeping its activations (long responses). */
  checkpointLayers?: boolean;
}

export interface GroupLogProbs {
  /** log π(completion[g][t] | prompt, completion[g][<t]), f32 [G, L] (L = longest completion; padding 0). */
  logProbs: Tensor;
  /** Entropy of π at each completion position, f32 [G, L] (padding 0). */
  entropies: Tensor;
  /** 1 for real completion tokens, 0 for padding, row-major [G, L]: GRPO's response mask. */
  mask: Float32Array;
  lengths: number[];
}

function checkInputs(
  prompt: readonly number[],
  completions: readonly (readonly number[])[],
  options: SequenceLogProbsOptions,
): void {
  if (completions.length === 0) throw new GenerationOptionError('completions', 'none given');
  if (completions.some((c) => c.length === 0))
    throw new GenerationOptionError('completions', 'an empty completion has no tokens to score');
  if (prompt.length === 0 && !options.prefixEmbeddings) {
    throw new GenerationOptionError('prompt', 'needs at least one token or prefix embedding to condition on');
  }
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0 && Number.isFinite(temperature)))
    throw new GenerationOptionError('temperature', `must be positive, got ${temperature}`);
}

/** Inputs prompt + completion without its last token (nothing predicts past it), right-padded with id 0. */
function teacherForcedInputs(
  prompt: readonly number[],
  completions: readonly (readonly number[])[],
  longest: number,
): Int32Array {
  const width = prompt.length + longest - 1;
  const ids = new Int32Array(completions.length * width);
  completions.forEach((completion, g) => {
    ids.set(prompt, g * width);
    ids.set(completion.slice(0, -1), g * width + prompt.length);
  });
  return ids;
}

/** Target ids [G, L]; padding is −1, which tokenLogProbs scores 0 with no gradient. */
function targetsAndMask(
  completions: readonly (readonly number[])[],
  longest: number,
): { targets: Int32Array; mask: Float32Array } {
  const targets = new Int32Array(completions.length * longest).fill(-1);
  const mask = new Float32Array(completions.length * longest);
  completions.forEach((completion, g) => {
    targets.set(completion, g * longest);
    mask.fill(1, g * longest, g * longest + completion.length);
  });
  return { targets, mask };
}

/**
 * One batched forward over G completions of one prompt (the GRPO group). Run it inside `tape.record` to get gradients;
 * only tensors that require grad (LoRA adapters, or the base when trainable) receive them.
 */
export function groupLogProbs(
  model: Transformer,
  prompt: readonly number[],
  completions: readonly (readonly number[])[],
  options: SequenceLogProbsOptions = {},
): GroupLogProbs {
  checkInputs(prompt, completions, options);
  const group = completions.length;
  const longest = Math.max(...completions.map((c) => c.length));
  const { targets, mask } = targetsAndMask(completions, longest);
  const tensors = scope(() => {
    const backend = model.backend;
    const prefix = options.prefixEmbeddings;
    const width = prompt.length + longest - 1;
    const prefixLength = prefix?.shape[1] ?? 0;
    const inputIds =
      width > 0
        ? fromArray(teacherForcedInputs(prompt, completions, longest), [group, width], {
            backend,
            dtype: 'i32',
          })
        : undefined;
    const logits = model.forward({
      inputIds,
      prefixEmbeddings: prefix ? broadcastTo(prefix, [group, ...prefix.shape.slice(1)]) : undefined,
      adapter: options.adapter,
      checkpointLayers: options.checkpointLayers,
      // The logits at the last prompt position predict the first completion token.
      logitsFrom: prefixLength + prompt.length - 1,
    });
    const temperature = options.temperature ?? 1;
    const tempered = temperature === 1 ? logits : scale(logits, 1 / temperature);
    const maskTensor = fromArray(mask, [group, longest], { backend });
    return {
      logProbs: tokenLogProbs(tempered, fromArray(targets, [group, longest], { backend, dtype: 'i32' })),
      entropies: mul(entropy(tempered), maskTensor),
    };
  });
  return { ...tensors, mask, lengths: completions.map((c) => c.length) };
}

/** One completion: log-probs and entropies f32 [L] with autograd (see groupLogProbs). */
export function sequenceLogProbs(
  model: Transformer,
  prompt: readonly number[],
  completion: readonly number[],
  options: SequenceLogProbsOptions = {},
): { logProbs: Tensor; entropies: Tensor } {
  const group = groupLogProbs(model, prompt, [completion], options);
  const result = {
    logProbs: reshape(group.logProbs, [completion.length]),
    entropies: reshape(group.entropies, [completion.length]),
  };
  // The views share storage; dropping the [1, L] handles leaves nothing behind outside a scope.
  group.logProbs.dispose();
  group.entropies.dispose();
  return result;
}

// The GRPO loss of one step and its gradient to the LoRA tensors: token-mean over every response token of the step.
import { grpoTokenLoss } from '../../rl/index';
import type { GrpoParams, TokenLossResult } from '../../rl/index';
import { add, fromArray, scope } from '../../webgpu';
import type { Tensor } from '../../webgpu';
import { Tape } from '../../webgpu/autograd';
import { groupLogProbs } from '../generate/sequence-log-probs';
import type { ProjectionAdapter, Transformer } from '../transformer';

/** One prompt's group as the loss sees it: fixed rollouts (tokens, old log-probs) and their advantages. */
export interface LossGroup {
  promptIds: readonly number[];
  /** Generated ids per response (stop token included). */
  completions: readonly (readonly number[])[];
  /** Rollout log-probs of each completion's tokens at the sampling temperature. */
  oldLogProbs: readonly (readonly number[])[];
  /** One advantage per response, broadcast over its tokens. */
  advantages: readonly number[];
}

/** How host values are read: `tensor.data()` (f32) by default; the f64 gradient check reads full precision. */
export type ReadTensor = (tensor: Tensor) => Promise<ArrayLike<number>>;

export type LossParams = Pick<GrpoParams, 'clip' | 'klCoef' | 'entropyCoef' | 'temperature'>;

export interface LossOptions {
  params: LossParams;
  checkpointLayers?: boolean;
  read?: ReadTensor;
  /**
   * Called with each group's weighted loss before its backward; throw to stop the step (the guard). Gradients
   * accumulated so far are freed.
   */
  onGroupLoss?: (loss: TokenLossResult, group: number) => void;
}

/** Sums of the token-weighted terms over the step (each already a share of the step's token mean). */
export interface StepLoss {
  loss: number;
  pgLoss: number;
  kl: number | null;
  entropy: number;
  clipFraction: number;
  approxKl: number;
  /** Response tokens of the step: the token-mean denominator. */
  tokens: number;
}

const readData: ReadTensor = (tensor) => tensor.data();

/** The policy or the reference gave a non-finite log-prob or entropy: there is no loss to take (the guard's case). */
export class NonFiniteLossError extends Error {
  override readonly name = 'NonFiniteLossError';
}

function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/** [G, L] row-major, padding 0: per-response arrays laid out like groupLogProbs' outputs. */
function padded(rows: readonly (readonly number[])[], longest: number): Float64Array {
  const out = new Float64Array(rows.length * longest);
  rows.forEach((row, g) => out.set(row, g * longest));
  return out;
}

function tokenAdvantages(group: LossGroup, longest: number): Float64Array {
  return padded(
    group.completions.map((c, g) => new Array<number>(c.length).fill(group.advantages[g] ?? 0)),
    longest,
  );
}

/** grpoTokenLoss' token mean is over one group; rescaled by the group's share of tokens it is the step's mean. */
function weighted(result: TokenLossResult, weight: number): TokenLossResult {
  const scaled = (values: Float64Array | null) => values && values.map((v) => v * weight);
  return {
    ...result,
    loss: result.loss * weight,
    pgLoss: result.pgLoss * weight,
    kl: result.kl === null ? null : result.kl * weight,
    entropy: result.entropy === null ? null : result.entropy * weight,
    clipFraction: result.clipFraction * weight,
    approxKl: result.approxKl * weight,
    gradLogProbs: scaled(result.gradLogProbs) as Float64Array,
    gradEntropies: scaled(result.gradEntropies),
  };
}

async function readAndFree(tensors: { logProbs: Tensor; entropies: Tensor }, read: ReadTensor) {
  try {
    return { logProbs: await read(tensors.logProbs), entropies: await read(tensors.entropies) };
  } finally {
    tensors.logProbs.dispose();
    tensors.entropies.dispose();
  }
}

/** Backward from the policy's log-probs (and entropies when they are weighted) seeded with the host loss' gradients. */
function backward(
  model: Transformer,
  tape: Tape,
  policy: { logProbs: Tensor; entropies: Tensor },
  result: TokenLossResult,
  params: LossParams,
  wrt: readonly Tensor[],
): Tensor[] {
  const backend = model.backend;
  const shape = policy.logProbs.shape;
  return scope(() => {
    const seeds = [fromArray(result.gradLogProbs, shape, { backend })];
    const outputs = [policy.logProbs];
    if (params.entropyCoef !== 0 && result.gradEntropies) {
      seeds.push(fromArray(result.gradEntropies, shape, { backend }));
      outputs.push(policy.entropies);
    }
    return tape.gradOfOutputs(outputs, seeds, wrt);
  });
}

function accumulate(sum: Tensor[] | null, grads: Tensor[]): Tensor[] {
  if (sum === null) return grads;
  const next = scope(() => sum.map((s, i) => add(s, grads[i] as Tensor)));
  for (const t of [...sum, ...grads]) t.dispose();
  return next;
}

/**
 * verl's actor loss for one step: per token max(−A·r, −A·clip(r, 1±ε)) + klCoef·k3(ref) − entropyCoef·H, averaged
 * over all response tokens of all groups (token-mean), r = exp(logp − old), logp and H under the policy (base +
 * adapter) at temperature T, ref under the base alone. With `wrt`, returns the gradients of that loss with respect
 * to those tensors (one forward + backward per group, accumulated); the loss itself is computed on the host by
 * src/rl's grpoTokenLoss, whose d loss / d logp and d loss / d H seed the backward.
 */
export async function grpoStepLoss(
  model: Transformer,
  adapter: ProjectionAdapter,
  groups: readonly LossGroup[],
  options: LossOptions,
  wrt: readonly Tensor[] = [],
): Promise<{ loss: StepLoss; grads: Tensor[] | null }> {
  const { params } = options;
  const read = options.read ?? readData;
  const total = groups.reduce((n, g) => n + g.completions.reduce((m, c) => m + c.length, 0), 0);
  const step: StepLoss = {
    loss: 0,
    pgLoss: 0,
    kl: params.klCoef > 0 ? 0 : null,
    entropy: 0,
    clipFraction: 0,
    approxKl: 0,
    tokens: total,
  };
  let sum: Tensor[] | null = null;
  try {
    for (const [index, group] of groups.entries()) {
      const tokens = group.completions.reduce((m, c) => m + c.length, 0);
      const common = {
        temperature: params.temperature,
        ...(options.checkpointLayers ? { checkpointLayers: true } : {}),
      };
      // The reference policy: the same base without the adapter, no tape.
      const reference =
        params.klCoef > 0
          ? (await readAndFree(groupLogProbs(model, group.promptIds, group.completions, common), read))
              .logProbs
          : undefined;
      const tape = new Tape();
      let policy: ReturnType<typeof groupLogProbs> | null = null;
      try {
        policy = tape.record(() =>
          groupLogProbs(model, group.promptIds, group.completions, { ...common, adapter }),
        );
        const longest = Math.max(...policy.lengths);
        // Read without freeing: backward needs the handles.
        const logProbs = await read(policy.logProbs);
        const entropies = await read(policy.entropies);
        if (!allFinite(logProbs) || !allFinite(entropies) || (reference && !allFinite(reference)))
          throw new NonFiniteLossError(`group ${index}: non-finite log-probs or entropies`);
        const result = weighted(
          grpoTokenLoss(
            {
              logProbs,
              oldLogProbs: padded(group.oldLogProbs, longest),
              ...(reference ? { refLogProbs: reference } : {}),
              advantages: tokenAdvantages(group, longest),
              mask: policy.mask,
              entropies,
            },
            params,
          ),
          total > 0 ? tokens / total : 0,
        );
        step.loss += result.loss;
        step.pgLoss += result.pgLoss;
        if (step.kl !== null) step.kl += result.kl ?? 0;
        step.entropy += result.entropy ?? 0;
        step.clipFraction += result.clipFraction;
        step.approxKl += result.approxKl;
        options.onGroupLoss?.(result, index);
        if (wrt.length > 0) sum = accumulate(sum, backward(model, tape, policy, result, params, wrt));
      } finally {
        tape.dispose();
        policy?.logProbs.dispose();
        policy?.entropies.dispose();
      }
    }
  } catch (error) {
    for (const t of sum ?? []) t.dispose();
    throw error;
  }
  return { loss: step, grads: sum };
}

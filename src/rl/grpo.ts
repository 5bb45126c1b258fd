// GRPO as released (method.md §6, verl): group advantages and the token-level clipped loss with its gradients.
import { GrpoInputError, GrpoParamError } from './errors';

export interface GrpoParams {
  /** PPO clip range ε: the ratio is clamped to [1 − ε, 1 + ε]. */
  clip: number;
  /** Weight of the k3 KL to the reference policy. */
  klCoef: number;
  /** Weight of the entropy bonus (subtracted from the loss). */
  entropyCoef: number;
  lr: number;
  weightDecay: number;
  /** Max global gradient norm. */
  gradClip: number;
  /** Samples per prompt. */
  groupSize: number;
  promptsPerStep: number;
  temperature: number;
  maxNewTokens: number;
}

export const DEFAULT_GRPO_PARAMS: Readonly<GrpoParams> = Object.freeze({
  clip: 0.2,
  klCoef: 5e-3,
  entropyCoef: 1e-3,
  lr: 1e-6,
  weightDecay: 0.01,
  gradClip: 1.0,
  groupSize: 8,
  promptsPerStep: 16,
  temperature: 1.0,
  maxNewTokens: 1300,
});

/** Added to the group's standard deviation, as verl does. */
export const ADVANTAGE_EPSILON = 1e-6;

/** verl clamps the per-token k3 KL to [−10, 10]. */
export const KL_CLAMP = 10;

const INTEGER_PARAMS = ['groupSize', 'promptsPerStep', 'maxNewTokens'] as const;
const REAL_PARAMS = [
  'clip',
  'klCoef',
  'entropyCoef',
  'lr',
  'weightDecay',
  'gradClip',
  'temperature',
] as const;
const KNOWN_PARAMS: readonly string[] = Object.keys(DEFAULT_GRPO_PARAMS);

/** Throws a GrpoParamError naming the first parameter that is unknown or out of its domain. */
export function validateGrpoParams(params: GrpoParams): void {
  const unknown = Object.keys(params).find((key) => !KNOWN_PARAMS.includes(key));
  if (unknown !== undefined) throw new GrpoParamError(unknown, 'unknown GRPO parameter');
  for (const name of REAL_PARAMS) {
    const value: unknown = params[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new GrpoParamError(name, `must be a non-negative finite number, got ${String(value)}`);
    }
  }
  for (const name of INTEGER_PARAMS) {
    const value: unknown = params[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new GrpoParamError(name, `must be a positive integer, got ${String(value)}`);
    }
  }
  if (params.clip >= 1) throw new GrpoParamError('clip', `must be below 1, got ${params.clip}`);
  if (params.temperature === 0) throw new GrpoParamError('temperature', 'must be positive');
}

export function resolveGrpoParams(partial: Partial<GrpoParams> = {}): GrpoParams {
  const given = Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined));
  const params: GrpoParams = { ...DEFAULT_GRPO_PARAMS, ...given };
  validateGrpoParams(params);
  return params;
}

// ---------------------------------------------------------------------------------------------------------
// Advantages.

function checkFinite(values: ArrayLike<number>, field: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]))
      throw new GrpoInputError(`${field}[${i}]`, `must be finite, got ${values[i]}`);
  }
}

/**
 * (r − mean) / (unbiased std + 1e-6) within one group. A group of one gets 0: it has no baseline to learn from
 * (verl would divide by a std of 1 instead and keep r / (1 + 1e-6)).
 */
export function groupAdvantages(rewards: readonly number[]): number[] {
  checkFinite(rewards, 'rewards');
  const n = rewards.length;
  if (n <= 1) return rewards.map(() => 0);
  const mean = rewards.reduce((sum, r) => sum + r, 0) / n;
  const variance = rewards.reduce((sum, r) => sum + (r - mean) ** 2, 0) / (n - 1);
  const scale = Math.sqrt(variance) + ADVANTAGE_EPSILON;
  return rewards.map((r) => (r - mean) / scale);
}

/** Advantages for a batch whose samples belong to groups (one group id per sample, e.g. the prompt index). */
export function advantagesByGroup(
  rewards: readonly number[],
  groupIds: readonly (string | number)[],
): number[] {
  if (groupIds.length !== rewards.length) {
    throw new GrpoInputError('groupIds', `has ${groupIds.length} ids for ${rewards.length} rewards`);
  }
  const members = new Map<string | number, number[]>();
  groupIds.forEach((id, i) => {
    const indices = members.get(id);
    if (indices) indices.push(i);
    else members.set(id, [i]);
  });
  const advantages = new Array<number>(rewards.length).fill(0);
  for (const indices of members.values()) {
    const group = groupAdvantages(indices.map((i) => rewards[i] ?? NaN));
    indices.forEach((sampleIndex, k) => (advantages[sampleIndex] = group[k] ?? 0));
  }
  return advantages;
}

/** One advantage per sequence, repeated over that sequence's tokens (the flat token layout of the loss). */
export function broadcastAdvantages(
  sequenceAdvantages: readonly number[],
  lengths: readonly number[],
): Float64Array {
  if (lengths.length !== sequenceAdvantages.length) {
    throw new GrpoInputError(
      'lengths',
      `has ${lengths.length} entries for ${sequenceAdvantages.length} sequences`,
    );
  }
  const total = lengths.reduce((sum, length, i) => {
    if (!Number.isSafeInteger(length) || length < 0)
      throw new GrpoInputError(`lengths[${i}]`, 'must be a count');
    return sum + length;
  }, 0);
  const out = new Float64Array(total);
  let offset = 0;
  lengths.forEach((length, i) => {
    out.fill(sequenceAdvantages[i] ?? 0, offset, offset + length);
    offset += length;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Token-level loss.

/** Per-token k3 estimate of KL(π‖π_ref): exp(ref − logp) − (ref − logp) − 1, clamped to [−10, 10]. */
export function k3Kl(logProb: number, refLogProb: number): number {
  const diff = refLogProb - logProb;
  return Math.min(KL_CLAMP, Math.max(-KL_CLAMP, Math.exp(diff) - diff - 1));
}

/** d k3 / d logp = 1 − exp(ref − logp), and 0 where the clamp is active (torch.clamp passes the bounds). */
function k3KlGradient(logProb: number, refLogProb: number): number {
  const diff = refLogProb - logProb;
  const raw = Math.exp(diff) - diff - 1;
  return raw >= -KL_CLAMP && raw <= KL_CLAMP ? 1 - Math.exp(diff) : 0;
}

/** Flat token arrays (all sequences concatenated, or [batch × length] row-major with padding masked out). */
export interface TokenLossInput {
  /** log π_θ(token), the values the gradient is taken with respect to. */
  logProbs: ArrayLike<number>;
  /** log π_old(token) from the rollout policy. */
  oldLogProbs: ArrayLike<number>;
  /** log π_ref(token); without it the KL term is left out (verl's use_kl_loss = false). */
  refLogProbs?: ArrayLike<number>;
  /** Per-token advantage (see broadcastAdvantages). */
  advantages: ArrayLike<number>;
  /** 1 for response tokens, 0 for padding (weights ≥ 0 are allowed: verl's masked_mean multiplies). */
  mask: ArrayLike<number>;
  /** Per-token entropy of π_θ; without it the entropy bonus is left out. */
  entropies?: ArrayLike<number>;
}

export interface TokenLossResult {
  /** pgLoss − entropyCoef·entropy + klCoef·kl, each a mask-weighted token mean. */
  loss: number;
  pgLoss: number;
  /** Mean clamped k3 KL to the reference, or null without refLogProbs. */
  kl: number | null;
  /** Mean entropy, or null without entropies. */
  entropy: number | null;
  /** Share of tokens where the clipped branch is strictly larger (verl's pg_clipfrac). */
  clipFraction: number;
  /** Mean of old − new log-probability (verl's ppo_kl), for monitoring. */
  approxKl: number;
  /** Σ mask: the token-mean denominator. */
  validTokens: number;
  /** d loss / d logProbs[t]. */
  gradLogProbs: Float64Array;
  /** d loss / d entropies[t] (= −entropyCoef·mask[t]/N), or null without entropies. */
  gradEntropies: Float64Array | null;
}

function checkInput(input: TokenLossInput): number {
  const length = input.logProbs.length;
  const arrays: [string, ArrayLike<number> | undefined][] = [
    ['logProbs', input.logProbs],
    ['oldLogProbs', input.oldLogProbs],
    ['refLogProbs', input.refLogProbs],
    ['advantages', input.advantages],
    ['mask', input.mask],
    ['entropies', input.entropies],
  ];
  for (const [field, values] of arrays) {
    if (values === undefined) continue;
    if (values.length !== length)
      throw new GrpoInputError(field, `has ${values.length} tokens, expected ${length}`);
    checkFinite(values, field);
  }
  for (let t = 0; t < length; t++) {
    if ((input.mask[t] ?? 0) < 0) throw new GrpoInputError(`mask[${t}]`, 'must be non-negative');
  }
  return length;
}

interface PolicyTerm {
  value: number;
  gradient: number;
  clippedWins: boolean;
}

/**
 * Per-token policy-gradient term max(−A·r, −A·clip(r, 1−ε, 1+ε)), r = exp(logp − old), and its derivative
 * in logp: −A·r unless the clipped branch is strictly larger, where the clamp is flat and it is 0. (At a tie
 * torch splits the gradient between equal branches, which adds up to −A·r again.)
 */
function policyGradientTerm(
  logProb: number,
  oldLogProb: number,
  advantage: number,
  clip: number,
): PolicyTerm {
  const ratio = Math.exp(logProb - oldLogProb);
  const unclipped = -advantage * ratio;
  const clipped = -advantage * Math.min(1 + clip, Math.max(1 - clip, ratio));
  const clippedWins = clipped > unclipped;
  return { value: clippedWins ? clipped : unclipped, gradient: clippedWins ? 0 : unclipped, clippedWins };
}

/**
 * verl's actor loss for one batch of tokens, with the gradient the engine back-propagates. With no valid token
 * (Σ mask = 0) everything is 0 (verl would divide by zero). Scaling for gradient accumulation is the caller's.
 */
export function grpoTokenLoss(
  input: TokenLossInput,
  params: Pick<GrpoParams, 'clip' | 'klCoef' | 'entropyCoef'> = DEFAULT_GRPO_PARAMS,
): TokenLossResult {
  const length = checkInput(input);
  const { logProbs, oldLogProbs, refLogProbs, advantages, mask, entropies } = input;
  let validTokens = 0;
  for (let t = 0; t < length; t++) validTokens += mask[t] ?? 0;
  const weightOf = (t: number) => (validTokens > 0 ? (mask[t] ?? 0) / validTokens : 0);

  let pgLoss = 0;
  let kl = 0;
  let entropy = 0;
  let clipFraction = 0;
  let approxKl = 0;
  const gradLogProbs = new Float64Array(length);
  const gradEntropies = entropies ? new Float64Array(length) : null;
  for (let t = 0; t < length; t++) {
    const weight = weightOf(t);
    const logProb = logProbs[t] ?? 0;
    const oldLogProb = oldLogProbs[t] ?? 0;
    const pg = policyGradientTerm(logProb, oldLogProb, advantages[t] ?? 0, params.clip);
    pgLoss += weight * pg.value;
    clipFraction += pg.clippedWins ? weight : 0;
    approxKl += weight * (oldLogProb - logProb);
    let gradient = pg.gradient;
    if (refLogProbs) {
      const refLogProb = refLogProbs[t] ?? 0;
      kl += weight * k3Kl(logProb, refLogProb);
      gradient += params.klCoef * k3KlGradient(logProb, refLogProb);
    }
    gradLogProbs[t] = weight * gradient;
    if (entropies && gradEntropies) {
      entropy += weight * (entropies[t] ?? 0);
      gradEntropies[t] = -params.entropyCoef * weight;
    }
  }
  const klMean = refLogProbs ? kl : null;
  const entropyMean = entropies ? entropy : null;
  const loss = pgLoss - params.entropyCoef * (entropyMean ?? 0) + params.klCoef * (klMean ?? 0);
  return {
    loss,
    pgLoss,
    kl: klMean,
    entropy: entropyMean,
    clipFraction,
    approxKl,
    validTokens,
    gradLogProbs,
    gradEntropies,
  };
}

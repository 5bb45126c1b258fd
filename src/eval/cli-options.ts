// Command-line options of `npm run eval`, parsed and validated without Node APIs so they can be tested in-process.
import { SPLITS, SPLIT_SIZES } from '../data/shapeworld/index';
import type { Split } from '../data/shapeworld/index';
import { DEFAULT_REWARD_PARAMS, RewardParamError, resolveRewardParams } from '../rl/index';
import type { LengthMode, RewardParams, RewardPreset } from '../rl/index';
import { EvalError, EvalOptionError, UnknownRunnerError } from './errors';
import type { RunnerKind } from './errors';
import { sampleRange } from './evaluate';

export class CliUsageError extends EvalError {
  override name = 'CliUsageError';
}

export interface EvalCliOptions {
  policy: string;
  segmenter: string;
  split: Split;
  n: number;
  offset: number;
  /** Where to write the JSON report; null for none. */
  json: string | null;
  /** A train:grpo checkpoint or an exported adapter file to run the policy with; null for the base policy. */
  adapter: string | null;
  /** wasm threads of engine-run policies. */
  threads: number | 'auto';
  /** The reward flags' parameters over the defaults (validated). */
  rewardParams: RewardParams;
  /** Only the reward parameters given as flags: they also win over an adapter's recorded reward. */
  rewardOverrides: Partial<RewardParams>;
}

export type EvalCommand = { kind: 'help' } | { kind: 'run'; options: EvalCliOptions };

export interface RunnerListing {
  id: string;
  description: string;
}

export interface KnownRunners {
  policies: readonly RunnerListing[];
  segmenters: readonly RunnerListing[];
}

/** Flag → reward parameter. Every reward parameter a user tunes in the app can be set here too. */
const NUMERIC_REWARD_FLAGS = {
  tau1: 'tau1',
  tau2: 'tau2',
  gamma: 'gamma',
  'low-budget': 'lowBudget',
  'base-budget': 'baseBudget',
  alpha: 'alpha',
  beta: 'beta',
} as const satisfies Record<string, keyof RewardParams>;

const CHOICE_REWARD_FLAGS = {
  'reward-preset': 'preset',
  'length-mode': 'lengthMode',
} as const satisfies Record<string, keyof RewardParams>;

const RUN_FLAGS = ['policy', 'segmenter', 'split', 'n', 'offset', 'json', 'adapter', 'threads'] as const;
const KNOWN_FLAGS: readonly string[] = [
  ...RUN_FLAGS,
  ...Object.keys(NUMERIC_REWARD_FLAGS),
  ...Object.keys(CHOICE_REWARD_FLAGS),
];

function listing(runners: readonly RunnerListing[]): string {
  return runners.map((r) => `\n                  ${r.id.padEnd(12)} ${r.description}`).join('');
}

export function evalUsage(known: KnownRunners): string {
  const d = DEFAULT_REWARD_PARAMS;
  return `usage: npm run eval -- --policy ID --segmenter ID [--split test] [--n N] [--offset K] [--json FILE]
         [--adapter FILE] [--threads N|auto]
         [--reward-preset pixelthink|seg-zero] [--tau1 X] [--tau2 X] [--gamma X] [--length-mode words|reasoning-tokens]
         [--low-budget X] [--base-budget X] [--alpha X] [--beta X]
  --policy        policy runner:${listing(known.policies)}
  --segmenter     segmenter runner:${listing(known.segmenters)}
  --split         ${SPLITS.join(', ')} (default test; val has ${SPLIT_SIZES.val} samples, test ${SPLIT_SIZES.test}, train is endless)
  --n             number of samples (default: the rest of the split; required for train)
  --offset        first sample index (default 0)
  --json          also write the summary and per-sample rows as JSON to FILE
  --adapter       run pixelthink-nano with a LoRA adapter: a train:grpo checkpoint or an exported adapter file
                  (Adapters → Export); the reward then defaults to the one it was trained with (flags win)
  --threads       wasm threads of pixelthink-nano (default auto: all cores)
  --reward-preset pixelthink (accuracy × soft length factor, default) or seg-zero (accuracy only)
  --tau1/--tau2   difficulty thresholds of the hard and medium branches (default ${d.tau1}, ${d.tau2})
  --gamma         weight of external difficulty against uncertainty, 0..1 (default ${d.gamma}; the paper lists 0.7)
  --length-mode   words (whole response, default) or reasoning-tokens (tokens inside <think>, from the policy)
  --low-budget, --base-budget, --alpha, --beta   L_low, L_base, α, β (default ${d.lowBudget}, ${d.baseBudget}, ${d.alpha}, ${d.beta})`;
}

/** Reads `--key value` and `--key=value` pairs; every flag takes a value. */
function readPairs(argv: readonly string[]): Map<string, string> {
  const pairs = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new CliUsageError(`unexpected argument "${arg}"`);
    const [key = '', inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (!KNOWN_FLAGS.includes(key)) throw new CliUsageError(`unknown option --${key}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new CliUsageError(`--${key} needs a value`);
    if (pairs.has(key)) throw new CliUsageError(`--${key} given twice`);
    pairs.set(key, value);
  }
  return pairs;
}

function parseInteger(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new CliUsageError(`--${flag} must be a non-negative integer, got "${text}"`);
  return Number(text);
}

function parseNumber(flag: string, text: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) {
    throw new CliUsageError(`--${flag} must be a number, got "${text}"`);
  }
  return Number(text);
}

function requiredRunner(
  pairs: Map<string, string>,
  kind: RunnerKind,
  known: readonly RunnerListing[],
): string {
  const ids = known.map((r) => r.id);
  const id = pairs.get(kind);
  if (id === undefined) throw new CliUsageError(`--${kind} is required (one of ${ids.join(', ')})`);
  if (!ids.includes(id))
    throw new CliUsageError(`--${kind}: ${new UnknownRunnerError(kind, id, ids).message}`);
  return id;
}

function flagOf(param: string): string {
  const flags: Record<string, string> = { ...NUMERIC_REWARD_FLAGS, ...CHOICE_REWARD_FLAGS };
  return Object.keys(flags).find((flag) => flags[flag] === param) ?? param;
}

function rewardOverrides(pairs: Map<string, string>): Partial<RewardParams> {
  const overrides: Partial<RewardParams> = {};
  // Cast only to hand the text over: resolveRewardParams rejects anything that is not a known choice.
  const preset = pairs.get('reward-preset') as RewardPreset | undefined;
  const lengthMode = pairs.get('length-mode') as LengthMode | undefined;
  if (preset !== undefined) overrides.preset = preset;
  if (lengthMode !== undefined) overrides.lengthMode = lengthMode;
  for (const [flag, param] of Object.entries(NUMERIC_REWARD_FLAGS)) {
    const text = pairs.get(flag);
    if (text !== undefined) overrides[param] = parseNumber(flag, text);
  }
  return overrides;
}

/** The parameters of `base` with `overrides` on top; a bad value is reported under the flag that names it. */
export function resolveCliRewardParams(
  overrides: Partial<RewardParams>,
  base: Partial<RewardParams> = {},
): RewardParams {
  try {
    return resolveRewardParams({ ...base, ...overrides });
  } catch (error) {
    if (!(error instanceof RewardParamError)) throw error;
    const reason = error.message.startsWith(`${error.param}: `)
      ? error.message.slice(error.param.length + 2)
      : error.message;
    throw new CliUsageError(`--${flagOf(error.param)} ${reason}`);
  }
}

function parseThreads(text: string | undefined): number | 'auto' {
  if (text === undefined || text === 'auto') return 'auto';
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new CliUsageError(`--threads must be auto or a positive integer, got "${text}"`);
  return Number(text);
}

function range(pairs: Map<string, string>): { split: Split; n: number; offset: number } {
  const n = parseInteger('n', pairs.get('n'));
  const offset = parseInteger('offset', pairs.get('offset'));
  try {
    const { split, count, offset: first } = sampleRange(pairs.get('split') ?? 'test', n, offset);
    return { split, n: count, offset: first };
  } catch (error) {
    if (error instanceof EvalOptionError) throw new CliUsageError(`--${error.message}`);
    throw error;
  }
}

export function parseEvalArgs(argv: readonly string[], known: KnownRunners): EvalCommand {
  if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help' };
  const pairs = readPairs(argv);
  const overrides = rewardOverrides(pairs);
  return {
    kind: 'run',
    options: {
      policy: requiredRunner(pairs, 'policy', known.policies),
      segmenter: requiredRunner(pairs, 'segmenter', known.segmenters),
      ...range(pairs),
      json: pairs.get('json') ?? null,
      adapter: pairs.get('adapter') ?? null,
      threads: parseThreads(pairs.get('threads')),
      rewardParams: resolveCliRewardParams(overrides),
      rewardOverrides: overrides,
    },
  };
}

// Tests of the eval CLI's option parsing: defaults, reward flags, and a clear message for every bad input.
import { describe, expect, it } from 'vitest';
import { DEFAULT_REWARD_PARAMS } from '../rl/index';
import { CliUsageError, evalUsage, parseEvalArgs, resolveCliRewardParams } from './cli-options';
import type { EvalCliOptions, KnownRunners } from './cli-options';

const KNOWN: KnownRunners = {
  policies: [
    { id: 'oracle', description: 'short' },
    { id: 'oracle-long', description: 'long' },
  ],
  segmenters: [{ id: 'oracle', description: 'exact' }],
};
const BASE = ['--policy', 'oracle', '--segmenter', 'oracle'];

function options(...extra: string[]): EvalCliOptions {
  const command = parseEvalArgs([...BASE, ...extra], KNOWN);
  if (command.kind !== 'run') throw new Error('expected a run');
  return command.options;
}

function usageError(...argv: string[]): string {
  try {
    parseEvalArgs(argv, KNOWN);
  } catch (error) {
    if (error instanceof CliUsageError) return error.message;
    throw error;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe('parseEvalArgs', () => {
  it('defaults to the whole test split and the released reward', () => {
    expect(options()).toEqual({
      policy: 'oracle',
      segmenter: 'oracle',
      split: 'test',
      n: 1000,
      offset: 0,
      json: null,
      adapter: null,
      threads: 'auto',
      rewardParams: DEFAULT_REWARD_PARAMS,
      rewardOverrides: {},
    });
  });

  it('reads the adapter file and the thread count', () => {
    expect(options('--adapter', 'runs/a.safetensors', '--threads', '1')).toMatchObject({
      adapter: 'runs/a.safetensors',
      threads: 1,
    });
    expect(options('--threads=auto').threads).toBe('auto');
  });

  it("keeps the reward flags apart, so they win over an adapter's recorded reward and nothing else does", () => {
    const { rewardOverrides } = options('--beta', '0.01', '--reward-preset', 'seg-zero');
    expect(rewardOverrides).toEqual({ beta: 0.01, preset: 'seg-zero' });
    const recorded = { preset: 'pixelthink' as const, lowBudget: 48, beta: 0.002 };
    expect(resolveCliRewardParams(rewardOverrides, recorded)).toEqual({
      ...DEFAULT_REWARD_PARAMS,
      lowBudget: 48,
      beta: 0.01,
      preset: 'seg-zero',
    });
    expect(resolveCliRewardParams({}, recorded)).toEqual({ ...DEFAULT_REWARD_PARAMS, ...recorded });
  });

  it('reads the range, the JSON path and every reward flag, in both spellings', () => {
    const parsed = options(
      '--split=val',
      '--n',
      '20',
      '--offset=480',
      '--json',
      'out/eval.json',
      '--reward-preset',
      'seg-zero',
      '--tau1=6',
      '--tau2',
      '2.5',
      '--gamma',
      '0.7',
      '--length-mode',
      'reasoning-tokens',
      '--beta',
      '1e-3',
    );
    expect(parsed).toMatchObject({ split: 'val', n: 20, offset: 480, json: 'out/eval.json' });
    expect(parsed.rewardParams).toMatchObject({
      preset: 'seg-zero',
      tau1: 6,
      tau2: 2.5,
      gamma: 0.7,
      lengthMode: 'reasoning-tokens',
      beta: 0.001,
    });
  });

  it('asks for help', () => {
    expect(parseEvalArgs(['--policy', 'nope', '--help'], KNOWN)).toEqual({ kind: 'help' });
    expect(evalUsage(KNOWN)).toMatch(/oracle-long\s+long/);
  });

  it.each([
    [['--segmenter', 'oracle'], /--policy is required \(one of oracle, oracle-long\)/],
    [
      ['--policy', 'gpt', '--segmenter', 'oracle'],
      /unknown policy "gpt"; known policy ids: oracle, oracle-long/,
    ],
    [['--policy', 'oracle', '--segmenter', 'sam'], /unknown segmenter "sam"; known segmenter ids: oracle/],
    [[...BASE, '--split', 'dev'], /--split: must be one of train, val, test/],
    [[...BASE, '--n', '0'], /--n: must be an integer in 1..1000/],
    [[...BASE, '--n', 'ten'], /--n must be a non-negative integer, got "ten"/],
    [[...BASE, '--offset', '990', '--n', '20'], /--n: must be an integer in 1..10/],
    [[...BASE, '--split', 'train'], /endless/],
    [[...BASE, '--tau1', '3', '--tau2', '4'], /--tau1 must be >= tau2/],
    [[...BASE, '--gamma', '1.5'], /--gamma must be within \[0, 1\]/],
    [[...BASE, '--tau1', 'high'], /--tau1 must be a number/],
    [[...BASE, '--reward-preset', 'fast'], /--reward-preset must be one of pixelthink, seg-zero/],
    [[...BASE, '--length-mode', 'chars'], /--length-mode must be one of words, reasoning-tokens/],
    [[...BASE, '--frobnicate', '1'], /unknown option --frobnicate/],
    [[...BASE, '--n'], /--n needs a value/],
    [[...BASE, '--n', '2', '--n', '3'], /--n given twice/],
    [[...BASE, 'extra'], /unexpected argument "extra"/],
    [[...BASE, '--threads', '0'], /--threads must be auto or a positive integer, got "0"/],
    [[...BASE, '--threads', 'many'], /--threads must be auto or a positive integer, got "many"/],
  ])('rejects %j', (argv, message) => {
    expect(usageError(...argv)).toMatch(message);
  });
});

// Tests of the vectors file handling (structure, snake_case params, mismatch detection) and of the reward CLI.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VectorsFormatError } from './errors';
import { REPO_ROOT, readJsonFile } from './test-support';
import { checkRewardVectors, formatMismatch, parseRewardVectors, rewardParamsFromVector } from './vectors';

const publicJson = readJsonFile('tests/vectors/reward-public.json') as { cases: Record<string, unknown>[] };

function withCase(index: number, change: (c: Record<string, unknown>) => void): unknown {
  const copy = structuredClone(publicJson);
  const target = copy.cases[index];
  if (target === undefined) throw new Error(`no case ${index}`);
  change(target);
  return copy;
}

function formatErrorPath(data: unknown): string {
  try {
    parseRewardVectors(data);
  } catch (error) {
    if (error instanceof VectorsFormatError) return error.path;
    throw error;
  }
  return '(no error)';
}

describe('vectors files', () => {
  it('maps the released snake_case params onto ours', () => {
    expect(
      rewardParamsFromVector({
        hard_difficulty_threshold: 7.27,
        medium_difficulty_threshold: 2.76,
        hard_token_budget: 128,
        easy_token_budget: 64,
        uncertainty_budget_scale: 10,
        length_penalty_beta: 0.004,
        length_counting_mode: 'reward_reasoning_tokens',
        gamma: 0.7,
      }),
    ).toEqual({
      tau1: 7.27,
      tau2: 2.76,
      baseBudget: 128,
      lowBudget: 64,
      alpha: 10,
      beta: 0.004,
      lengthMode: 'reasoning-tokens',
      gamma: 0.7,
    });
  });

  it('names the offending path of a malformed file', () => {
    expect(formatErrorPath([])).toBe('(root)');
    expect(formatErrorPath({ cases: [] })).toBe('cases');
    expect(formatErrorPath(withCase(3, (c) => (c.response = 42)))).toBe('cases[3].response');
    expect(formatErrorPath(withCase(5, (c) => (c.groundTruth = { bbox: [1, 2, 3], points: [] })))).toBe(
      'cases[5].groundTruth.bbox',
    );
    expect(
      formatErrorPath(
        withCase(4, (c) => ((c.params as Record<string, unknown>).hard_difficulty_threshold = 1)),
      ),
    ).toBe('cases[4].params.hard_difficulty_threshold');
    expect(formatErrorPath(withCase(0, (c) => (c.params = { mystery_knob: 1 })))).toBe(
      'cases[0].params.mystery_knob',
    );
    expect(formatErrorPath(withCase(0, (c) => (c.expected = { rewrd: 1 })))).toBe('cases[0].expected.rewrd');
  });

  it('detects a wrong expected value and reports both values', () => {
    const data = withCase(2, (c) => ((c.expected as Record<string, unknown>).reward = 4.5));
    const report = checkRewardVectors(parseRewardVectors(data));
    expect(report).toMatchObject({ total: 60, passed: 59, failed: 1 });
    expect(report.mismatches.map(formatMismatch)).toEqual(['case 2: reward: expected 4.5, got 5']);
  });

  it('reports a case that cannot be scored as failed, with the reason', () => {
    const data = withCase(1, (c) => (c.params = { length_counting_mode: 'reward_reasoning_tokens' }));
    const report = checkRewardVectors(parseRewardVectors(data));
    expect(report.failed).toBe(1);
    expect(report.mismatches.map(formatMismatch)).toEqual([
      "case 1: error: reasoningTokens: a non-negative integer is required in 'reasoning-tokens' mode",
    ]);
  });

  it('passes every public case', () => {
    expect(checkRewardVectors(parseRewardVectors(publicJson))).toMatchObject({
      passed: 60,
      failed: 0,
      mismatches: [],
    });
  });
});

function runCli(...args: string[]) {
  const result = spawnSync(join(REPO_ROOT, 'node_modules/.bin/tsx'), ['scripts/reward.ts', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  const lines = result.stdout.trimEnd().split('\n');
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    lastLine: lines[lines.length - 1],
  };
}

function tempFile(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pixelthink-vectors-')), name);
  writeFileSync(path, content);
  return path;
}

describe('reward CLI', { timeout: 30_000 }, () => {
  it('passes the public vectors', () => {
    const run = runCli('--vectors', 'tests/vectors/reward-public.json');
    expect(run.lastLine).toBe('60 passed, 0 failed');
    expect(run.status).toBe(0);
  });

  it('prints each mismatch and fails on a wrong expectation', () => {
    const data = withCase(7, (c) => ((c.expected as Record<string, unknown>).budget = 256));
    const run = runCli('--vectors', tempFile('wrong.json', JSON.stringify(data)));
    expect(run.stdout).toContain('case 7: budget: expected 256, got null');
    expect(run.lastLine).toBe('59 passed, 1 failed');
    expect(run.status).toBe(1);
  });

  it('fails with a clear message on a truncated file', () => {
    const run = runCli('--vectors', tempFile('truncated.json', JSON.stringify(publicJson).slice(0, 500)));
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/malformed vectors file .*truncated\.json: \(file\): not JSON/);
  });

  it('fails with a clear message on a structurally broken file', () => {
    const data = withCase(12, (c) => delete c.groundTruth);
    const run = runCli('--vectors', tempFile('broken.json', JSON.stringify(data)));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('cases[12].groundTruth: must be an object');
  });

  it('explains its usage and a missing file', () => {
    expect(runCli().stderr).toContain('usage:');
    const missing = runCli('--vectors', 'does/not/exist.json');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('cannot read does/not/exist.json');
  });
});

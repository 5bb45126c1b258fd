// Tests of `npm run eval` as a process: the table on stdout, a valid JSON report, and exit code 2 on bad usage.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runEvalCli } from './cli-test-support';
import type { EvalSummary } from './types';

const TIMEOUT_MS = 30_000;
const scratch = mkdtempSync(join(tmpdir(), 'pixelthink-eval-'));

function runCli(...args: string[]) {
  return runEvalCli(TIMEOUT_MS, ...args);
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('scripts/eval.ts', () => {
  it(
    'prints the per-level table and writes the same summary with per-sample rows as JSON',
    () => {
      const jsonPath = join(scratch, 'nested', 'oracle.json');
      const result = runCli(
        '--policy',
        'oracle',
        '--segmenter',
        'oracle',
        '--split',
        'test',
        '--n',
        '20',
        '--json',
        jsonPath,
      );
      expect(result.stderr).toContain('20/20 samples');
      expect(result.status).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines.find((line) => line.startsWith('level'))).toMatch(
        /n\s+gIoU\s+cIoU\s+reward\s+R_acc\s+words\s+tokens/,
      );
      expect(lines.find((line) => line.startsWith('overall'))).toMatch(
        /^overall\s+20\s+100\.00\s+100\.00\s+5\.000/,
      );
      expect(result.stdout).toContain('tokens: whitespace words');

      const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as EvalSummary;
      expect(report.count).toBe(20);
      expect(report.overall.gIoU).toBe(1);
      expect(report.rows).toHaveLength(20);
      expect(Object.keys(report.byLevel)).toEqual(['easy', 'medium', 'hard']);
      expect(report.rows[0]).toMatchObject({ id: 'sw1-test-000000', parsed: true, iou: 1 });
    },
    TIMEOUT_MS,
  );

  it(
    'exits with 2 and names the known ids for an unknown policy',
    () => {
      const result = runCli('--policy', 'gpt-5', '--segmenter', 'oracle');
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(
        'eval: --policy: unknown policy "gpt-5"; known policy ids: oracle, oracle-long',
      );
      expect(result.stdout).toBe('');
    },
    TIMEOUT_MS,
  );

  it(
    'exits with 2 on an invalid reward setting',
    () => {
      const result = runCli(
        '--policy',
        'oracle',
        '--segmenter',
        'oracle',
        '--n',
        '5',
        '--tau1',
        '1',
        '--tau2',
        '2',
      );
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('eval: --tau1 must be >= tau2');
    },
    TIMEOUT_MS,
  );
});

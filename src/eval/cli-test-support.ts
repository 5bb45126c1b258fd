// Test support for the eval CLI tests: `scripts/eval.ts` run as a process from the repository root.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `scripts/eval.ts` with `args`, killed after `timeoutMs`. */
export function runEvalCli(timeoutMs: number, ...args: string[]): CliResult {
  const result = spawnSync('node_modules/.bin/tsx', ['scripts/eval.ts', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// `npm test`: makes sure Chromium is there, runs the static checks and every vitest project, and prints one total.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { CHROMIUM_PATH } from '../tests/chromium';

interface Outcome {
  name: string;
  ok: boolean;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): boolean {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status === 0;
}

/** Installs Debian's chromium when it is missing and we are root; no npm package may download a browser. */
function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) {
    console.error(
      `Chromium is missing at ${CHROMIUM_PATH}. Install it (Debian: sudo apt-get install -y chromium) or set CHROMIUM_PATH.`,
    );
    process.exit(1);
  }
  console.log('Installing Debian chromium for the browser tests…');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (!run('apt-get', ['update', '-qq'], env) || !run('apt-get', ['install', '-y', '-qq', 'chromium'], env)) {
    console.error('apt-get could not install chromium.');
    process.exit(1);
  }
}

const bin = (name: string) => `./node_modules/.bin/${name}`;

function staticChecks(): Outcome[] {
  const checks: [string, string, string[]][] = [
    ['prettier', bin('prettier'), ['--check', '--log-level', 'warn', '.']],
    ['eslint', bin('eslint'), ['--max-warnings', '0', '.']],
    ['tsc', bin('tsc'), ['--noEmit', '-p', '.']],
    [
      'svelte-check',
      bin('svelte-check'),
      ['--tsconfig', './tsconfig.json', '--fail-on-warnings', '--output', 'human'],
    ],
  ];
  return checks.map(([name, command, args]) => {
    console.log(`\n▶ ${name}`);
    return { name, ok: run(command, args) };
  });
}

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  success: boolean;
}

function vitest(): { passed: number; failed: number; skipped: number; ok: boolean } {
  mkdirSync('test-results', { recursive: true });
  const report = 'test-results/vitest.json';
  console.log('\n▶ vitest (unit, browser, e2e)');
  const ok = run(bin('vitest'), [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ]);
  if (!existsSync(report)) return { passed: 0, failed: 1, skipped: 0, ok: false };
  const json = JSON.parse(readFileSync(report, 'utf8')) as VitestJson;
  return {
    passed: json.numPassedTests,
    failed: json.numFailedTests + (ok || json.numFailedTests > 0 ? 0 : 1),
    skipped: json.numPendingTests + json.numTodoTests,
    ok,
  };
}

ensureChromium();
const checks = staticChecks();
const tests = vitest();
const failedChecks = checks.filter((c) => !c.ok);
console.log(`\nstatic checks: ${checks.map((c) => `${c.name} ${c.ok ? 'ok' : 'FAILED'}`).join(', ')}`);
const passed = tests.passed + checks.length - failedChecks.length;
const failed = tests.failed + failedChecks.length;
console.log(`tests: ${passed} passed, ${failed} failed${tests.skipped ? `, ${tests.skipped} skipped` : ''}`);
process.exit(failed === 0 && tests.ok ? 0 : 1);

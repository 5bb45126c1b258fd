// Tests of `npm run build:tokenizer`: the committed pixelthink-nano files are exactly what the script writes today.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const COMMITTED = 'public/models/pixelthink-nano';
const FILES = ['tokenizer.json', 'tokenizer_config.json'];

const run = (...args: string[]) =>
  spawnSync('node_modules/.bin/tsx', ['scripts/build-tokenizer.ts', ...args], { encoding: 'utf8' });

describe('npm run build:tokenizer', () => {
  it('regenerates the committed tokenizer files byte for byte', () => {
    const out = mkdtempSync(join(tmpdir(), 'tokenizer-'));
    const result = run('--out', out);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/vocab 2342 \(2076 merges\)/);
    for (const name of FILES) {
      // Compared as text, not with toEqual on JSON: key order and formatting must match as well.
      const fresh = readFileSync(join(out, name), 'utf8');
      const committed = readFileSync(join(COMMITTED, name), 'utf8');
      expect(fresh === committed, `${COMMITTED}/${name} is stale: run npm run build:tokenizer`).toBe(true);
    }
  }, 120_000);

  it('refuses unknown arguments with the usage and exit code 2', () => {
    const result = run('--bogus');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^usage: npm run build:tokenizer/);
  });
});

// Tests of the ShapeWorld CLI as a user runs it: files written, records valid, bad arguments refused.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeMaskPng, decodePng } from '../src/data/png';
import { decodeRle } from '../src/data/rle';

const run = (...args: string[]) =>
  spawnSync('node_modules/.bin/tsx', ['scripts/shapeworld.ts', ...args], { encoding: 'utf8' });

describe('npm run shapeworld', () => {
  it('writes images, masks and JSONL records that agree with each other', () => {
    const out = mkdtempSync(join(tmpdir(), 'shapeworld-'));
    const result = run('--split', 'val', '--n', '4', '--size', '96', '--out', out);
    expect(result.status, result.stderr).toBe(0);
    const lines = readFileSync(join(out, 'val.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(readdirSync(join(out, 'images'))).toHaveLength(4);
    for (const line of lines) {
      const record = JSON.parse(line) as Record<string, unknown> & {
        image: string;
        mask: string;
        mask_rle: unknown;
      };
      expect(record).toMatchObject({
        split: 'val',
        query: expect.any(String),
        level: expect.stringMatching(/easy|medium|hard/),
      });
      const image = decodePng(readFileSync(join(out, record.image)));
      expect([image.width, image.height]).toEqual([96, 96]);
      const mask = decodeMaskPng(readFileSync(join(out, record.mask)));
      expect(decodeRle(record.mask_rle as Parameters<typeof decodeRle>[0])).toEqual(mask.mask);
      expect(mask.mask.some((v) => v > 0)).toBe(true);
    }
  }, 60_000);

  it('refuses bad arguments with the usage and exit code 2', () => {
    const result = run('--split', 'nope', '--out', tmpdir());
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/split/);
  }, 30_000);
});

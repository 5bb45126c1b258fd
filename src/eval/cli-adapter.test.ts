// `npm run eval -- --adapter`: pixelthink-nano with a LoRA adapter file, its recorded reward, and clear refusals.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoraAdapters, encodeAdapterFile } from '../model/lora';
import type { LoraConfig } from '../model/lora';
import { configureTransformersForNode } from '../model/hub/transformers-node';
import { POLICY_MODEL_ID } from '../model/pixelthink-nano/folder';
import { Random, WasmBackend } from '../webgpu';
import { loadPixelThinkNanoFromDisk } from './pixelthink-nano-runner';
import { REPO_ROOT, runEvalCli } from './cli-test-support';
import type { EvalSummary } from './types';

const MODEL_ROOT = join(REPO_ROOT, 'public/models');
const TIMEOUT_MS = 120_000;
const scratch = mkdtempSync(join(tmpdir(), 'pixelthink-eval-adapter-'));
const RECORDED_REWARD = { preset: 'pixelthink', lowBudget: 48, beta: 0.01 };

interface Report extends EvalSummary {
  adapter: { path: string; kind: string; step: number | null } | null;
}

function runCli(...args: string[]) {
  return runEvalCli(TIMEOUT_MS, ...args);
}

/** Two test samples of pixelthink-nano (the oracle segmenter keeps it quick), the report read back. */
function evalNano(name: string, ...extra: string[]): Report {
  const json = join(scratch, `${name}.json`);
  const args = ['--policy', POLICY_MODEL_ID, '--segmenter', 'oracle', '--n', '2', '--threads', '1'];
  const result = runCli(...args, '--json', json, ...extra);
  expect(result.stderr).not.toContain('Error');
  expect(result.status).toBe(0);
  return JSON.parse(readFileSync(json, 'utf8')) as Report;
}

/** Adapter files for the shipped decoder: B = 0 (the base exactly) and a random B (a different policy). */
async function writeAdapters(): Promise<{ zero: string; random: string; otherBase: string }> {
  configureTransformersForNode(MODEL_ROOT);
  const backend = await WasmBackend.create({ threads: 1 });
  const policy = await loadPixelThinkNanoFromDisk(MODEL_ROOT, backend);
  const config = (baseModelId: string): LoraConfig => ({
    baseModelId,
    rank: 2,
    alpha: 4,
    targets: ['q_proj', 'v_proj'],
  });
  const info = { settings: {}, rewardParams: RECORDED_REWARD, step: 7, runId: null };
  const write = async (name: string, adapters: LoraAdapters) => {
    const path = join(scratch, `${name}.safetensors`);
    writeFileSync(path, await encodeAdapterFile(adapters, { ...info, name }));
    adapters.dispose();
    return path;
  };
  const zero = await write('zero', LoraAdapters.create(policy.decoder, config(POLICY_MODEL_ID), 1));
  const rng = new Random(2);
  const values = new Map<string, ArrayLike<number>>();
  const template = LoraAdapters.create(policy.decoder, config(POLICY_MODEL_ID), 1);
  for (const [name, t] of Object.entries(template.parameters()))
    values.set(name, name.includes('lora_B') ? rng.normals(t.size, 0, 0.5) : await t.data());
  template.dispose();
  const random = await write(
    'random',
    LoraAdapters.fromValues(policy.decoder, config(POLICY_MODEL_ID), values),
  );
  const otherBase = await write(
    'other-base',
    LoraAdapters.create(policy.decoder, config('another-model'), 1),
  );
  policy.decoder.dispose();
  backend.dispose();
  return { zero, random, otherBase };
}

let files: { zero: string; random: string; otherBase: string };
beforeAll(async () => {
  files = await writeAdapters();
}, TIMEOUT_MS);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('scripts/eval.ts --adapter', () => {
  it(
    'runs the adapter on the shipped policy, names it in the report and takes its recorded reward',
    () => {
      const base = evalNano('base');
      expect(base.adapter).toBeNull();
      expect(base.policy.id).toBe(POLICY_MODEL_ID);

      const zero = evalNano('zero', '--adapter', files.zero);
      expect(zero.policy.id).toBe(`${POLICY_MODEL_ID}+lora`);
      expect(zero.adapter).toEqual({ path: files.zero, kind: 'adapter-file', step: 7 });
      expect(zero.rewardParams).toMatchObject(RECORDED_REWARD);
      // B = 0 adds nothing: the same greedy chains as the base.
      expect(zero.rows.map((r) => r.response)).toEqual(base.rows.map((r) => r.response));

      const random = evalNano('random', '--adapter', files.random, '--low-budget', '60');
      expect(random.rows.map((r) => r.response)).not.toEqual(base.rows.map((r) => r.response));
      expect(random.rewardParams).toMatchObject({ ...RECORDED_REWARD, lowBudget: 60 });
    },
    3 * TIMEOUT_MS,
  );

  it(
    'refuses an adapter of another base model, a missing file and a policy that takes none, with one line each',
    () => {
      const other = runCli(
        '--policy',
        POLICY_MODEL_ID,
        '--segmenter',
        'oracle',
        '--n',
        '1',
        '--adapter',
        files.otherBase,
      );
      expect(other.status).toBe(1);
      expect(other.stderr).toMatch(
        /eval: --adapter .*other-base\.safetensors: The adapter was trained on "another-model"/,
      );
      expect(other.stderr).not.toMatch(/\n\s+at /);

      const missing = runCli(
        '--policy',
        POLICY_MODEL_ID,
        '--segmenter',
        'oracle',
        '--adapter',
        join(scratch, 'none'),
      );
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain('eval: cannot read --adapter');

      const oracle = runCli('--policy', 'oracle', '--segmenter', 'oracle', '--adapter', files.zero);
      expect(oracle.status).toBe(2);
      expect(oracle.stderr).toContain(
        'eval: --adapter needs an engine-run policy (pixelthink-nano, pixelthink-nano-gt-objects)',
      );
    },
    3 * TIMEOUT_MS,
  );
});

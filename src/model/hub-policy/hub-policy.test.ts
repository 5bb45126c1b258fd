// The hub policy's real loading and decode path in Node (onnxruntime-node), on tiny generated Qwen-VL-family exports.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResponse, scaleAnswerToImage } from '../../rl';
import { catalogueEntry, type PolicyEntry } from '../hub/catalogue';
import { deviceLimits } from '../hub/fit';
import { ModelFileMissingError, planModelLoad } from '../hub/plan';
import { LoadProgressTracker, type LoadProgress } from '../hub/progress';
import { diskProber, writeModelFolder } from '../hub/testing/node-folder';
import { scriptTokens, tinyQwenVlFiles, type QwenVlFamily } from '../hub/testing/tiny-qwen-vl';
import { configureTransformersForNode } from '../hub/transformers-node';
import { GenerationCancelledError } from '../generate/errors';
import { estimateDifficulty, DifficultyCache } from './difficulty';
import { HubPolicy, type PolicyToken } from './hub-policy';

const ANSWER =
  '<think>the red cube is left of the ball</think><answer>{"bbox": [84, 168, 420, 504], "points_1": [200, 300], "points_2": [250, 350]}</answer>';
const DIFFICULTY =
  'Here: {"scene_complexity": 7, "segmentation_challenge": 5, "linguistic_ambiguity": 3, "difficulty": 6}';
const image = { width: 120, height: 90, rgba: new Uint8ClampedArray(120 * 90 * 4).fill(128) };

let root: string;
const folderEntry = catalogueEntry('method-export-folder') as PolicyEntry;
const cpu = deviceLimits({ device: 'cpu' });

function write(id: string, family: QwenVlFamily, script: string): void {
  writeModelFolder(root, id, tinyQwenVlFiles({ family, script }));
}

async function load(id: string, onProgress?: (info: unknown) => void): Promise<HubPolicy> {
  const plan = await planModelLoad(folderEntry, { modelId: id, limits: cpu, prober: diskProber(root, id) });
  return HubPolicy.load(id, {
    device: 'cpu',
    dtype: plan.dtype,
    inputFrame: 56,
    answerFrame: 840,
    ...(onProgress ? { onProgress } : {}),
  });
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'hub-policy-'));
  configureTransformersForNode(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.each(['qwen2_vl', 'qwen2_5_vl', 'qwen3_vl'] as QwenVlFamily[])('hub policy, %s layout', (family) => {
  const id = `tiny/${family}`;
  let policy: HubPolicy;

  beforeAll(async () => {
    write(id, family, ANSWER);
    policy = await load(id);
  });
  afterAll(() => policy?.dispose());

  it('streams the method answer token by token with margins in [0, 1], and it parses and scales', async () => {
    const tokens: PolicyToken[] = [];
    const run = await policy.run(image, 'The red cube.', {
      maxNewTokens: 400,
      temperature: 0,
      onToken: (t) => tokens.push(t),
    });
    expect(run.response).toBe(ANSWER);
    expect(run.finishReason).toBe('stop');
    expect(run.tokens).toEqual(scriptTokens(ANSWER));
    expect(tokens.map((t) => t.text).join('')).toBe(ANSWER);
    for (const t of tokens) {
      expect(t.p1).toBeGreaterThanOrEqual(t.p2);
      expect(t.p1).toBeLessThanOrEqual(1);
      expect(t.p2).toBeGreaterThanOrEqual(0);
      expect(1 - (t.p1 - t.p2)).toBeGreaterThanOrEqual(0);
      expect(t.entropy).toBeGreaterThanOrEqual(0);
    }
    expect(run.uncertainty.positions).toBe(tokens.length);
    expect(run.uncertainty.uncertainty).toBeGreaterThanOrEqual(0);
    expect(run.uncertainty.uncertainty).toBeLessThanOrEqual(1);
    expect(run.frameSize).toBe(840);
    expect(run.promptTokens).toBeGreaterThan(400);
    const parsed = parseResponse(run.response);
    expect(parsed.answer).not.toBeNull();
    const scaled = scaleAnswerToImage(
      parsed.answer!,
      { width: 120, height: 90 },
      { width: 840, height: 840 },
    );
    expect(scaled.bbox).toEqual([12, 18, 60, 54]);
  });

  it('samples at temperature 1 with a seed, reproducibly, and stops at maxNewTokens', async () => {
    const a = await policy.run(image, 'the ball', { maxNewTokens: 5, temperature: 1, seed: 3 });
    const b = await policy.run(image, 'the ball', { maxNewTokens: 5, temperature: 1, seed: 3 });
    expect(a.tokens).toHaveLength(5);
    expect(a.finishReason).toBe('length');
    expect(b.tokens).toEqual(a.tokens);
    expect(b.stats.map((s) => s.p1)).toEqual(a.stats.map((s) => s.p1));
  });
});

describe('hub policy loading and control', () => {
  it('reports per-file progress over the planned sizes', async () => {
    const id = 'tiny/progress';
    write(id, 'qwen2_5_vl', ANSWER);
    const plan = await planModelLoad(folderEntry, { modelId: id, limits: cpu, prober: diskProber(root, id) });
    expect(plan.dtype).toEqual({
      embed_tokens: 'fp32',
      vision_encoder: 'fp32',
      decoder_model_merged: 'fp32',
    });
    expect(plan.files.map((f) => f.path)).toEqual([
      'config.json',
      'generation_config.json',
      'onnx/decoder_model_merged.onnx',
      'onnx/embed_tokens.onnx',
      'onnx/vision_encoder.onnx',
      'preprocessor_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect(plan.totalBytes).toBeGreaterThan(plan.weightBytes);
    expect(plan.fit.fits).toBe(true);
    const seen: LoadProgress[] = [];
    const tracker = new LoadProgressTracker(plan, (p) => seen.push(p), 0);
    const policy = await HubPolicy.load(id, {
      device: 'cpu',
      dtype: plan.dtype,
      inputFrame: 56,
      answerFrame: 840,
      onProgress: (info) => tracker.handle(info),
    });
    await policy.dispose();
    const last = seen.at(-1)!;
    expect(last.total).toBe(plan.totalBytes);
    expect(last.loaded).toBe(plan.totalBytes);
    expect(last.files.every((f) => f.done)).toBe(true);
    expect(seen.some((p) => p.files.some((f) => f.done) && p.loaded < p.total)).toBe(true);
  });

  it('names a missing file before loading, and refuses a model too big for the budget', async () => {
    const id = 'tiny/missing';
    const files = tinyQwenVlFiles({ family: 'qwen2_vl', script: 'x' });
    files.delete('onnx/embed_tokens.onnx');
    files.delete('tokenizer.json');
    writeModelFolder(root, id, files);
    const prober = diskProber(root, id);
    const err = await planModelLoad(folderEntry, { modelId: id, limits: cpu, prober }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelFileMissingError);
    expect((err as Error).message).toMatch(/onnx\/embed_tokens\{.*\}\.onnx/);
    const tight = deviceLimits({ device: 'cpu', memoryBudgetBytes: 100_000 });
    const good = 'tiny/too-big';
    write(good, 'qwen2_vl', 'x');
    const plan = await planModelLoad(folderEntry, {
      modelId: good,
      limits: tight,
      prober: diskProber(root, good),
    });
    expect(plan.fit.fits).toBe(false);
    expect(plan.fit.reasons.join(' ')).toMatch(/needs about .* more than the 100\.0 kB allowed/);
  });

  it('says a corrupt ONNX file cannot be read', async () => {
    const id = 'tiny/corrupt';
    write(id, 'qwen2_vl', 'x');
    writeFileSync(join(root, id, 'onnx/decoder_model_merged.onnx'), new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    await expect(load(id)).rejects.toThrow(/protobuf|parse|load/i);
  });

  it('stops between steps when the signal fires', async () => {
    const id = 'tiny/cancel';
    write(id, 'qwen2_vl', ANSWER);
    const policy = await load(id);
    const controller = new AbortController();
    let seen = 0;
    const err = await policy
      .run(image, 'q', {
        maxNewTokens: 200,
        temperature: 0,
        signal: controller.signal,
        onToken: () => ++seen === 3 && controller.abort(),
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenerationCancelledError);
    expect(seen).toBe(3);
    await policy.dispose();
  });

  it('reads float16 logits (fp16 and q4f16 exports)', async () => {
    const id = 'tiny/fp16-logits';
    writeModelFolder(
      root,
      id,
      tinyQwenVlFiles({ family: 'qwen2_vl', script: ANSWER, logitsType: 'float16' }),
    );
    const policy = await load(id);
    const run = await policy.run(image, 'q', { maxNewTokens: 400, temperature: 0 });
    expect(run.response).toBe(ANSWER);
    for (const s of run.stats) expect(s.p1).toBeLessThanOrEqual(1);
    await policy.dispose();
  });

  it('estimates difficulty from the model answer, once per sample', async () => {
    const id = 'tiny/difficulty';
    write(id, 'qwen2_5_vl', DIFFICULTY);
    const policy = await load(id);
    const cache = new DifficultyCache();
    const first = await estimateDifficulty(policy, { sampleId: 's1', image, query: 'the cup' }, cache);
    expect(first).toMatchObject({
      difficulty: 6,
      aspects: { scene_complexity: 7, segmentation_challenge: 5, linguistic_ambiguity: 3 },
      method: 'json',
      source: 'estimated',
      cached: false,
    });
    const again = await estimateDifficulty(policy, { sampleId: 's1', image, query: 'the cup' }, cache);
    expect(again.cached).toBe(true);
    expect(again.difficulty).toBe(6);
    await policy.dispose();
  });
});

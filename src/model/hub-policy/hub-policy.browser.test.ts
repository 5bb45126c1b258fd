// The hub tier's real browser path on onnxruntime-web, offline: a fake hub serves tiny generated Qwen-VL exports over
// the remote code path (ranged size probes, downloads with progress, the browser cache); wasm and WebGPU sessions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResponse } from '../../rl';
import { clearCachedModels, listCachedModels } from '../hub/cache';
import { catalogueEntry, type PolicyEntry } from '../hub/catalogue';
import { deviceLimits } from '../hub/fit';
import { registerModelFolder, unregisterModelFolder } from '../hub/model-fetch';
import { ModelFileMissingError, planModelLoad } from '../hub/plan';
import { LoadProgressTracker, type LoadProgress } from '../hub/progress';
import { createFakeHub } from '../hub/testing/fake-hub';
import { asBlobs } from '../hub/testing/folders';
import { tinyQwenVlFiles } from '../hub/testing/tiny-qwen-vl';
import { configureTransformers, HUGGING_FACE_HOST, withLoadSignal } from '../hub/transformers-env';
import { HubPolicy, type PolicyToken } from './hub-policy';

const ANSWER =
  '<think>left one</think><answer>{"bbox": [84, 168, 420, 504], "points_1": [200, 300], "points_2": [250, 350]}</answer>';
const image = { width: 64, height: 48, rgba: new Uint8ClampedArray(64 * 48 * 4).fill(160) };
const run = Date.now().toString(36);
const repo = `test-org/tiny-qwen2_5_vl-${run}`;
const broken = `test-org/tiny-broken-${run}`;
const files = tinyQwenVlFiles({ family: 'qwen2_5_vl', script: ANSWER });
const corrupt = new Map(files).set('onnx/vision_encoder.onnx', new Uint8Array(64).fill(7));
const hub = createFakeHub({ [repo]: files, [broken]: corrupt });

const base = catalogueEntry('qwen2.5-vl-3b-instruct') as PolicyEntry;
const entry = (id: string): PolicyEntry => ({
  ...base,
  id,
  source: { kind: 'hub', repo: id },
  inputFrame: 56,
});
const wasm = deviceLimits({ device: 'wasm' });

beforeAll(() => configureTransformers({ allowedHosts: [HUGGING_FACE_HOST], network: hub.fetch }));
afterAll(async () => {
  await clearCachedModels(repo);
  await clearCachedModels(broken);
});

describe('hub policy from a (fake) hub on wasm', () => {
  let policy: HubPolicy;
  const seen: LoadProgress[] = [];

  it('plans real sizes before any download, then loads with per-file and total progress', async () => {
    const plan = await planModelLoad(entry(repo), { limits: wasm });
    expect(plan.dtype).toEqual({
      embed_tokens: 'fp32',
      vision_encoder: 'fp32',
      decoder_model_merged: 'fp32',
    });
    expect(plan.files.every((f) => f.from === 'hub')).toBe(true);
    expect(plan.downloadBytes).toBe(plan.totalBytes);
    const sizes = Object.fromEntries(
      [...files].map(([p, d]) => [p, typeof d === 'string' ? new Blob([d]).size : d.length]),
    );
    for (const f of plan.files) expect(f.bytes).toBe(sizes[f.path]);
    // Only one-byte ranged requests so far (and config.json, read to find external data): nothing was downloaded.
    expect(hub.requests.every((r) => r.endsWith('bytes=0-0') || r.endsWith('/config.json'))).toBe(true);
    const tracker = new LoadProgressTracker(plan, (p) => seen.push(p), 0);
    policy = await HubPolicy.load(repo, {
      device: 'wasm',
      dtype: plan.dtype,
      inputFrame: 56,
      answerFrame: 840,
      onProgress: (info) => tracker.handle(info),
    });
    expect(seen[0]!.total).toBe(plan.totalBytes);
    expect(seen.at(-1)).toMatchObject({
      loaded: plan.totalBytes,
      total: plan.totalBytes,
      phase: 'initialising',
    });
    const decoder = seen.map((p) => p.files.find((f) => f.path === 'onnx/decoder_model_merged.onnx')!);
    expect(decoder.at(-1)).toMatchObject({ done: true, loaded: sizes['onnx/decoder_model_merged.onnx'] });
  });

  it('streams the answer with margins in [0, 1] through our decode loop', async () => {
    const tokens: PolicyToken[] = [];
    const result = await policy.run(image, 'the left one', {
      maxNewTokens: 300,
      temperature: 0,
      onToken: (t) => tokens.push(t),
    });
    expect(result.response).toBe(ANSWER);
    expect(tokens.map((t) => t.text).join('')).toBe(ANSWER);
    for (const t of tokens) {
      expect(t.p1).toBeGreaterThanOrEqual(t.p2);
      expect(t.p1).toBeLessThanOrEqual(1);
      expect(t.p2).toBeGreaterThanOrEqual(0);
    }
    expect(result.uncertainty.uncertainty).toBeGreaterThanOrEqual(0);
    expect(result.uncertainty.uncertainty).toBeLessThanOrEqual(1);
    expect(parseResponse(result.response).answer?.bbox).toEqual([84, 168, 420, 504]);
    await policy.dispose();
  });

  it('kept the downloads in the browser cache: the next plan downloads nothing, and the view clears it', async () => {
    const cached = (await listCachedModels()).find((m) => m.modelId === repo);
    expect(cached?.files.map((f) => f.path)).toContain('onnx/decoder_model_merged.onnx');
    const again = await planModelLoad(entry(repo), { limits: wasm });
    expect(again.downloadBytes).toBe(0);
    expect(again.files.filter((f) => f.path.endsWith('.onnx')).every((f) => f.from === 'cache')).toBe(true);
    expect(await clearCachedModels(repo)).toBe(cached!.files.length);
    expect((await listCachedModels()).some((m) => m.modelId === repo)).toBe(false);
  });

  it('names missing files, says a corrupt one cannot be read (and loads still work after it), stops a cancelled download', async () => {
    const missing = await planModelLoad(entry('test-org/nothing-here'), { limits: wasm }).catch(
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(ModelFileMissingError);
    expect((missing as Error).message).toMatch(/config\.json is missing/);
    const plan = await planModelLoad(entry(broken), { limits: wasm });
    await expect(
      HubPolicy.load(broken, { device: 'wasm', dtype: plan.dtype, inputFrame: 56, answerFrame: 840 }),
    ).rejects.toThrow(/protobuf parsing failed/);
    // transformers.js queues session creations on one promise: without the ORT guard, this load would fail too.
    const id = `opened/after-corrupt-${run}`;
    registerModelFolder(id, asBlobs(tinyQwenVlFiles({ family: 'qwen2_vl', script: 'ok' })));
    const after = await HubPolicy.load(id, {
      device: 'wasm',
      dtype: plan.dtype,
      inputFrame: 28,
      answerFrame: 1000,
    });
    expect((await after.run(image, 'x', { maxNewTokens: 8, temperature: 0 })).response).toBe('ok');
    await after.dispose();
    unregisterModelFolder(id);
    const controller = new AbortController();
    const load = withLoadSignal(controller.signal, () => {
      controller.abort();
      return HubPolicy.load(repo, { device: 'wasm', dtype: plan.dtype, inputFrame: 56, answerFrame: 840 });
    });
    await expect(load).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('hub policy on WebGPU (SwiftShader), from an opened folder', () => {
  const id = `opened/tiny-qwen2_vl-${run}`;
  afterAll(() => unregisterModelFolder(id));

  it('loads and writes a short scripted answer', async () => {
    const script = 'ok';
    registerModelFolder(id, asBlobs(tinyQwenVlFiles({ family: 'qwen2_vl', script })));
    const plan = await planModelLoad(catalogueEntry('method-export-folder'), {
      modelId: id,
      limits: deviceLimits({ device: 'webgpu', features: [], maxBufferSize: 2 ** 30 }),
    });
    expect(plan.files.every((f) => f.from === 'folder')).toBe(true);
    expect(plan.variant).toBe('webgpu');
    const policy = await HubPolicy.load(id, {
      device: 'webgpu',
      dtype: plan.dtype,
      inputFrame: 28,
      answerFrame: 1000,
    });
    try {
      // A short chat keeps the prefill small on the software GPU (the method prompt is tested on wasm above).
      const chat = [
        {
          role: 'user' as const,
          content: [{ type: 'image' as const }, { type: 'text' as const, text: 'x' }],
        },
      ];
      const tokens: PolicyToken[] = [];
      const result = await policy.generate(chat, image, {
        maxNewTokens: 8,
        temperature: 0,
        onToken: (t) => tokens.push(t),
      });
      expect(result.response).toBe(script);
      expect(result.finishReason).toBe('stop');
      expect(policy.answerFrame).toBe(1000);
      for (const t of tokens) expect(t.p1 - t.p2).toBeGreaterThanOrEqual(0);
    } finally {
      await policy.dispose();
    }
  });
});

// Browser tests of the hub tier through the real workers (comlink): catalogue, plans with sizes, loads with per-file
// progress, streaming runs, difficulty estimates, refusals and typed errors, on tiny generated exports opened as folders.
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { asBlobs } from '../model/hub/testing/folders';
import { tinyQwenVlFiles } from '../model/hub/testing/tiny-qwen-vl';
import { tinySam2Files } from '../model/hub/testing/tiny-sam2';
import { startPolicyWorker, startSegmenterWorker, type WorkerHandle } from './client';
import { WorkerError } from './errors';
import type {
  HubLoadProgress,
  HubModelRequest,
  PolicyTokenEvent,
  PolicyWorkerApi,
  SegmenterWorkerApi,
} from './protocol';

const ANSWER =
  '<think>the left one</think><answer>{"bbox": [84, 168, 420, 504], "points_1": [200, 300], "points_2": [250, 350]}</answer>';
const DIFFICULTY =
  '{"scene_complexity": 7, "segmentation_challenge": 5, "linguistic_ambiguity": 3, "difficulty": 6}';
const image = { width: 64, height: 48, rgba: new Uint8ClampedArray(64 * 48 * 4).fill(120) };
const request = { image, query: 'the left one', maxNewTokens: 300, temperature: 0, seed: 1 };
const folder = (folderId: string): HubModelRequest => ({
  entryId: 'method-export-folder',
  folderId,
  offline: true,
});
const noTokens = () => Comlink.proxy(() => {});

const handles: WorkerHandle<unknown>[] = [];
afterEach(() => handles.splice(0).forEach((h) => h.terminate()));

function policyWorker(): Comlink.Remote<PolicyWorkerApi> {
  const handle = startPolicyWorker();
  handles.push(handle as WorkerHandle<unknown>);
  return handle.api;
}

async function open(
  api: Comlink.Remote<PolicyWorkerApi>,
  id: string,
  script: string,
  edit?: (f: Map<string, Uint8Array | string>) => void,
) {
  const files = tinyQwenVlFiles({ family: 'qwen2_5_vl', script });
  edit?.(files);
  await api.openModelFolder(id, asBlobs(files));
}

describe('policy worker, hub tier', () => {
  it('lists policies, plans sizes before any download, loads with per-file progress and streams an answer', async () => {
    const api = policyWorker();
    const entries = await api.catalogue();
    expect(entries.every((e) => e.kind === 'policy')).toBe(true);
    expect(entries.map((e) => e.id)).toContain('method-export-folder');
    await open(api, 'opened/answer', ANSWER);
    const plan = await api.planHubModel(folder('opened/answer'));
    expect(plan).toMatchObject({ modelId: 'opened/answer', downloadBytes: 0, fit: { fits: true } });
    expect(plan.files.every((f) => f.from === 'folder' && f.bytes > 0)).toBe(true);
    const progress: HubLoadProgress[] = [];
    const loaded = await api.loadHubPolicy(
      'load-1',
      folder('opened/answer'),
      Comlink.proxy((p: HubLoadProgress) => progress.push(p)),
    );
    expect(loaded).toMatchObject({ entryId: 'method-export-folder', modelId: 'opened/answer' });
    expect(loaded.device).toBe((await api.capabilities()).backend);
    await expect.poll(() => progress.at(-1)?.load.phase).toBe('ready');
    expect(progress[0]).toMatchObject({ done: 0, total: plan.totalBytes });
    expect(progress.at(-1)).toMatchObject({ done: plan.totalBytes, total: plan.totalBytes });
    expect(
      progress
        .at(-1)!
        .load.files.map((f) => f.path)
        .sort(),
    ).toEqual(plan.files.map((f) => f.path).sort());

    const tokens: PolicyTokenEvent[] = [];
    const result = await api.runPolicy(
      'run-1',
      request,
      Comlink.proxy((t: PolicyTokenEvent) => tokens.push(t)),
    );
    await expect.poll(() => tokens.length).toBe(result.tokenCount);
    expect(result).toMatchObject({ response: ANSWER, frameSize: 840, objects: [] });
    expect(tokens.map((t) => t.text).join('')).toBe(ANSWER);
    expect(result.uncertainty).toBeGreaterThanOrEqual(0);
    expect(result.uncertainty).toBeLessThanOrEqual(1);
    expect(result.timingsMs.prefill).toBeGreaterThan(0);
    expect(await api.listModelCache()).toEqual([]);
  });

  it('estimates a difficulty with the loaded VLM, once per sample, and refuses without a hub model', async () => {
    const api = policyWorker();
    const early = await api
      .estimateDifficulty('d-0', { sampleId: 's', image, query: 'q' }, noTokens())
      .catch((e: unknown) => e);
    expect(early).toMatchObject({ code: 'not-ready' });
    await open(api, 'opened/difficulty', DIFFICULTY);
    await api.loadHubPolicy(
      'load-d',
      folder('opened/difficulty'),
      Comlink.proxy(() => {}),
    );
    const first = await api.estimateDifficulty(
      'd-1',
      { sampleId: 'photo-1', image, query: 'the cup' },
      noTokens(),
    );
    expect(first).toMatchObject({ difficulty: 6, source: 'estimated', cached: false, sampleId: 'photo-1' });
    const again = await api.estimateDifficulty(
      'd-2',
      { sampleId: 'photo-1', image, query: 'the cup' },
      noTokens(),
    );
    expect(again).toMatchObject({ difficulty: 6, cached: true });
  });

  it('refuses a model too big for the budget before downloading anything', async () => {
    const api = policyWorker();
    await open(api, 'opened/big', 'x');
    const progress: HubLoadProgress[] = [];
    const refused = await api
      .loadHubPolicy(
        'load-big',
        { ...folder('opened/big'), memoryBudgetBytes: 10_000 },
        Comlink.proxy((p: HubLoadProgress) => progress.push(p)),
      )
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkerError);
    expect(refused).toMatchObject({
      code: 'does-not-fit',
      message: expect.stringMatching(/does not fit this device/),
    });
    expect(progress).toEqual([]);
    const bad = await api.planHubModel({ entryId: 'sam2.1-hiera-tiny' }).catch((e: unknown) => e);
    expect(bad).toMatchObject({
      code: 'bad-request',
      message: expect.stringMatching(/segmenter, not a policy/),
    });
  });

  it('names a missing file, says a corrupt one cannot be read, loads again after it, and cancels a load', async () => {
    const api = policyWorker();
    await open(api, 'opened/missing', 'x', (f) => f.delete('onnx/decoder_model_merged.onnx'));
    const missing = await api
      .loadHubPolicy(
        'l-1',
        folder('opened/missing'),
        Comlink.proxy(() => {}),
      )
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({
      code: 'model-load-failed',
      message: expect.stringContaining('onnx/decoder_model_merged'),
    });
    await open(api, 'opened/corrupt', 'x', (f) =>
      f.set('onnx/decoder_model_merged.onnx', new Uint8Array(99).fill(3)),
    );
    const corrupt = await api
      .loadHubPolicy(
        'l-2',
        folder('opened/corrupt'),
        Comlink.proxy(() => {}),
      )
      .catch((e: unknown) => e);
    expect(corrupt).toMatchObject({
      code: 'model-load-failed',
      message: expect.stringMatching(/corrupt or not ONNX/),
    });
    await open(api, 'opened/fine', 'fine');
    await api.loadHubPolicy(
      'l-3',
      folder('opened/fine'),
      Comlink.proxy(() => {}),
    );
    expect((await api.runPolicy('r-3', request, noTokens())).response).toBe('fine');
    const cancelled = await api
      .loadHubPolicy(
        'l-4',
        folder('opened/fine'),
        Comlink.proxy(() => void api.cancel('l-4')),
      )
      .catch((e: unknown) => e);
    expect(cancelled).toMatchObject({ code: 'cancelled' });
  });
});

describe('segmenter worker, hub tier', () => {
  it('loads a SAM2-layout folder with progress and segments a box natively', async () => {
    const handle = startSegmenterWorker();
    handles.push(handle as WorkerHandle<unknown>);
    const api: Comlink.Remote<SegmenterWorkerApi> = handle.api;
    expect((await api.catalogue()).map((e) => e.id)).toEqual(
      expect.arrayContaining([
        'slimsam-77-uniform',
        'sam-vit-base',
        'sam2.1-hiera-tiny',
        'sam2.1-hiera-small',
      ]),
    );
    await api.openModelFolder('opened/sam2', asBlobs(tinySam2Files({ size: 32, maskSize: 16 })));
    const progress: HubLoadProgress[] = [];
    const loaded = await api.loadHubSegmenter(
      'load-s',
      { entryId: 'sam2.1-hiera-tiny', folderId: 'opened/sam2', offline: true },
      Comlink.proxy((p: HubLoadProgress) => progress.push(p)),
    );
    expect(loaded).toMatchObject({ modelId: 'opened/sam2', takesBoxInput: true });
    await expect.poll(() => progress.at(-1)?.load.phase).toBe('ready');
    await api.encodeImage({ width: 100, height: 60, rgba: new Uint8ClampedArray(100 * 60 * 4).fill(50) });
    const result = await api.segment({
      bbox: [20, 10, 79, 49],
      points: [
        [30, 20],
        [60, 40],
      ],
    });
    expect(result.score).toBeCloseTo(0.95, 5);
    expect(result.mask[30 * 100 + 50]).toBe(1);
    expect(result.mask[55 * 100 + 90]).toBe(0);
  });
});

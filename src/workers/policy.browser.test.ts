// Browser tests of the policy worker: load the shipped pixelthink-nano on the worker's backend, stream a short chain, cancel.
import { afterEach, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { renderScene, sample } from '../data/shapeworld/index';
import { startPolicyWorker, type WorkerHandle } from './client';
import { WorkerError } from './errors';
import type { JobProgress, PolicyTokenEvent, PolicyWorkerApi } from './protocol';

let handle: WorkerHandle<PolicyWorkerApi> | null = null;
afterEach(() => {
  handle?.terminate();
  handle = null;
});

const shapeWorld = sample('test', 0);
const image = renderScene({ background: shapeWorld.background, objects: shapeWorld.objects }, 256);
const request = (maxNewTokens: number) => ({
  image: { width: image.width, height: image.height, rgba: new Uint8ClampedArray(image.rgba) },
  query: shapeWorld.query,
  maxNewTokens,
  temperature: 0,
  seed: 1,
});

async function loaded(): Promise<{ api: Comlink.Remote<PolicyWorkerApi>; progress: JobProgress[] }> {
  handle = startPolicyWorker();
  const progress: JobProgress[] = [];
  const result = await handle.api.loadPolicy(
    'load-1',
    'pixelthink-nano',
    Comlink.proxy((p: JobProgress) => progress.push(p)),
  );
  expect(result).toMatchObject({
    modelId: 'pixelthink-nano',
    device: (await handle.api.capabilities()).backend,
  });
  return { api: handle.api, progress };
}

describe('policy worker', () => {
  it('loads the shipped pixelthink-nano stage by stage and streams a short chain with its statistics', async () => {
    const { api, progress } = await loaded();
    expect(progress.map((p) => p.done)).toEqual([0, 1, 2, 3, 4]);
    const tokens: PolicyTokenEvent[] = [];
    const result = await api.runPolicy(
      'run-1',
      request(16),
      Comlink.proxy((t: PolicyTokenEvent) => tokens.push(t)),
    );
    // Token events travel on the callback's own channel: the last ones may land just after the result.
    await expect.poll(() => tokens.length).toBe(result.tokenCount);
    expect(result.tokenCount).toBeGreaterThan(0);
    expect(result.tokenCount).toBeLessThanOrEqual(16);
    for (const t of tokens) {
      expect(t.p1).toBeGreaterThanOrEqual(t.p2);
      expect(t.p1).toBeLessThanOrEqual(1);
      expect(t.p2).toBeGreaterThanOrEqual(0);
    }
    expect(result.response).toBe(tokens.map((t) => t.text).join(''));
    expect(result.uncertainty).toBeGreaterThanOrEqual(0);
    expect(result.uncertainty).toBeLessThanOrEqual(1);
    expect(result.frameSize).toBe(840);
    expect(result.timingsMs.decode).toBeGreaterThan(0);
    // The selector's pick is timed on its own: it ran (objects were perceived), so it took some time.
    expect(result.objects.length).toBeGreaterThan(0);
    expect(result.timingsMs.select).toBeGreaterThan(0);
  }, 120_000);

  it('cancels a running chain with a typed error and refuses bad requests and runs before a load', async () => {
    handle = startPolicyWorker();
    const early = await handle.api
      .runPolicy(
        'run-0',
        request(4),
        Comlink.proxy(() => {}),
      )
      .catch((e: unknown) => e);
    expect(early).toMatchObject({ code: 'not-ready' });
    const { api } = await loaded();
    const bad = await api
      .runPolicy(
        'run-bad',
        request(0),
        Comlink.proxy(() => {}),
      )
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'bad-request' });
    let seen = 0;
    const running = api.runPolicy(
      'run-2',
      request(400),
      Comlink.proxy(() => {
        if (++seen === 3) void api.cancel('run-2');
      }),
    );
    const cancelled = await running.catch((e: unknown) => e);
    expect(cancelled).toBeInstanceOf(WorkerError);
    expect(cancelled).toMatchObject({ code: 'cancelled' });
    expect(seen).toBeLessThan(400);
  }, 120_000);

  it('says a missing model failed to load', async () => {
    handle = startPolicyWorker();
    const missing = await handle.api
      .loadPolicy(
        'load-x',
        'no-such-policy',
        Comlink.proxy(() => {}),
      )
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({
      code: 'model-load-failed',
      message: expect.stringContaining('no-such-policy'),
    });
  }, 60_000);
});

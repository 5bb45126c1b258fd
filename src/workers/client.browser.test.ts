// Browser tests of the real worker round trip through comlink: capabilities, progress, cancellation, typed errors.
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { runJob, startPolicyWorker, startSegmenterWorker, type WorkerHandle } from './client';
import { WorkerError } from './errors';
import type { JobProgress, ModelWorkerApi } from './protocol';

const handles: WorkerHandle<ModelWorkerApi>[] = [];
afterEach(() => handles.splice(0).forEach((h) => h.terminate()));

function start(kind: 'policy' | 'segmenter') {
  const handle = kind === 'policy' ? startPolicyWorker() : startSegmenterWorker();
  handles.push(handle);
  return handle;
}

describe('model workers', () => {
  it('leave a software fallback adapter for wasm unless WebGPU is asked for, and say why', async () => {
    const report = await start('segmenter').api.capabilities();
    const software = report.webgpu.available && report.webgpu.isFallbackAdapter;
    expect(report.backend).toBe(software ? 'wasm' : 'webgpu');
    if (software) expect(report.fallbackReason).toMatch(/software fallback/);
    const forcedWasm = await start('policy').api.capabilities('wasm');
    expect(forcedWasm).toMatchObject({ backend: 'wasm', fallbackReason: expect.stringMatching(/asked for/) });
  });

  it.each(['policy', 'segmenter'] as const)(
    'the %s worker owns a WebGPU device that computes',
    async (kind) => {
      const report = await start(kind).api.capabilities('webgpu');
      expect(report.worker).toBe(kind);
      expect(report.backend).toBe('webgpu');
      expect(report.selfTest).toBe('passed');
      expect(report.fallbackReason).toBeNull();
      expect(report.webgpu.available).toBe(true);
    },
  );

  it('streams progress and returns the payload', async () => {
    const { api } = start('policy');
    const seen: JobProgress[] = [];
    const result = await runJob(
      api,
      'echo',
      (id, onProgress) => api.echo(id, { payload: 'ping', steps: 4, stepMs: 1 }, onProgress),
      {
        onProgress: (p) => seen.push(p),
      },
    );
    expect(result).toEqual({ payload: 'ping', steps: 4, worker: 'policy' });
    expect(seen.map((p) => p.done)).toEqual([1, 2, 3, 4]);
  });

  it('an AbortSignal cancels the job in the worker with a typed error', async () => {
    const { api } = start('segmenter');
    const controller = new AbortController();
    const seen: number[] = [];
    const job = runJob(
      api,
      'echo',
      (id, onProgress) => api.echo(id, { payload: 'x', steps: 500, stepMs: 10 }, onProgress),
      {
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p.done);
          if (p.done === 3) controller.abort();
        },
      },
    );
    const err = await job.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerError);
    expect((err as WorkerError).code).toBe('cancelled');
    // A few steps may finish while the cancel message is in flight; far fewer than the 500 asked for.
    expect(seen.length).toBeLessThan(50);
    // The worker is still usable after a cancelled job.
    expect((await api.capabilities()).worker).toBe('segmenter');
  });

  it('a malformed request comes back as a typed bad-request error', async () => {
    const { api } = start('policy');
    const err = await api
      .echo(
        'bad',
        { payload: '', steps: -1, stepMs: 0 },
        Comlink.proxy(() => {}),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerError);
    expect(err).toMatchObject({ code: 'bad-request', message: expect.stringMatching(/steps must be/) });
  });
});

// Unit tests of the model-worker body in Node, where there is no WebGPU: wasm fallback, echo, progress, cancel.
import { describe, expect, it } from 'vitest';
import { createModelWorker } from './model-worker';
import type { JobProgress } from './protocol';

describe('createModelWorker without WebGPU', () => {
  it('reports the wasm fallback and the reason', async () => {
    const api = createModelWorker('policy', null);
    const report = await api.capabilities();
    expect(report.backend).toBe('wasm');
    expect(report.worker).toBe('policy');
    expect(report.webgpu).toMatchObject({ available: false, code: 'no-navigator-gpu' });
    expect(report.fallbackReason).toMatch(/navigator\.gpu is missing/);
    expect(report.selfTest).toBe('not-run');
  });

  it('echoes its payload after one progress report per step', async () => {
    const api = createModelWorker('segmenter', null);
    const seen: JobProgress[] = [];
    const result = await api.echo('j1', { payload: 'hello', steps: 3, stepMs: 0 }, (p) => seen.push(p));
    expect(result).toEqual({ payload: 'hello', steps: 3, worker: 'segmenter' });
    expect(seen.map((p) => p.done)).toEqual([1, 2, 3]);
    expect(seen.every((p) => p.total === 3 && p.jobId === 'j1')).toBe(true);
  });

  it('stops a job on cancel with a typed error and no further progress', async () => {
    const api = createModelWorker('policy', null);
    const seen: number[] = [];
    const job = api.echo('j2', { payload: 'x', steps: 1000, stepMs: 5 }, (p) => {
      seen.push(p.done);
      if (p.done === 2) api.cancel('j2');
    });
    await expect(job).rejects.toMatchObject({ name: 'WorkerError', code: 'cancelled' });
    expect(seen).toEqual([1, 2]);
  });

  it.each([
    { steps: 0, stepMs: 0 },
    { steps: 1.5, stepMs: 0 },
    { steps: 2, stepMs: -1 },
    { steps: 2, stepMs: Number.NaN },
  ])('refuses a malformed request %o', async (bad) => {
    const api = createModelWorker('policy', null);
    expect(() => api.echo('j3', { payload: '', ...bad }, () => {})).toThrowError(
      expect.objectContaining({ code: 'bad-request' }),
    );
  });
});

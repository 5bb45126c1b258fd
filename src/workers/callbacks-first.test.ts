// Unit tests of callbacksFirst: a call's result waits for the delivery of the callbacks it made, whatever the order.
import { describe, expect, it } from 'vitest';
import { callbacksFirst } from './callbacks-first';
import { createModelWorker } from './model-worker';
import type { JobProgress } from './protocol';

/** A callback like a comlink proxy: the UI runs it a little later, and the returned promise says when. */
function slowListener(delayMs: number) {
  const received: number[] = [];
  const callback = (p: JobProgress) =>
    new Promise<void>((resolve) =>
      setTimeout(() => {
        received.push(p.done);
        resolve();
      }, delayMs),
    );
  return { received, callback };
}

describe('callbacksFirst', () => {
  it('resolves a job only after its last progress event was received', async () => {
    const { received, callback } = slowListener(20);
    const api = callbacksFirst(createModelWorker('policy', null));
    const result = await api.echo('j1', { payload: 'p', steps: 4, stepMs: 0 }, callback);
    expect(result).toMatchObject({ payload: 'p', steps: 4 });
    expect(received).toEqual([1, 2, 3, 4]);
  });

  it('without it the result overtakes the slow deliveries (what the wrapper exists for)', async () => {
    const { received, callback } = slowListener(20);
    await createModelWorker('policy', null).echo('j1', { payload: 'p', steps: 4, stepMs: 0 }, callback);
    expect(received.length).toBeLessThan(4);
  });

  it('also waits when the job fails, and keeps its error', async () => {
    const { received, callback } = slowListener(20);
    const api = callbacksFirst(createModelWorker('policy', null));
    const job = api.echo('j2', { payload: 'x', steps: 1000, stepMs: 1 }, (p) => {
      if (p.done === 2) void api.cancel('j2');
      return callback(p);
    });
    await expect(job).rejects.toMatchObject({ code: 'cancelled' });
    expect(received).toEqual([1, 2]);
  });

  it('a callback the UI fails on does not fail the job', async () => {
    const api = callbacksFirst(createModelWorker('segmenter', null));
    const result = await api.echo('j3', { payload: 'q', steps: 2, stepMs: 0 }, () =>
      Promise.reject(new Error('ui')),
    );
    expect(result).toMatchObject({ payload: 'q' });
  });

  it('passes plain arguments and synchronous methods through', async () => {
    const api = callbacksFirst({ double: (x: number) => 2 * x, label: 'kept' });
    expect(await api.double(21)).toBe(42);
    expect(api.label).toBe('kept');
  });
});

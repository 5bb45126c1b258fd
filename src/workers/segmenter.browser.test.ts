// Browser tests of the segmenter worker: open a model folder, load it on the worker's backend, encode, segment.
import { afterEach, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { boxSamFiles } from '../model/segmenter/testing/box-sam';
import { startSegmenterWorker, type WorkerHandle } from './client';
import { WorkerError } from './errors';
import type { JobProgress, SegmenterWorkerApi } from './protocol';

let handle: WorkerHandle<SegmenterWorkerApi> | null = null;
afterEach(() => {
  handle?.terminate();
  handle = null;
});

describe('segmenter worker', () => {
  it('loads an opened model folder on its backend and segments a prompt', async () => {
    handle = startSegmenterWorker();
    const { api } = handle;
    await api.openModelFolder('opened/box-sam', boxSamFiles({ size: 64, maskSize: 64, withBoxInput: false }));
    const progress: JobProgress[] = [];
    const loaded = await api.loadModel(
      'load-1',
      'opened/box-sam',
      Comlink.proxy((p: JobProgress) => progress.push(p)),
    );
    const report = await api.capabilities();
    expect(loaded).toMatchObject({ modelId: 'opened/box-sam', device: report.backend, takesBoxInput: false });
    expect(progress.at(-1)).toMatchObject({ done: 1, total: 1 });

    const image = { width: 100, height: 80, rgba: new Uint8ClampedArray(100 * 80 * 4).fill(90) };
    expect((await api.encodeImage(image)).encodeMs).toBeGreaterThanOrEqual(0);
    const result = await api.segment({
      bbox: [10, 10, 49, 39],
      points: [
        [20, 20],
        [30, 30],
      ],
    });
    expect([result.width, result.height]).toEqual([100, 80]);
    expect(result.mask[25 * 100 + 25]).toBe(1);
    expect(result.mask[70 * 100 + 80]).toBe(0);
    expect(result.score).toBeCloseTo(0.9, 5);
  });

  it('says what is wrong with typed errors: nothing loaded, a missing model', async () => {
    handle = startSegmenterWorker();
    const { api } = handle;
    const notReady = await api.segment({ bbox: [0, 0, 1, 1], points: [] }).catch((e: unknown) => e);
    expect(notReady).toBeInstanceOf(WorkerError);
    expect(notReady).toMatchObject({ code: 'not-ready' });
    const missing = await api
      .loadModel(
        'load-2',
        'no-such-model',
        Comlink.proxy(() => {}),
      )
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({
      code: 'model-load-failed',
      message: expect.stringContaining('no-such-model'),
    });
  });
});

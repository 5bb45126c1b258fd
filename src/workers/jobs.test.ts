// Unit tests of the job registry and cancellable delays that every worker job runs on.
import { describe, expect, it } from 'vitest';
import { cancellableDelay, JobRegistry } from './jobs';
import { WorkerError } from './errors';

describe('JobRegistry', () => {
  it('unregisters a job however it ends', async () => {
    const jobs = new JobRegistry();
    await jobs.run('a', async () => 1);
    await expect(
      jobs.run('b', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(jobs.size).toBe(0);
  });

  it('refuses a duplicate job id while the first runs', async () => {
    const jobs = new JobRegistry();
    const first = jobs.run('same', (signal) => cancellableDelay(50, signal, 'same'));
    expect(() => jobs.start('same')).toThrowError(WorkerError);
    await first;
  });

  it('cancel aborts the named job only', async () => {
    const jobs = new JobRegistry();
    const a = jobs.run('a', (signal) => cancellableDelay(10_000, signal, 'a'));
    const b = jobs.run('b', (signal) => cancellableDelay(20, signal, 'b'));
    jobs.cancel('a');
    jobs.cancel('unknown');
    await expect(a).rejects.toMatchObject({ name: 'WorkerError', code: 'cancelled' });
    await expect(b).resolves.toBeUndefined();
  });

  it('a delay on an already aborted signal rejects at once', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(cancellableDelay(10_000, controller.signal, 'x')).rejects.toMatchObject({
      code: 'cancelled',
    });
  });
});

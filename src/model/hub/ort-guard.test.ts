// The onnxruntime guard: a failed creation or run no longer rejects transformers.js' shared queue, and our callers
// still see the original error.
import { describe, expect, it } from 'vitest';
import { assertSessionsCreated, guardRuns, installOrtGuard, type SessionClass } from './ort-guard';

class FakeSession {
  released = false;
  static async create(file: string): Promise<FakeSession> {
    if (file === 'corrupt') throw new Error('protobuf parsing failed');
    return new FakeSession();
  }
  async run(feeds: string): Promise<{ logits: { dims: number[] } }> {
    if (feeds === 'too big') throw new Error('out of memory');
    return { logits: { dims: [1, 2] } };
  }
  async release(): Promise<void> {
    this.released = true;
  }
}

installOrtGuard(FakeSession as unknown as SessionClass);

describe('ORT guard', () => {
  it('keeps a queue of creations alive after a corrupt file, and the load still fails with its message', async () => {
    let chain: Promise<unknown> = Promise.resolve();
    const queued = (file: string) => (chain = chain.then(() => FakeSession.create(file)));
    const good = (await queued('a')) as FakeSession;
    const bad = await queued('corrupt');
    await expect(queued('b')).resolves.toBeInstanceOf(FakeSession);
    await expect(assertSessionsCreated({ sessions: { good, bad } })).rejects.toThrow(
      'protobuf parsing failed',
    );
    expect(good.released).toBe(true);
    await expect(assertSessionsCreated({ sessions: { good: new FakeSession() } })).resolves.toBeUndefined();
  });

  it('turns a failed run back into its own error, even after transformers.js tripped over the marker', async () => {
    const session = new FakeSession();
    await expect(guardRuns(() => session.run('fine'))).resolves.toEqual({ logits: { dims: [1, 2] } });
    await expect(guardRuns(async () => (await session.run('too big')).logits.dims)).rejects.toThrow(
      'out of memory',
    );
    await expect(guardRuns(() => session.run('too big'))).rejects.toThrow('out of memory');
    await expect(guardRuns(() => session.run('fine'))).resolves.toBeDefined();
  });
});

// Unit tests of the trainer's records on fake-indexeddb: runs, atomic checkpoint commits, resume truncation, adapters.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DB_VERSION, openPlaygroundDb, type StoredAdapter, type StoredRun } from './store';
import {
  IdbCheckpointStore,
  activeAdapterId,
  commitRun,
  deleteAdapter,
  deleteRun,
  findUnfinishedRun,
  getRun,
  listAdapters,
  loadRunCheckpoint,
  putAdapter,
  putRun,
  recordRewardChange,
  renameAdapter,
  setActiveAdapterId,
  setRunStatus,
  truncateToCheckpoint,
} from './training';

let counter = 0;
const fresh = () => openPlaygroundDb({ name: `training-db-${++counter}` });

const run = (id: string, patch: Partial<StoredRun> = {}): StoredRun => ({
  id,
  name: `run ${id}`,
  kind: 'grpo',
  config: { settings: { steps: 10 } },
  metrics: [],
  status: 'running',
  checkpointStep: 0,
  createdAt: 1,
  updatedAt: 1,
  ...patch,
});

const adapter = (id: string, createdAt: number, runId: string | null = null): StoredAdapter => ({
  id,
  name: `adapter ${id}`,
  baseModelId: 'pixelthink-nano',
  bytes: new Uint8Array([1, 2, 3]).buffer,
  rank: 4,
  alpha: 8,
  targets: ['q_proj'],
  settings: {},
  rewardParams: {},
  runId,
  step: 2,
  source: runId ? 'trained' : 'imported',
  createdAt,
});

describe('the trainer store', () => {
  it('adds the checkpoints store and the new indexes in schema v3, keeping v2 runs', async () => {
    const name = `training-db-upgrade-${++counter}`;
    const v2 = await openPlaygroundDb({ name, version: 2 });
    await v2.put('runs', {
      id: 'old',
      name: 'old',
      config: {},
      metrics: [{ reward: 1 }],
      status: 'paused',
      createdAt: 1,
      updatedAt: 2,
    });
    v2.close();
    const db = await openPlaygroundDb({ name });
    expect(DB_VERSION).toBe(3);
    expect([...db.objectStoreNames]).toContain('checkpoints');
    expect((await getRun(db, 'old'))?.metrics).toEqual([{ reward: 1 }]);
    // A v2 run has no kind: it counts as a training run.
    expect((await findUnfinishedRun(db))?.id).toBe('old');
    db.close();
  });

  it('commits a checkpoint with the step records in one transaction; save alone writes nothing', async () => {
    const db = await fresh();
    await putRun(db, run('r'));
    const store = new IdbCheckpointStore(db, 'r');
    expect(await store.load()).toBeNull();
    await store.save(new Uint8Array([9, 9]), 2);
    expect(store.pendingStep).toBe(2);
    expect(await loadRunCheckpoint(db, 'r')).toBeNull();
    const written = await store.commit([{ step: 0 }, { step: 1 }]);
    expect(store.pendingStep).toBeNull();
    expect(written).toMatchObject({ checkpointStep: 2, metrics: [{ step: 0 }, { step: 1 }] });
    expect(await loadRunCheckpoint(db, 'r')).toEqual({ bytes: new Uint8Array([9, 9]), step: 2 });
    expect([...((await store.load()) ?? [])]).toEqual([9, 9]);
    // A later record without a checkpoint: the checkpoint stays where it was.
    await store.commit([{ step: 2 }], { status: 'paused' });
    expect(await getRun(db, 'r')).toMatchObject({ checkpointStep: 2, status: 'paused' });
    db.close();
  });

  it('writes neither the checkpoint nor the run when the commit fails', async () => {
    const db = await fresh();
    await putRun(db, run('r', { metrics: [{ step: 0 }] }));
    // A record IndexedDB cannot clone aborts the transaction: the checkpoint put in it is rolled back too.
    await expect(
      commitRun(db, 'r', {
        checkpoint: { bytes: new Uint8Array([1]), step: 1 },
        records: [{ step: 1, f: () => 1 }],
      }),
    ).rejects.toThrow();
    expect(await loadRunCheckpoint(db, 'r')).toBeNull();
    expect(await getRun(db, 'r')).toMatchObject({ checkpointStep: 0, metrics: [{ step: 0 }] });
    // A run that is not stored: nothing is written.
    await expect(
      commitRun(db, 'nope', { checkpoint: { bytes: new Uint8Array([1]), step: 1 } }),
    ).rejects.toThrow();
    expect(await loadRunCheckpoint(db, 'nope')).toBeNull();
    db.close();
  });

  it('finds the newest unfinished training run and truncates its metrics to the checkpoint', async () => {
    const db = await fresh();
    await putRun(db, run('done', { status: 'finished', updatedAt: 50 }));
    await putRun(db, run('older', { status: 'paused', updatedAt: 10 }));
    await putRun(db, run('cmp', { kind: 'comparison', status: 'running', updatedAt: 99 }));
    await putRun(db, run('newer', { status: 'running', updatedAt: 20 }));
    const found = await findUnfinishedRun(db);
    expect(found?.id).toBe('newer');
    await setRunStatus(db, 'newer', 'failed', 'diverged');
    expect((await findUnfinishedRun(db))?.id).toBe('older');
    const r = run('t', {
      checkpointStep: 2,
      metrics: [{ step: 0 }, { step: 1 }, { step: 2 }, { step: 2, status: 'restored' }, { step: 3 }],
    });
    expect(truncateToCheckpoint(r).metrics).toEqual([{ step: 0 }, { step: 1 }]);
    db.close();
  });

  it('records reward changes and deletes a run with its checkpoint', async () => {
    const db = await fresh();
    await putRun(db, run('r'));
    await recordRewardChange(db, 'r', { step: 3, params: { tau1: 6 }, at: 5 });
    expect((await getRun(db, 'r'))?.rewardChanges).toEqual([{ step: 3, params: { tau1: 6 }, at: 5 }]);
    await commitRun(db, 'r', { checkpoint: { bytes: new Uint8Array([1]), step: 1 } });
    await deleteRun(db, 'r');
    expect(await getRun(db, 'r')).toBeUndefined();
    expect(await loadRunCheckpoint(db, 'r')).toBeNull();
    db.close();
  });

  it('lists, renames, activates and deletes adapters; a trained one is named on its run', async () => {
    const db = await fresh();
    await putRun(db, run('r'));
    await putAdapter(db, adapter('b', 20, 'r'));
    await putAdapter(db, adapter('a', 10));
    expect((await listAdapters(db)).map((a) => a.id)).toEqual(['a', 'b']);
    expect((await getRun(db, 'r'))?.adapterId).toBe('b');
    await renameAdapter(db, 'a', '  mine ');
    expect((await listAdapters(db))[0]?.name).toBe('mine');
    await expect(renameAdapter(db, 'a', '   ')).rejects.toThrow(RangeError);
    await setActiveAdapterId(db, 'a');
    expect(await activeAdapterId(db)).toBe('a');
    await deleteAdapter(db, 'a');
    expect(await activeAdapterId(db)).toBeNull();
    expect((await listAdapters(db)).map((a) => a.id)).toEqual(['b']);
    db.close();
  });
});

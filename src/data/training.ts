// The trainer's records in IndexedDB: runs with their metric series, one checkpoint per run, LoRA adapters, the active one.
import type { IDBPTransaction } from 'idb';
import {
  getSetting,
  putSetting,
  toStorageError,
  type PlaygroundDb,
  type PlaygroundSchema,
  type RewardChange,
  type RunStatus,
  type StoredAdapter,
  type StoredRun,
} from './store';

/** The settings key of the adapter the policy runs with (null: the base model). */
export const SETTING_ACTIVE_ADAPTER = 'adapters.activeId';

/** Statuses of a run that a reload should offer to continue. */
export const UNFINISHED: readonly RunStatus[] = ['running', 'paused'];

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toStorageError(err);
  }
}

/** Runs the body's requests in one readwrite transaction: all of them are committed or, on any failure, none. */
type TrainerStore = 'runs' | 'checkpoints' | 'adapters';
type WriteTx = IDBPTransaction<PlaygroundSchema, TrainerStore[], 'readwrite'>;

async function atomically(
  db: PlaygroundDb,
  stores: TrainerStore[],
  body: (tx: WriteTx) => Promise<unknown>[],
): Promise<void> {
  const tx = db.transaction(stores, 'readwrite');
  tx.done.catch(() => {});
  const requests = body(tx);
  for (const r of requests) r.catch(() => {});
  try {
    await Promise.all([...requests, tx.done]);
  } catch (err) {
    try {
      tx.abort();
    } catch {
      // Already finished or aborted: nothing was committed.
    }
    throw toStorageError(err);
  }
}

export function putRun(db: PlaygroundDb, run: StoredRun): Promise<void> {
  return guarded(async () => void (await db.put('runs', run)));
}

export function getRun(db: PlaygroundDb, id: string): Promise<StoredRun | undefined> {
  return guarded(() => db.get('runs', id));
}

/** Every run, newest first. */
export async function listRuns(db: PlaygroundDb): Promise<StoredRun[]> {
  const runs = await guarded(() => db.getAll('runs'));
  return runs.sort((a, b) => b.createdAt - a.createdAt);
}

/** The newest training run that was running or paused when the page went away and has a checkpoint to go on from. */
export async function findUnfinishedRun(db: PlaygroundDb): Promise<StoredRun | null> {
  const runs = await guarded(async () => {
    const found: StoredRun[] = [];
    for (const status of UNFINISHED) found.push(...(await db.getAllFromIndex('runs', 'by-status', status)));
    return found;
  });
  const resumable = runs.filter((r) => (r.kind ?? 'grpo') === 'grpo');
  resumable.sort((a, b) => b.updatedAt - a.updatedAt);
  return resumable[0] ?? null;
}

/** Changes some fields of a stored run in one read-modify-write transaction; returns the new record. */
export async function updateRun(
  db: PlaygroundDb,
  id: string,
  change: (run: StoredRun) => StoredRun,
): Promise<StoredRun> {
  let updated: StoredRun | null = null;
  await atomically(db, ['runs'], (tx) => [
    (async () => {
      const store = tx.objectStore('runs');
      const run = await store.get(id);
      if (!run) throw new Error(`run ${id} is not stored`);
      updated = { ...change(run), updatedAt: Date.now() };
      await store.put(updated);
    })(),
  ]);
  return updated as unknown as StoredRun;
}

/** Records a reward change that applies from `change.step` on. */
export function recordRewardChange(db: PlaygroundDb, id: string, change: RewardChange): Promise<StoredRun> {
  return updateRun(db, id, (run) => ({ ...run, rewardChanges: [...(run.rewardChanges ?? []), change] }));
}

export function setRunStatus(
  db: PlaygroundDb,
  id: string,
  status: RunStatus,
  message: string | null = null,
): Promise<StoredRun> {
  return updateRun(db, id, (run) => ({ ...run, status, message }));
}

/** What one commit writes: a checkpoint (optional), step records to append, fields of the run to change. */
export interface RunCommit {
  checkpoint?: { bytes: Uint8Array; step: number } | null;
  records?: readonly Record<string, unknown>[];
  patch?: Partial<Pick<StoredRun, 'status' | 'message' | 'adapterId'>>;
}

/**
 * Writes a run's checkpoint together with the run's record (checkpoint step, the step records up to it, status) in
 * ONE transaction: after a crash or a reload the run never names a checkpoint that is not there, nor misses the
 * metrics of a step the checkpoint already includes.
 */
export async function commitRun(db: PlaygroundDb, runId: string, commit: RunCommit): Promise<StoredRun> {
  const checkpoint = commit.checkpoint ?? null;
  const copy = checkpoint ? checkpoint.bytes.slice().buffer : null;
  let updated: StoredRun | null = null;
  await atomically(db, checkpoint ? ['runs', 'checkpoints'] : ['runs'], (tx) => [
    (async () => {
      const runs = tx.objectStore('runs');
      const run = await runs.get(runId);
      if (!run) throw new Error(`run ${runId} is not stored`);
      updated = {
        ...run,
        ...commit.patch,
        metrics: [...run.metrics, ...(commit.records ?? [])],
        ...(checkpoint ? { checkpointStep: checkpoint.step } : {}),
        updatedAt: Date.now(),
      };
      await runs.put(updated);
    })(),
    ...(checkpoint && copy
      ? [
          tx
            .objectStore('checkpoints')
            .put({ runId, step: checkpoint.step, bytes: copy, savedAt: Date.now() }),
        ]
      : []),
  ]);
  return updated as unknown as StoredRun;
}

export async function loadRunCheckpoint(
  db: PlaygroundDb,
  runId: string,
): Promise<{ bytes: Uint8Array; step: number } | null> {
  const stored = await guarded(() => db.get('checkpoints', runId));
  return stored ? { bytes: new Uint8Array(stored.bytes), step: stored.step } : null;
}

/**
 * The trainer's GrpoCheckpointStore on IndexedDB (structurally: src/data may not import the model layer). The trainer
 * saves inside its step, before the step's metrics exist; so `save` only holds the bytes, and `commit` writes them
 * with the step's record (and whatever else the run needs) in one transaction.
 */
export class IdbCheckpointStore {
  private pending: { bytes: Uint8Array; step: number } | null = null;

  constructor(
    private readonly db: PlaygroundDb,
    readonly runId: string,
  ) {}

  async load(): Promise<Uint8Array | null> {
    return (await loadRunCheckpoint(this.db, this.runId))?.bytes ?? null;
  }

  save(bytes: Uint8Array, step: number): Promise<void> {
    this.pending = { bytes: bytes.slice(), step };
    return Promise.resolve();
  }

  /** The step of a checkpoint saved but not yet committed, or null. */
  get pendingStep(): number | null {
    return this.pending?.step ?? null;
  }

  /** Writes the pending checkpoint (if any), the records and the patch in one transaction. */
  async commit(
    records: readonly Record<string, unknown>[] = [],
    patch?: RunCommit['patch'],
  ): Promise<StoredRun> {
    const checkpoint = this.pending;
    const run = await commitRun(this.db, this.runId, { checkpoint, records, ...(patch ? { patch } : {}) });
    if (this.pending === checkpoint) this.pending = null;
    return run;
  }
}

/**
 * The run as it should continue from its checkpoint: metrics of steps at or past the checkpoint are dropped (they
 * are replayed, bit for bit, after the resume).
 */
export function truncateToCheckpoint(run: StoredRun): StoredRun {
  const step = run.checkpointStep ?? 0;
  return { ...run, metrics: run.metrics.filter((m) => typeof m.step === 'number' && m.step < step) };
}

/** Deletes a run and its checkpoint together (its adapter stays). */
export function deleteRun(db: PlaygroundDb, id: string): Promise<void> {
  return atomically(db, ['runs', 'checkpoints'], (tx) => [
    tx.objectStore('runs').delete(id),
    tx.objectStore('checkpoints').delete(id),
  ]);
}

/** Every adapter, oldest first. */
export async function listAdapters(db: PlaygroundDb): Promise<StoredAdapter[]> {
  return guarded(() => db.getAllFromIndex('adapters', 'by-created'));
}

export function getAdapter(db: PlaygroundDb, id: string): Promise<StoredAdapter | undefined> {
  return guarded(() => db.get('adapters', id));
}

/** Stores an adapter and, when it came from a run, names it on the run: one transaction. */
export function putAdapter(db: PlaygroundDb, adapter: StoredAdapter): Promise<void> {
  const stores: TrainerStore[] = adapter.runId ? ['runs', 'adapters'] : ['adapters'];
  return atomically(db, stores, (tx) => [
    tx.objectStore('adapters').put(adapter),
    ...(adapter.runId
      ? [
          (async () => {
            const runs = tx.objectStore('runs');
            const run = await runs.get(adapter.runId as string);
            if (run) await runs.put({ ...run, adapterId: adapter.id, updatedAt: Date.now() });
          })(),
        ]
      : []),
  ]);
}

export async function renameAdapter(db: PlaygroundDb, id: string, name: string): Promise<void> {
  const trimmed = name.trim();
  if (!trimmed) throw new RangeError('An adapter needs a name.');
  await atomically(db, ['adapters'], (tx) => [
    (async () => {
      const store = tx.objectStore('adapters');
      const adapter = await store.get(id);
      if (!adapter) throw new Error(`adapter ${id} is not stored`);
      await store.put({ ...adapter, name: trimmed });
    })(),
  ]);
}

/** Deletes an adapter; if it was the active one, the policy goes back to the base model. */
export async function deleteAdapter(db: PlaygroundDb, id: string): Promise<void> {
  await guarded(() => db.delete('adapters', id));
  if ((await activeAdapterId(db)) === id) await setActiveAdapterId(db, null);
}

export async function activeAdapterId(db: PlaygroundDb): Promise<string | null> {
  return (await getSetting<string | null>(db, SETTING_ACTIVE_ADAPTER)) ?? null;
}

export function setActiveAdapterId(db: PlaygroundDb, id: string | null): Promise<void> {
  return putSetting(db, SETTING_ACTIVE_ADAPTER, id);
}

// Browser test of the trainer worker (real Chromium IndexedDB, the shipped pixelthink-nano on wasm): a run killed
// after its step-2 checkpoint and resumed in a new worker ends exactly as an uninterrupted run.
import { afterEach, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { openPlaygroundDb } from '../data/store';
import { listAdapters } from '../data/training';
import { readSafetensors } from '../webgpu/safetensors';
import { startTrainerWorker, type WorkerHandle } from './client';
import type { StepRecord, TrainerEvent, TrainerWorkerApi, TrainingStartRequest } from './protocol';

const REQUEST: TrainingStartRequest = {
  name: 'tiny',
  // Tiny: 1 prompt × a group of 2, 16 new tokens, LoRA r = 2 on two projections, a checkpoint every 2 steps.
  settings: {
    seed: 5,
    steps: 4,
    checkpointEvery: 2,
    grpo: { promptsPerStep: 1, groupSize: 2, maxNewTokens: 16, lr: 1e-2 },
    lora: { rank: 2, alpha: 4, targets: ['q_proj', 'v_proj'] },
  },
  source: { kind: 'shapeworld', objects: 'perceived' },
};

const handles: WorkerHandle<TrainerWorkerApi>[] = [];
afterEach(() => {
  for (const h of handles.splice(0)) h.terminate();
});

async function trainer(dbName: string): Promise<{
  api: Comlink.Remote<TrainerWorkerApi>;
  records: StepRecord[];
  handle: WorkerHandle<TrainerWorkerApi>;
}> {
  const handle = startTrainerWorker();
  handles.push(handle);
  // A worker that fails to load rejects `crashed`: race the first calls against it rather than hang.
  await Promise.race([handle.api.useDatabase(dbName), handle.crashed]);
  expect((await Promise.race([handle.api.capabilities('wasm'), handle.crashed])).backend).toBe('wasm');
  const records: StepRecord[] = [];
  await handle.api.subscribe(
    Comlink.proxy((event: TrainerEvent) => {
      if (event.type === 'step') records.push(event.record);
    }),
  );
  return { api: handle.api, records, handle };
}

async function until(api: Comlink.Remote<TrainerWorkerApi>, phase: string, timeout = 240_000): Promise<void> {
  await expect.poll(async () => (await api.status()).phase, { timeout, interval: 250 }).toBe(phase);
}

/** What must replay exactly: everything but the clock. */
const comparable = (r: object) => ({
  ...r,
  ms: 0,
  rolloutMs: 0,
  trainMs: 0,
  rolloutTokensPerSecond: 0,
  tokensPerSecond: 0,
});

async function adapterTensors(dbName: string): Promise<Record<string, number[]>> {
  const db = await openPlaygroundDb({ name: dbName });
  const [adapter] = await listAdapters(db);
  db.close();
  const file = readSafetensors(new Uint8Array(adapter!.bytes));
  return Object.fromEntries([...file.entries].map(([name, e]) => [name, [...e.bytes]]));
}

describe('trainer worker', () => {
  it('checkpoints, and a new worker resumes the interrupted run to the same end as an uninterrupted one', async () => {
    const tag = Date.now().toString(36);
    const straight = await trainer(`trainer-straight-${tag}`);
    const started = performance.now();
    await straight.api.start(REQUEST);
    await until(straight.api, 'finished');
    const straightMs = performance.now() - started;
    await expect.poll(() => straight.records.length).toBe(4);
    expect(straight.records.map((r) => [r.step, r.status])).toEqual([
      [0, 'ok'],
      [1, 'ok'],
      [2, 'ok'],
      [3, 'ok'],
    ]);
    console.log(
      `trainer worker, wasm: ${Math.round(straightMs)} ms for load + 4 steps; step ms ${straight.records
        .map((r) => Math.round(r.ms))
        .join(', ')}; tok/s ${straight.records.map((r) => Math.round(r.tokensPerSecond)).join(', ')}`,
    );

    // The same run, killed as a reload would kill it once the step-2 checkpoint is committed.
    const dbName = `trainer-resumed-${tag}`;
    const first = await trainer(dbName);
    await first.api.start(REQUEST);
    await expect
      .poll(async () => (await first.api.status()).checkpointStep, { timeout: 240_000, interval: 50 })
      .toBe(2);
    handles.splice(handles.indexOf(first.handle), 1);
    first.handle.terminate();

    const second = await trainer(dbName);
    const offer = await second.api.resumable();
    expect(offer).toMatchObject({ status: 'running', checkpointStep: 2, steps: 4, name: 'tiny' });
    const resumed = await second.api.resumeRun(offer!.runId);
    expect(resumed).toMatchObject({ phase: 'running', step: 2, checkpointStep: 2 });
    await until(second.api, 'finished');
    await expect.poll(() => second.records.length).toBe(2);
    expect(second.records.map(comparable)).toEqual(straight.records.slice(2).map(comparable));

    // The stored series of the resumed run is the uninterrupted one, step for step; so is the adapter.
    const db = await openPlaygroundDb({ name: dbName });
    const run = await db.get('runs', offer!.runId);
    db.close();
    expect(run?.status).toBe('finished');
    expect(run?.metrics.map(comparable)).toEqual(straight.records.map(comparable));
    expect(await adapterTensors(dbName)).toEqual(await adapterTensors(`trainer-straight-${tag}`));
    expect(await second.api.resumable()).toBeNull();
  }, 600_000);

  it('pauses, takes a reward change from the next step, finishes with an adapter, and compares it with the base', async () => {
    const dbName = `trainer-controls-${Date.now().toString(36)}`;
    const { api, records } = await trainer(dbName);
    await api.start({ ...REQUEST, settings: { ...REQUEST.settings, steps: 3 } });
    await expect.poll(() => records.length, { timeout: 240_000, interval: 100 }).toBeGreaterThanOrEqual(1);
    const paused = await api.pause();
    expect(paused.phase).toBe('paused');
    expect(paused.checkpointStep).toBe(paused.step);
    const change = await api.updateReward({ ...paused.settings!.reward, tau1: 6 });
    expect(change).toMatchObject({ step: paused.step, params: { tau1: 6 } });
    await api.resume();
    await until(api, 'finished');
    const changed = records.find((r) => r.rewardChange);
    expect(changed?.step).toBe(paused.step);
    expect(changed?.rewardChange?.tau1).toBe(6);
    expect((await api.status()).settings?.reward.tau1).toBe(6);

    const db = await openPlaygroundDb({ name: dbName });
    const [adapter] = await listAdapters(db);
    expect(adapter).toMatchObject({ source: 'trained', step: 3, rank: 2 });
    const run = await db.get('runs', adapter!.runId!);
    expect(run?.rewardChanges).toHaveLength(1);
    expect(run?.adapterId).toBe(adapter!.id);

    const result = await api.compare(
      'cmp-1',
      { adapterId: adapter!.id, split: 'test', offset: 0, n: 1, maxNewTokens: 16, segmenter: 'nano-sam' },
      Comlink.proxy(() => {}),
    );
    expect(result.segmenter).toBe('nano-sam');
    expect(result.base.overall.count).toBe(1);
    expect(result.adapter.overall.count).toBe(1);
    expect(result.adapter.policy).toBe('pixelthink-nano+lora');
    expect((await db.get('runs', adapter!.runId!))?.comparisons).toHaveLength(1);
    db.close();
  }, 600_000);

  it('says when the guard restored the last good checkpoint, then that the run diverged, and marks it failed', async () => {
    const dbName = `trainer-guard-${Date.now().toString(36)}`;
    const { api, records } = await trainer(dbName);
    const messages: string[] = [];
    await api.subscribe(
      Comlink.proxy((event: TrainerEvent) => {
        if (event.type === 'status') messages.push(event.status.message);
      }),
    );
    // Every loss is beyond this maxLoss: step 0 restores, the next trip is past maxRestores and stops the run.
    await api.start({ ...REQUEST, settings: { ...REQUEST.settings, maxLoss: 1e-12, maxRestores: 1 } });
    await until(api, 'failed');
    expect(records.map((r) => [r.step, r.status, r.guard?.reason])).toEqual([
      [0, 'restored', 'loss-explosion'],
    ]);
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^Step 0: restored the last good checkpoint \(step 0\) because the loss exploded/,
      ),
    );
    const status = await api.status();
    expect(status.message).toMatch(/^The run diverged and stopped: /);
    expect(status.guard).toMatchObject({ reason: 'loss-explosion', restoredToStep: 0 });
    const db = await openPlaygroundDb({ name: dbName });
    const [run] = await db.getAll('runs');
    db.close();
    expect(run?.status).toBe('failed');
  }, 600_000);
});

// The GRPO trainer on a toy task (wasm backend): it raises the reward, resumes bit-exactly, and its guard restores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRewardParams } from '../../rl/index';
import { WasmBackend, fromArray, writeSlice } from '../../webgpu';
import type { Tensor } from '../../webgpu';
import { loadLora, loraBaseOf, validateAdapterFile } from '../lora';
import { tinyModel } from '../transformer/test-support';
import type { Transformer } from '../transformer';
import { evaluateRewards } from './evaluate';
import type { GrpoSettingsInput } from './settings';
import { MemoryCheckpointStore } from './store';
import { TOY_PROMPTS, toyTask } from './test-support';
import { GrpoDivergedError, GrpoTrainer } from './trainer';

/** Small and quick: 2 prompts × 8 samples of up to 6 tokens, LoRA r = 4 on attention and MLP, a large lr. */
const TOY_SETTINGS: GrpoSettingsInput = {
  seed: 3,
  steps: 20,
  checkpointEvery: 2,
  grpo: { promptsPerStep: 2, groupSize: 8, maxNewTokens: 6, lr: 2e-2, temperature: 1 },
  lora: { rank: 4, alpha: 8, targets: ['q_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] },
  reward: { preset: 'pixelthink' },
};

let backend: WasmBackend;
let model: Transformer;
beforeAll(async () => {
  backend = await WasmBackend.create({ threads: 1 });
  model = tinyModel(backend, 2, undefined, 0.05);
});
afterAll(() => {
  model.dispose();
  backend.dispose();
});

function options(store = new MemoryCheckpointStore()) {
  return { model, task: toyTask(), store, baseModelId: 'tiny-test' };
}

async function loraValues(trainer: GrpoTrainer): Promise<Float32Array[]> {
  return Promise.all(
    Object.values(trainer.adapter.parameters()).map(async (t) => (await t.data()) as Float32Array),
  );
}

describe('GrpoTrainer', () => {
  it('raises the mean reward of the toy task in a short seeded run', async () => {
    const trainer = await GrpoTrainer.create(options(), TOY_SETTINGS);
    const evaluate = (adapter?: GrpoTrainer['adapter']) =>
      evaluateRewards(model, toyTask(), TOY_PROMPTS, {
        samples: 16,
        seed: 1234,
        temperature: 1,
        maxNewTokens: 6,
        reward: resolveRewardParams({ preset: 'pixelthink' }),
        ...(adapter ? { adapter } : {}),
      });
    const before = await evaluate();
    const live: number[] = [];
    while (!trainer.done) {
      const metrics = await trainer.trainStep();
      expect(metrics.status).toBe('ok');
      live.push(backend.liveStorageCount());
    }
    // Nothing leaks: every step ends with the same live storages (base, adapters, moments).
    expect(new Set(live).size).toBe(1);
    const after = await evaluate(trainer.adapter);
    expect(after.rewardMean).toBeGreaterThan(before.rewardMean + 1);
    trainer.dispose();
  });

  it('continues from a checkpoint exactly as the uninterrupted run', async () => {
    const settings = { ...TOY_SETTINGS, steps: 4 };
    const store = new MemoryCheckpointStore();
    const straight = await GrpoTrainer.create(options(store), settings);
    const first = [await straight.trainStep(), await straight.trainStep()];
    expect(store.savedSteps).toEqual([2]);
    const saved = store.bytes as Uint8Array;
    const rest = [await straight.trainStep(), await straight.trainStep()];

    const resumedStore = new MemoryCheckpointStore();
    resumedStore.bytes = saved;
    const { trainer: resumed, resumed: wasResumed } = await GrpoTrainer.resumeOrCreate(
      options(resumedStore),
      settings,
    );
    expect(wasResumed).toBe(true);
    expect(resumed.step).toBe(2);
    const again = [await resumed.trainStep(), await resumed.trainStep()];
    const comparable = (m: (typeof rest)[number]) => ({
      ...m,
      ms: 0,
      rolloutMs: 0,
      trainMs: 0,
      rolloutTokensPerSecond: 0,
      tokensPerSecond: 0,
    });
    expect(again.map(comparable)).toEqual(rest.map(comparable));
    expect(first[0]?.rewardMean).not.toBe(first[1]?.rewardMean); // steps do differ
    expect(await resumed.checkpointBytes()).toEqual(await straight.checkpointBytes());
    const file = await resumed.exportAdapter('resumed');
    // The file the app imports: it names the base, the run's settings and its step.
    const info = validateAdapterFile(file, loraBaseOf(model, 'tiny-test'));
    expect(info).toMatchObject({ name: 'resumed', step: 4, rewardParams: { preset: 'pixelthink' } });
    expect(info.settings).toMatchObject({ seed: TOY_SETTINGS.seed, grpo: { groupSize: 8 } });
    const exported = loadLora(file, model);
    const exportedValues = await Promise.all(Object.values(exported.parameters()).map((t) => t.data()));
    expect(exportedValues).toEqual(await loraValues(straight));
    exported.dispose();
    straight.dispose();
    resumed.dispose();
  });

  it('restores the last good checkpoint when the policy turns NaN, then trains on', async () => {
    const trainer = await GrpoTrainer.create(options(), { ...TOY_SETTINGS, steps: 6 });
    for (let i = 0; i < 3; i++) expect((await trainer.trainStep()).status).toBe('ok');
    const bytesAtTwo = await (async () => {
      // What the step-2 checkpoint holds, read back through a trainer of its own.
      const store = new MemoryCheckpointStore();
      const probe = await GrpoTrainer.create(options(store), { ...TOY_SETTINGS, steps: 6 });
      await probe.trainStep();
      await probe.trainStep();
      const values = await loraValues(probe);
      probe.dispose();
      return values;
    })();
    const live = backend.liveStorageCount();
    const b = Object.values(trainer.adapter.parameters()).find((t) => t.shape[1] === 4) as Tensor;
    const nan = fromArray(new Float32Array(b.shape[1] as number).fill(NaN), [1, b.shape[1] as number], {
      backend,
    });
    writeSlice(b, nan, 0, 0);
    nan.dispose();

    const bad = await trainer.trainStep();
    expect(bad.status).toBe('restored');
    expect(bad.guard).toMatchObject({ reason: 'non-finite-logits', restoredToStep: 2, restarts: 1 });
    expect(trainer.step).toBe(2);
    expect(await loraValues(trainer)).toEqual(bytesAtTwo);
    expect(backend.liveStorageCount()).toBe(live); // the poisoned adapter and its moments were freed
    const next = await trainer.trainStep();
    expect(next.status).toBe('ok');
    expect(Number.isFinite(next.loss)).toBe(true);
    expect(trainer.step).toBe(3);
    trainer.dispose();
  });

  it('applies a reward change from the next step and records it in the checkpoint', async () => {
    const store = new MemoryCheckpointStore();
    const trainer = await GrpoTrainer.create(options(store), { ...TOY_SETTINGS, steps: 4 });
    const before = await trainer.trainStep();
    // A zero budget for easy prompts with β = 1: every non-empty response scores 0 (an empty one has R_acc 0).
    const reward = trainer.updateReward({ lowBudget: 0, beta: 1 });
    expect(reward).toMatchObject({ lowBudget: 0, beta: 1, tau1: 5, preset: 'pixelthink' });
    expect(() => trainer.updateReward({ tau2: 9 })).toThrow(/tau/);
    expect(trainer.settings.reward.tau2).toBe(3.5);
    const after = await trainer.trainStep();
    expect(before.rewardMean).toBeGreaterThan(0);
    expect(after.status).toBe('ok');
    expect(after.overall.lengthFactor).toBeLessThan(1); // empty responses keep 1 (length 0)
    expect(after.rewardMean).toBe(0);
    expect(store.savedSteps).toEqual([2]);
    const resumed = await GrpoTrainer.fromCheckpoint(options(), store.bytes as Uint8Array);
    expect(resumed.settings.reward).toMatchObject({ lowBudget: 0, beta: 1 });
    resumed.dispose();
    trainer.dispose();
  });

  it('treats a loss beyond maxLoss as exploding, and stops after maxRestores restores in a row', async () => {
    const trainer = await GrpoTrainer.create(options(), { ...TOY_SETTINGS, maxLoss: 1e-12, maxRestores: 1 });
    const before = await loraValues(trainer);
    const first = await trainer.trainStep();
    expect(first.status).toBe('restored');
    expect(first.guard?.reason).toBe('loss-explosion');
    expect(first.guard?.restoredToStep).toBe(0);
    expect(trainer.step).toBe(0);
    expect(await loraValues(trainer)).toEqual(before);
    await expect(trainer.trainStep()).rejects.toThrow(GrpoDivergedError);
    trainer.dispose();
  });
});

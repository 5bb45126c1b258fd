// App state for in-browser GRPO: the run settings form, the trainer worker's status and step series, the offer to resume
// an interrupted run, the live reward sliders forwarded to the run, adapters (list, rename, activate, delete, export,
// import) and A/B comparisons.
import * as Comlink from 'comlink';
import type { StoredAdapter, StoredRun } from '../../data/store';
import {
  activeAdapterId,
  deleteAdapter,
  getAdapter,
  getRun,
  listAdapters,
  listRuns,
  renameAdapter,
  setActiveAdapterId,
  truncateToCheckpoint,
} from '../../data/training';
import type { GrpoSettingsInput } from '../../model/grpo';
import { PROJECTION_NAMES, type ProjectionName } from '../../model/transformer/names';
import type { RewardParams, RewardPreset } from '../../rl';
import { newJobId } from '../../workers/client';
import type {
  ComparisonRequest,
  ComparisonResult,
  ResumableRun,
  StepRecord,
  TrainerEvent,
  TrainerStatus,
  TrainingSource,
} from '../../workers/protocol';
import { downloadBytes } from '../download';
import { database } from './database';
import { policy } from './policy.svelte';
import { reward } from './reward.svelte';
import { workers } from './workers.svelte';

export interface TrainingForm {
  name: string;
  source: 'shapeworld' | 'samples';
  objects: 'perceived' | 'gt';
  steps: number;
  promptsPerStep: number;
  groupSize: number;
  maxNewTokens: number;
  temperature: number;
  lr: number;
  rank: number;
  alpha: number;
  targets: ProjectionName[];
  clip: number;
  klCoef: number;
  entropyCoef: number;
  checkpointEvery: number;
  seed: number;
}

/** Small enough for a laptop's CPU: 2 prompts × 4 samples of up to 192 tokens, a checkpoint every 2 steps. */
export const DEFAULT_FORM: TrainingForm = {
  name: '',
  source: 'shapeworld',
  objects: 'perceived',
  steps: 20,
  promptsPerStep: 2,
  groupSize: 4,
  maxNewTokens: 192,
  temperature: 1,
  lr: 1e-4,
  rank: 8,
  alpha: 16,
  targets: [...PROJECTION_NAMES],
  clip: 0.2,
  klCoef: 5e-3,
  entropyCoef: 1e-3,
  checkpointEvery: 2,
  seed: 1,
};

export const ALL_TARGETS = PROJECTION_NAMES;

const ACTIVE: readonly TrainerStatus['phase'][] = ['loading', 'running', 'pausing', 'stopping'];

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** One stored comparison and the run it belongs to, for the side-by-side pickers. */
export interface StoredComparison {
  key: string;
  label: string;
  result: ComparisonResult;
}

class TrainingState {
  form = $state<TrainingForm>({ ...DEFAULT_FORM, targets: [...DEFAULT_FORM.targets] });
  status = $state<TrainerStatus | null>(null);
  records = $state<StepRecord[]>([]);
  resumable = $state<ResumableRun | null>(null);
  error = $state<string | null>(null);
  adapters = $state<StoredAdapter[]>([]);
  activeId = $state<string | null>(null);
  adapterError = $state<string | null>(null);
  importError = $state<string | null>(null);
  adapterMessage = $state<string | null>(null);
  comparisons = $state<StoredComparison[]>([]);
  compareForm = $state<Omit<ComparisonRequest, 'adapterId' | 'rewardParams'> & { adapterId: string }>({
    adapterId: '',
    split: 'test',
    offset: 0,
    n: 4,
    maxNewTokens: 192,
    segmenter: 'nano-sam',
  });
  comparing = $state<string | null>(null);
  compareError = $state<string | null>(null);
  pickA = $state<string | null>(null);
  pickB = $state<string | null>(null);
  private started = false;
  private lastReward: string | null = null;

  readonly phase = $derived(this.status?.phase ?? 'idle');
  readonly active = $derived(ACTIVE.includes(this.phase));
  readonly okRecords = $derived(this.records.filter((r) => r.status === 'ok'));

  private get api() {
    const handle = workers.trainer;
    if (!handle) throw new Error('The trainer worker has not started.');
    return handle.api;
  }

  /** Subscribes to the trainer worker, offers an interrupted run, and lists adapters and comparisons. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    // Children mount before the app shell: make sure the workers exist (idempotent).
    workers.start();
    try {
      const listener = Comlink.proxy((event: TrainerEvent) => this.receive(event));
      this.status = await this.api.subscribe(listener);
      await this.offerResume();
    } catch (err) {
      this.error = `The trainer is not available: ${message(err)}`;
    }
    await this.loadAdapters();
    await this.loadComparisons();
  }

  private receive(event: TrainerEvent): void {
    if (event.type === 'status') {
      const previous = this.status?.phase;
      this.status = event.status;
      if (event.status.phase !== previous && ['stopped', 'finished'].includes(event.status.phase))
        void this.loadAdapters();
    } else if (event.runId === this.status?.runId || this.status?.runId == null) {
      this.records.push(event.record);
    }
  }

  private async offerResume(): Promise<void> {
    this.resumable = await this.api.resumable();
    if (this.resumable && this.status?.phase === 'idle') {
      // Show the interrupted run's series up to its checkpoint (the steps after it are replayed on resume).
      const run = await getRun(await database(), this.resumable.runId);
      this.records = run ? (truncateToCheckpoint(run).metrics as unknown as StepRecord[]) : [];
    }
  }

  settings(): GrpoSettingsInput {
    const f = this.form;
    return {
      seed: f.seed,
      steps: f.steps,
      checkpointEvery: f.checkpointEvery,
      grpo: {
        promptsPerStep: f.promptsPerStep,
        groupSize: f.groupSize,
        maxNewTokens: f.maxNewTokens,
        temperature: f.temperature,
        lr: f.lr,
        clip: f.clip,
        klCoef: f.klCoef,
        entropyCoef: f.entropyCoef,
      },
      lora: { rank: f.rank, alpha: f.alpha, targets: [...f.targets] },
      reward: $state.snapshot(reward.params) as RewardParams,
    };
  }

  private source(): TrainingSource {
    return this.form.source === 'samples'
      ? { kind: 'samples' }
      : { kind: 'shapeworld', objects: this.form.objects };
  }

  setPreset(preset: RewardPreset): void {
    reward.update('preset', preset);
  }

  async begin(): Promise<void> {
    await this.act(async () => {
      this.records = [];
      this.resumable = null;
      this.lastReward = JSON.stringify($state.snapshot(reward.params));
      this.status = await this.api.start({
        name: this.form.name,
        settings: this.settings(),
        source: this.source(),
      });
    });
  }

  /** Resumes the paused run of this worker, or the interrupted run a reload left. */
  async resume(): Promise<void> {
    await this.act(async () => {
      if (this.phase === 'paused') {
        this.status = await this.api.resume();
        return;
      }
      const offer = this.resumable;
      if (!offer) return;
      const run = await getRun(await database(), offer.runId);
      this.records = run ? (truncateToCheckpoint(run).metrics as unknown as StepRecord[]) : [];
      this.resumable = null;
      this.lastReward = JSON.stringify($state.snapshot(reward.params));
      this.status = await this.api.resumeRun(offer.runId);
    });
  }

  async pause(): Promise<void> {
    await this.act(async () => void (this.status = await this.api.pause()));
  }

  async stop(): Promise<void> {
    await this.act(async () => {
      this.status = await this.api.stop();
      await this.loadAdapters();
    });
  }

  /** The live sliders: a change reaches the running (or paused) run from its next step, and is recorded there. */
  async syncReward(params: RewardParams): Promise<void> {
    const key = JSON.stringify(params);
    if (key === this.lastReward) return;
    this.lastReward = key;
    if (!['running', 'paused'].includes(this.phase)) return;
    try {
      const change = await this.api.updateReward(params);
      if (change && this.status)
        this.status = { ...this.status, message: `Reward changed: it applies from step ${change.step}.` };
    } catch (err) {
      this.error = message(err);
    }
  }

  private async act(work: () => Promise<void>): Promise<void> {
    this.error = null;
    try {
      await work();
    } catch (err) {
      this.error = message(err);
    }
  }

  async loadAdapters(): Promise<void> {
    try {
      const db = await database();
      this.adapters = await listAdapters(db);
      this.activeId = await activeAdapterId(db);
      if (!this.adapters.some((a) => a.id === this.compareForm.adapterId))
        this.compareForm.adapterId = this.adapters.at(-1)?.id ?? '';
    } catch (err) {
      this.adapterError = `The adapters could not be read: ${message(err)}`;
    }
  }

  async rename(id: string, name: string): Promise<void> {
    await this.adapterAct(async () => {
      await renameAdapter(await database(), id, name);
      await this.loadAdapters();
    });
  }

  /** Makes the policy run with this adapter (or the base model with null); kept across reloads. */
  async activate(id: string | null): Promise<void> {
    await this.adapterAct(async () => {
      const db = await database();
      const adapter = id ? await getAdapter(db, id) : null;
      await policy.useAdapter(adapter ?? null);
      await setActiveAdapterId(db, adapter ? adapter.id : null);
      this.activeId = adapter ? adapter.id : null;
      this.adapterMessage = adapter
        ? `The policy now runs with "${adapter.name}".`
        : 'The policy runs the base model.';
    });
  }

  async remove(id: string): Promise<void> {
    await this.adapterAct(async () => {
      if (this.activeId === id) await policy.useAdapter(null);
      await deleteAdapter(await database(), id);
      await this.loadAdapters();
    });
  }

  async exportAdapter(id: string): Promise<void> {
    await this.adapterAct(async () => {
      const adapter = await getAdapter(await database(), id);
      if (!adapter) throw new Error('The adapter is no longer stored.');
      const file = `${adapter.name.replace(/[^\w.-]+/g, '_') || 'adapter'}.safetensors`;
      downloadBytes(new Uint8Array(adapter.bytes), file, 'application/octet-stream');
    });
  }

  async importAdapter(file: File): Promise<void> {
    this.importError = null;
    this.adapterMessage = null;
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const imported = await this.api.importAdapter(Comlink.transfer(bytes, [bytes.buffer]), file.name);
      this.adapterMessage = `Imported "${imported.name}".`;
      await this.loadAdapters();
    } catch (err) {
      this.importError = message(err);
    }
  }

  async saveAdapterNow(): Promise<void> {
    await this.adapterAct(async () => {
      const saved = await this.api.saveAdapter();
      this.adapterMessage = `Saved "${saved.name}".`;
      await this.loadAdapters();
    });
  }

  private async adapterAct(work: () => Promise<void>): Promise<void> {
    this.adapterError = null;
    this.adapterMessage = null;
    try {
      await work();
    } catch (err) {
      this.adapterError = message(err);
    }
  }

  async loadComparisons(): Promise<void> {
    try {
      const runs: StoredRun[] = await listRuns(await database());
      this.comparisons = runs.flatMap((run) =>
        (run.comparisons ?? []).map((c) => {
          const result = c as unknown as ComparisonResult;
          return {
            key: result.id,
            label: `${run.name}: ${result.adapterName} vs base, ${result.split} ${result.offset}–${result.offset + result.n - 1}`,
            result,
          };
        }),
      );
      this.comparisons.sort((a, b) => b.result.createdAt - a.result.createdAt);
      if (!this.comparisons.some((c) => c.key === this.pickA)) this.pickA = this.comparisons[0]?.key ?? null;
      if (this.pickB !== null && !this.comparisons.some((c) => c.key === this.pickB)) this.pickB = null;
    } catch (err) {
      this.compareError = `The comparisons could not be read: ${message(err)}`;
    }
  }

  async compare(): Promise<void> {
    const request = $state.snapshot(this.compareForm);
    if (!request.adapterId) return;
    this.compareError = null;
    this.comparing = 'starting…';
    try {
      const onProgress = Comlink.proxy((p: { message: string }) => (this.comparing = p.message));
      const result = await this.api.compare(
        newJobId('compare'),
        { ...request, rewardParams: $state.snapshot(reward.params) as RewardParams },
        onProgress,
      );
      await this.loadComparisons();
      this.pickA = result.id;
    } catch (err) {
      this.compareError = message(err);
    } finally {
      this.comparing = null;
    }
  }

  comparison(key: string | null): ComparisonResult | null {
    return this.comparisons.find((c) => c.key === key)?.result ?? null;
  }
}

export const training = new TrainingState();

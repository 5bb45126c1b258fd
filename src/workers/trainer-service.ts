// The trainer worker's body: GRPO on LoRA adapters of pixelthink-nano (src/model/grpo) with its runs, checkpoints and
// adapters in IndexedDB; pause/resume/stop, reward changes from the next step, resume after a reload, A/B comparison.
import { listSamples } from '../data/dataset/samples';
import { decodeToRgba } from '../data/images';
import {
  DB_NAME,
  openPlaygroundDb,
  type PlaygroundDb,
  type RewardChange,
  type StoredAdapter,
} from '../data/store';
import {
  IdbCheckpointStore,
  findUnfinishedRun,
  getAdapter,
  getRun,
  loadRunCheckpoint,
  putAdapter,
  putRun,
  recordRewardChange,
  setRunStatus,
  truncateToCheckpoint,
  updateRun,
} from '../data/training';
import { evaluateItems } from '../eval/evaluate';
import { nanoPolicyRunner } from '../eval/nano-policy';
import { createOracleSegmenter } from '../eval/oracle-segmenter';
import { createSamSegmenterRunner } from '../eval/sam-segmenter-runner';
import { shapeWorldItems } from '../eval/shapeworld-items';
import type { SegmenterRunner } from '../eval/types';
import { GenerationCancelledError } from '../model/generate';
import {
  GrpoDivergedError,
  GrpoSettingsError,
  GrpoTrainer,
  labelledSamplesTask,
  resolveGrpoSettings,
  shapeWorldTask,
} from '../model/grpo';
import type { GrpoSettingsInput, GrpoTask } from '../model/grpo';
import { configureTransformers } from '../model/hub/transformers-env';
import {
  AdapterFileError,
  loadLora,
  loraBaseOf,
  validateAdapterFile,
  type LoraAdapters,
} from '../model/lora';
import { POLICY_MODEL_ID } from '../model/pixelthink-nano/folder';
import type { PixelThinkNano } from '../model/pixelthink-nano/policy';
import { RewardParamError, resolveRewardParams, type RewardParams } from '../rl';
import type { Backend } from '../webgpu/backend';
import { importAdapterFile } from './adapter-import';
import { BackendOwner } from './backend';
import { WorkerError } from './errors';
import { JobRegistry } from './jobs';
import { createModelWorker } from './model-worker';
import { engineBackend, loadPolicyModel, runPolicyLoad } from './policy-loader';
import type {
  AdapterSummary,
  ComparisonRequest,
  ComparisonResult,
  ComparisonSide,
  StepRecord,
  TrainerEvent,
  TrainerListener,
  TrainerPhase,
  TrainerStatus,
  TrainerWorkerApi,
  TrainingSource,
} from './protocol';

const MAX_COMPARISON_SAMPLES = 500;
const NANO_SAM_RENDER_SIZE = 128;

const GUARD_REASONS: Record<string, string> = {
  'non-finite-logits': 'the policy produced non-finite logits',
  'non-finite-loss': 'the loss was not finite',
  'loss-explosion': 'the loss exploded',
  'non-finite-grad-norm': 'the gradient norm was not finite',
};

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface Session {
  runId: string;
  name: string;
  trainer: GrpoTrainer;
  store: IdbCheckpointStore;
  source: TrainingSource;
  /** Reward changes not yet applied, by the step they apply from. */
  schedule: RewardChange[];
  /** A change applied at the start of a step whose record is not written yet. */
  announce: RewardParams | null;
  controller: AbortController | null;
  loop: Promise<void> | null;
  checkpointStep: number;
}

function summary(adapter: StoredAdapter): AdapterSummary {
  const { bytes, settings: _settings, rewardParams: _reward, ...rest } = adapter;
  return { ...rest, bytes: bytes.byteLength };
}

function newId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export function createTrainerWorker(gpu: GPU | null = globalThis.navigator?.gpu ?? null): TrainerWorkerApi {
  const jobs = new JobRegistry();
  const owner = new BackendOwner('trainer', gpu);
  const base = createModelWorker('trainer', gpu, jobs, owner);
  let dbName = DB_NAME;
  let connection: Promise<PlaygroundDb> | null = null;
  let backend: Promise<Backend> | null = null;
  let policy: Promise<PixelThinkNano> | null = null;
  let session: Session | null = null;
  let phase: TrainerPhase = 'idle';
  let message = '';
  let guard: TrainerStatus['guard'] = null;
  let device: TrainerStatus['device'] = null;
  const listeners = new Set<TrainerListener>();

  const database = (): Promise<PlaygroundDb> => {
    connection ??= openPlaygroundDb({ name: dbName });
    connection.catch(() => (connection = null));
    return connection;
  };

  function status(): TrainerStatus {
    const trainer = session?.trainer;
    return {
      phase,
      runId: session?.runId ?? null,
      runName: session?.name ?? null,
      step: trainer?.step ?? 0,
      steps: trainer?.settings.steps ?? 0,
      checkpointStep: session?.checkpointStep ?? 0,
      message,
      guard,
      settings: trainer ? trainer.settings : null,
      source: session?.source ?? null,
      device,
    };
  }

  function emit(event: TrainerEvent): void {
    for (const listener of listeners) {
      // A proxied callback of a page that went away rejects: forget it.
      void Promise.resolve()
        .then(() => listener(event))
        .catch(() => listeners.delete(listener));
    }
  }

  const announce = (next: TrainerPhase, text: string): TrainerStatus => {
    phase = next;
    message = text;
    const current = status();
    emit({ type: 'status', status: current });
    return current;
  };

  function ensurePolicy(step: (done: number, message: string) => void = () => {}): Promise<PixelThinkNano> {
    if (!policy) {
      configureTransformers();
      policy = (async () => {
        const report = await base.capabilities();
        device = report.backend;
        return loadPolicyModel(
          POLICY_MODEL_ID,
          () => (backend ??= engineBackend(owner)),
          step,
          report.backend,
        );
      })();
      policy.catch(() => (policy = null));
    }
    return policy;
  }

  async function loadedPolicy(): Promise<PixelThinkNano> {
    try {
      return await ensurePolicy();
    } catch (err) {
      throw new WorkerError(
        'model-load-failed',
        `Could not load policy "${POLICY_MODEL_ID}": ${describe(err)}`,
      );
    }
  }

  /** The task of a source; a samples source is pinned to the sample ids it resolved to (a resumed run sees the same). */
  async function taskOf(
    source: TrainingSource,
    model: PixelThinkNano,
  ): Promise<{ task: GrpoTask; source: TrainingSource }> {
    if (source.kind === 'shapeworld') {
      const task = shapeWorldTask({
        policy: model,
        objects: source.objects,
        ...(source.firstSample === undefined ? {} : { firstSample: source.firstSample }),
      });
      return { task, source };
    }
    const db = await database();
    const all = await listSamples(db);
    const wanted = source.sampleIds ? new Set(source.sampleIds) : null;
    const samples = wanted ? all.filter((s) => wanted.has(s.id)) : all;
    if (samples.length === 0)
      throw new WorkerError('bad-request', 'There are no labelled samples to train on: label some first.');
    const task = labelledSamplesTask({
      policy: model,
      samples: samples.map((s) => ({
        id: s.id,
        query: s.query,
        groundTruth: { bbox: s.gt.bbox, points: s.gt.points },
        difficulty: s.difficulty,
        image: async () => {
          const image = await db.get('images', s.imageId);
          if (!image) throw new WorkerError('bad-request', `Sample ${s.id}: its image is no longer stored.`);
          return decodeToRgba(image.blob);
        },
      })),
    });
    return { task, source: { kind: 'samples', sampleIds: samples.map((s) => s.id) } };
  }

  /** Read through a call: TypeScript would otherwise keep a narrowing across the awaits that change it. */
  function currentPhase(): TrainerPhase {
    return phase;
  }

  function busy(): boolean {
    return phase === 'loading' || phase === 'running' || phase === 'pausing' || phase === 'stopping';
  }

  function requireSession(): Session {
    if (!session) throw new WorkerError('not-ready', 'No run is loaded: start or resume one first.');
    return session;
  }

  /** Applies the reward changes due at the trainer's next step; returns the reward in force if one did. */
  function applyDue(s: Session): RewardParams | null {
    const due = s.schedule.filter((c) => c.step <= s.trainer.step);
    if (due.length === 0) return null;
    s.schedule = s.schedule.filter((c) => c.step > s.trainer.step);
    for (const change of due) s.trainer.updateReward(change.params as Partial<RewardParams>);
    return s.trainer.settings.reward;
  }

  async function fail(s: Session, text: string): Promise<void> {
    announce('failed', text);
    await setRunStatus(await database(), s.runId, 'failed', text).catch(() => {});
  }

  function stepMessage(record: StepRecord, s: Session): string {
    const g = record.guard;
    if (g)
      return (
        `Step ${record.step}: restored the last good checkpoint (step ${g.restoredToStep}) because ` +
        `${GUARD_REASONS[g.reason] ?? g.reason} (${g.detail}).`
      );
    return `Step ${record.step + 1} of ${s.trainer.settings.steps} done; checkpoint at step ${s.checkpointStep}.`;
  }

  async function runLoop(s: Session): Promise<void> {
    while (phase === 'running' && !s.trainer.done) {
      const applied = applyDue(s);
      if (applied) s.announce = applied;
      const controller = new AbortController();
      s.controller = controller;
      let metrics;
      try {
        metrics = await s.trainer.trainStep(controller.signal);
      } catch (err) {
        s.controller = null;
        if (controller.signal.aborted) return;
        if (err instanceof GrpoDivergedError) return fail(s, `The run diverged and stopped: ${err.message}`);
        return fail(s, `The step failed: ${describe(err)}`);
      }
      s.controller = null;
      const record: StepRecord = { ...metrics, ...(s.announce ? { rewardChange: s.announce } : {}) };
      s.announce = null;
      const run = await s.store.commit([record as unknown as Record<string, unknown>]);
      s.checkpointStep = run.checkpointStep ?? s.checkpointStep;
      if (record.guard) guard = record.guard;
      message = stepMessage(record, s);
      emit({ type: 'step', runId: s.runId, record });
      emit({ type: 'status', status: status() });
    }
    if (phase === 'running' && s.trainer.done) {
      await checkpoint(s, 'finished');
      await saveAdapterOf(s);
      announce('finished', `Finished ${s.trainer.step} steps; the adapter is saved.`);
    }
  }

  function startLoop(s: Session): void {
    s.loop = runLoop(s).catch((err: unknown) => fail(s, `The run stopped: ${describe(err)}`));
  }

  /** Waits for the step in flight to end (aborting it: an aborted step changes nothing). */
  async function halt(s: Session): Promise<void> {
    s.controller?.abort();
    await s.loop;
    s.loop = null;
  }

  async function checkpoint(s: Session, runStatus: 'paused' | 'stopped' | 'finished'): Promise<void> {
    await s.trainer.saveCheckpoint();
    const run = await s.store.commit([], { status: runStatus });
    s.checkpointStep = run.checkpointStep ?? s.checkpointStep;
  }

  async function saveAdapterOf(s: Session, name?: string): Promise<AdapterSummary> {
    const step = s.trainer.step;
    const adapterName = name?.trim() || `${s.name} · step ${step}`;
    const bytes = await s.trainer.exportAdapter(adapterName, s.runId);
    const { config } = s.trainer.adapter;
    const adapter: StoredAdapter = {
      id: `${s.runId}@${step}`,
      name: adapterName,
      baseModelId: config.baseModelId,
      bytes: bytes.slice().buffer,
      rank: config.rank,
      alpha: config.alpha,
      targets: [...config.targets],
      settings: JSON.parse(JSON.stringify(s.trainer.settings)) as Record<string, unknown>,
      rewardParams: { ...s.trainer.settings.reward },
      runId: s.runId,
      step,
      source: 'trained',
      createdAt: Date.now(),
    };
    await putAdapter(await database(), adapter);
    return summary(adapter);
  }

  async function begin(
    runId: string,
    name: string,
    trainer: GrpoTrainer,
    store: IdbCheckpointStore,
    source: TrainingSource,
    schedule: RewardChange[],
    checkpointStep: number,
  ): Promise<TrainerStatus> {
    session?.trainer.dispose();
    session = {
      runId,
      name,
      trainer,
      store,
      source,
      schedule,
      announce: null,
      controller: null,
      loop: null,
      checkpointStep,
    };
    guard = null;
    const current = announce('running', `Running from step ${trainer.step}.`);
    startLoop(session);
    return current;
  }

  function settingsOf(input: GrpoSettingsInput) {
    try {
      return resolveGrpoSettings(input);
    } catch (err) {
      if (err instanceof GrpoSettingsError || err instanceof RewardParamError || err instanceof Error)
        throw new WorkerError('bad-request', `The settings are invalid: ${err.message}`);
      throw err;
    }
  }

  async function comparisonSegmenter(
    request: ComparisonRequest,
  ): Promise<{ runner: SegmenterRunner; note: string; id: string }> {
    if (request.segmenter === 'nano-sam') {
      try {
        const runner = await createSamSegmenterRunner({
          modelId: 'nano-sam',
          device: device === 'webgpu' ? 'webgpu' : 'wasm',
          renderSize: NANO_SAM_RENDER_SIZE,
        });
        return { runner, note: 'masks by the embedded nano-sam, as the app segments', id: 'nano-sam' };
      } catch (err) {
        return {
          runner: createOracleSegmenter(),
          note: `nano-sam could not load (${describe(err)}): masks by the oracle segmenter (the exact mask of the object the answer selects)`,
          id: 'oracle',
        };
      }
    }
    return {
      runner: createOracleSegmenter(),
      note: 'masks by the oracle segmenter (the exact mask of the object the answer selects), not by a model',
      id: 'oracle',
    };
  }

  function validateComparison(request: ComparisonRequest): void {
    if (request.split !== 'val' && request.split !== 'test')
      throw new WorkerError('bad-request', 'Compare on held-out samples: the val or test split.');
    if (!Number.isSafeInteger(request.n) || request.n < 1 || request.n > MAX_COMPARISON_SAMPLES)
      throw new WorkerError('bad-request', `n must be an integer in 1..${MAX_COMPARISON_SAMPLES}.`);
    if (!Number.isSafeInteger(request.offset) || request.offset < 0)
      throw new WorkerError('bad-request', 'offset must be a non-negative integer.');
    if (
      !Number.isSafeInteger(request.maxNewTokens) ||
      request.maxNewTokens < 1 ||
      request.maxNewTokens > 4096
    )
      throw new WorkerError('bad-request', 'maxNewTokens must be an integer in 1..4096.');
  }

  return {
    ...base,

    useDatabase(name) {
      if (session || connection) throw new WorkerError('bad-request', 'The database is already in use.');
      dbName = name;
    },

    async loadPolicy(jobId, modelId, onProgress) {
      if (modelId !== POLICY_MODEL_ID)
        throw new WorkerError(
          'model-load-failed',
          `The trainer trains ${POLICY_MODEL_ID} only, not "${modelId}".`,
        );
      const start = performance.now();
      await runPolicyLoad(jobs, jobId, modelId, onProgress, (step) => ensurePolicy(step));
      const { backend: chosen } = await base.capabilities();
      return { modelId, device: chosen, loadMs: performance.now() - start };
    },

    subscribe(listener) {
      listeners.add(listener);
      return status();
    },

    status,

    async resumable() {
      const run = await findUnfinishedRun(await database());
      if (!run || run.id === session?.runId) return null;
      const settings = run.config.settings as { steps?: number } | undefined;
      return {
        runId: run.id,
        name: run.name,
        status: run.status as 'running' | 'paused',
        checkpointStep: run.checkpointStep ?? 0,
        steps: settings?.steps ?? 0,
        updatedAt: run.updatedAt,
      };
    },

    async start(request) {
      if (busy() || phase === 'paused')
        throw new WorkerError('bad-request', 'A run is loaded: stop it before starting another.');
      const settings = settingsOf(request.settings);
      const previous = { phase, message };
      announce('loading', 'Loading the policy…');
      try {
        const model = await loadedPolicy();
        const { task, source } = await taskOf(request.source, model);
        const db = await database();
        const runId = newId('run');
        const now = Date.now();
        const name =
          request.name.trim() || `GRPO ${new Date(now).toISOString().slice(0, 16).replace('T', ' ')}`;
        await putRun(db, {
          id: runId,
          name,
          kind: 'grpo',
          config: {
            settings: JSON.parse(JSON.stringify(settings)) as Record<string, unknown>,
            source,
            baseModelId: model.id,
            task: task.description,
            device,
          },
          metrics: [],
          status: 'running',
          checkpointStep: 0,
          rewardChanges: [],
          adapterId: null,
          comparisons: [],
          message: null,
          createdAt: now,
          updatedAt: now,
        });
        const store = new IdbCheckpointStore(db, runId);
        const trainer = await GrpoTrainer.create(
          { model: model.decoder, task, store, baseModelId: model.id },
          settings,
        );
        return await begin(runId, name, trainer, store, source, [], 0);
      } catch (err) {
        announce(previous.phase === 'loading' ? 'idle' : previous.phase, `Could not start: ${describe(err)}`);
        throw err instanceof WorkerError
          ? err
          : new WorkerError('internal', `Could not start: ${describe(err)}`);
      }
    },

    async resumeRun(runId, overrides = {}) {
      if (busy()) throw new WorkerError('bad-request', 'A run is going: stop it first.');
      if (session && session.runId !== runId) {
        await halt(session);
        await checkpoint(session, 'stopped');
      }
      announce('loading', 'Loading the run from its checkpoint…');
      try {
        const db = await database();
        const run = await getRun(db, runId);
        if (!run || (run.kind ?? 'grpo') !== 'grpo')
          throw new WorkerError('bad-request', `There is no run ${runId}.`);
        const model = await loadedPolicy();
        const { task, source } = await taskOf(run.config.source as TrainingSource, model);
        const stored = await loadRunCheckpoint(db, runId);
        const truncated = truncateToCheckpoint({ ...run, checkpointStep: stored?.step ?? 0 });
        await putRun(db, { ...truncated, status: 'running', message: null, updatedAt: Date.now() });
        const store = new IdbCheckpointStore(db, runId);
        const options = { model: model.decoder, task, store, baseModelId: model.id };
        const trainer = stored
          ? await GrpoTrainer.fromCheckpoint(options, stored.bytes, overrides)
          : await GrpoTrainer.create(options, {
              ...(run.config.settings as GrpoSettingsInput),
              ...(overrides.steps ? { steps: overrides.steps } : {}),
            });
        const from = stored?.step ?? 0;
        const schedule = (run.rewardChanges ?? []).filter((c) => c.step >= from);
        return await begin(runId, run.name, trainer, store, source, schedule, from);
      } catch (err) {
        announce('idle', `Could not resume: ${describe(err)}`);
        throw err instanceof WorkerError
          ? err
          : new WorkerError('internal', `Could not resume: ${describe(err)}`);
      }
    },

    async pause() {
      const s = requireSession();
      if (phase !== 'running') return status();
      announce('pausing', 'Pausing: the step in flight is abandoned…');
      await halt(s);
      // The loop may have failed (or finished) while the step ended.
      if (currentPhase() !== 'pausing') return status();
      await checkpoint(s, 'paused');
      return announce('paused', `Paused at step ${s.trainer.step}; checkpoint written.`);
    },

    async resume() {
      const s = requireSession();
      if (phase !== 'paused') throw new WorkerError('bad-request', 'The run is not paused.');
      await setRunStatus(await database(), s.runId, 'running');
      const current = announce('running', `Resumed at step ${s.trainer.step}.`);
      startLoop(s);
      return current;
    },

    async stop() {
      const s = requireSession();
      if (phase !== 'running' && phase !== 'paused') return status();
      announce('stopping', 'Stopping…');
      await halt(s);
      if (currentPhase() === 'failed') return status();
      await checkpoint(s, 'stopped');
      const adapter = await saveAdapterOf(s);
      return announce('stopped', `Stopped at step ${s.trainer.step}; adapter "${adapter.name}" saved.`);
    },

    async updateReward(params) {
      const s = session;
      if (!s || phase === 'stopped' || phase === 'finished' || phase === 'failed') return null;
      let resolved: RewardParams;
      try {
        resolved = resolveRewardParams(params);
      } catch (err) {
        throw new WorkerError('bad-request', `The reward parameters are invalid: ${describe(err)}`);
      }
      const step = s.controller ? s.trainer.step + 1 : s.trainer.step;
      const change: RewardChange = { step, params: { ...resolved }, at: Date.now() };
      await recordRewardChange(await database(), s.runId, change);
      s.schedule.push(change);
      return { step, params: resolved };
    },

    async saveAdapter(name) {
      return saveAdapterOf(requireSession(), name);
    },

    async importAdapter(bytes, fileName) {
      const model = await loadedPolicy();
      try {
        const base = loraBaseOf(model.decoder, model.id);
        return summary(await importAdapterFile(await database(), bytes, fileName, base, newId('import')));
      } catch (err) {
        if (err instanceof AdapterFileError)
          throw new WorkerError('bad-request', `${fileName} was not imported: ${err.message}`);
        throw err;
      }
    },

    async compare(jobId, request, onProgress) {
      validateComparison(request);
      if (busy()) throw new WorkerError('bad-request', 'Pause or stop the run before comparing.');
      const db = await database();
      const stored = await getAdapter(db, request.adapterId);
      if (!stored) throw new WorkerError('bad-request', `There is no adapter ${request.adapterId}.`);
      const model = await loadedPolicy();
      const bytes = new Uint8Array(stored.bytes);
      let lora: LoraAdapters;
      try {
        validateAdapterFile(bytes, loraBaseOf(model.decoder, model.id));
        lora = loadLora(bytes, model.decoder);
      } catch (err) {
        throw new WorkerError('bad-request', `Adapter "${stored.name}" cannot be used: ${describe(err)}`);
      }
      const rewardParams = resolveRewardParams(
        request.rewardParams ?? (stored.rewardParams as Partial<RewardParams>),
      );
      const segmenter = await comparisonSegmenter(request);
      const decoding = { sampling: { temperature: 0 }, maxNewTokens: request.maxNewTokens, seed: 1 };
      const total = 2 * request.n;
      try {
        return await jobs.run(jobId, async (signal) => {
          const side = async (which: 'base' | 'adapter', done: number): Promise<ComparisonSide> => {
            const runner = nanoPolicyRunner(model, decoding, which === 'adapter' ? lora : undefined);
            const items = shapeWorldItems(request.split, request.offset, request.n, {
              policy: runner.renderSize ?? NANO_SAM_RENDER_SIZE,
              segmenter: NANO_SAM_RENDER_SIZE,
            });
            const report = await evaluateItems(items, request.n, {
              policy: runner,
              segmenter: segmenter.runner,
              rewardParams,
              signal,
              onProgress: (p) =>
                onProgress({
                  jobId,
                  done: done + p.done,
                  total,
                  message: `${which}: ${p.done} of ${p.total}`,
                }),
            });
            return {
              policy: runner.id,
              overall: report.overall,
              byLevel: report.byLevel,
              wallMs: report.wallMs,
            };
          };
          const baseSide = await side('base', 0);
          const adapterSide = await side('adapter', request.n);
          const result: ComparisonResult = {
            id: newId('cmp'),
            adapterId: stored.id,
            adapterName: stored.name,
            runId: stored.runId,
            split: request.split,
            offset: request.offset,
            n: request.n,
            segmenter: segmenter.id,
            segmenterNote: segmenter.note,
            rewardParams,
            base: baseSide,
            adapter: adapterSide,
            createdAt: Date.now(),
          };
          const record = JSON.parse(JSON.stringify(result)) as Record<string, unknown>;
          const run = stored.runId ? await getRun(db, stored.runId) : undefined;
          if (run)
            await updateRun(db, run.id, (r) => ({ ...r, comparisons: [...(r.comparisons ?? []), record] }));
          else
            await putRun(db, {
              id: newId('comparison'),
              name: `A/B ${stored.name}`,
              kind: 'comparison',
              config: { adapterId: stored.id },
              metrics: [],
              status: 'finished',
              comparisons: [record],
              createdAt: result.createdAt,
              updatedAt: result.createdAt,
            });
          return result;
        });
      } catch (err) {
        if (isAbort(err)) throw new WorkerError('cancelled', `Job ${jobId} was cancelled.`);
        throw err instanceof WorkerError
          ? err
          : new WorkerError('internal', `The comparison failed: ${describe(err)}`);
      } finally {
        lora.dispose();
        await segmenter.runner.dispose?.();
      }
    },
  };
}

/** Whether an error is an abort (evaluateItems rethrows the signal's reason; generation its own error). */
function isAbort(err: unknown): boolean {
  return (
    (err instanceof DOMException && err.name === 'AbortError') || err instanceof GenerationCancelledError
  );
}

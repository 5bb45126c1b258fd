// The GRPO trainer (method.md §6 on LoRA): rollouts → rewards → advantages → clipped loss with KL → AdamW on LoRA.
import { UncertaintyInputError, resolveRewardParams } from '../../rl/index';
import type { RewardParams, TokenLossResult } from '../../rl/index';
import { scope } from '../../webgpu';
import type { Tensor } from '../../webgpu';
import { AdamW } from '../../webgpu/optim/adamw';
import { globalNorm } from '../../webgpu/optim/clip';
import { LoraAdapters } from '../lora/adapters';
import { encodeAdapterFile } from '../lora/peft';
import type { LoraConfig } from '../lora/config';
import type { Transformer } from '../transformer';
import { learningRate } from '../training/schedule';
import { NonFiniteLossError, grpoStepLoss } from './loss';
import type { LossGroup, ReadTensor, StepLoss } from './loss';
import { emptySummary, stepMetrics, summariseRollouts } from './metrics';
import type { GrpoStepMetrics, GuardAction, GuardReason, RolloutSummary } from './metrics';
import { rolloutGroup, rolloutSeed } from './rollout';
import type { RolloutGroup } from './rollout';
import { resolveGrpoSettings } from './settings';
import type { GrpoSettings, GrpoSettingsInput } from './settings';
import { readGrpoCheckpoint, writeGrpoCheckpoint } from './state';
import type { GrpoRunState } from './state';
import type { GrpoCheckpointStore } from './store';
import type { GrpoTask } from './task';

/** A step the guard stopped: carries why, so the trainer can restore and report. */
class GuardTrip extends Error {
  constructor(
    readonly reason: GuardReason,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

/** The guard restored more often in a row than `maxRestores` allows: the run stops. */
export class GrpoDivergedError extends Error {
  override readonly name = 'GrpoDivergedError';
}

export interface GrpoTrainerOptions {
  /** The policy's decoder: its base weights are the reference policy and stay frozen. */
  model: Transformer;
  task: GrpoTask;
  store: GrpoCheckpointStore;
  /** Recorded in the adapter (which base it was trained on). */
  baseModelId: string;
  /** Test seam: how host values are read (default `tensor.data()`). */
  read?: ReadTensor;
}

function loraConfigOf(settings: GrpoSettings, baseModelId: string): LoraConfig {
  return { ...settings.lora, baseModelId };
}

function isNonFiniteLogits(error: unknown): boolean {
  // Sampling refuses NaN / +Infinity logits with the uncertainty core's typed error.
  return error instanceof UncertaintyInputError && error.field.startsWith('logits');
}

export class GrpoTrainer {
  private adapters: LoraAdapters;
  private optimizer: AdamW;
  private lastGood: { bytes: Uint8Array; step: number };
  private restoresInARow = 0;

  private constructor(
    private readonly options: GrpoTrainerOptions,
    private run: GrpoRunState,
    adapters: LoraAdapters,
    optimizer: AdamW,
  ) {
    this.adapters = adapters;
    this.optimizer = optimizer;
    this.lastGood = { bytes: new Uint8Array(), step: 0 };
  }

  private static optimizerFor(adapters: LoraAdapters, settings: GrpoSettings): AdamW {
    return new AdamW(adapters.parameters(), {
      lr: settings.grpo.lr,
      weightDecay: settings.grpo.weightDecay,
      maxGradNorm: settings.grpo.gradClip,
    });
  }

  /** A new run: fresh adapters (B = 0, so the policy starts as the reference) from the settings' seed. */
  static async create(options: GrpoTrainerOptions, input: GrpoSettingsInput = {}): Promise<GrpoTrainer> {
    const settings = resolveGrpoSettings(input);
    const lora = loraConfigOf(settings, options.baseModelId);
    const adapters = LoraAdapters.create(options.model, lora, settings.seed);
    const run: GrpoRunState = { settings, lora, restarts: 0, task: options.task.description };
    const trainer = new GrpoTrainer(options, run, adapters, GrpoTrainer.optimizerFor(adapters, settings));
    trainer.lastGood = { bytes: await trainer.checkpointBytes(), step: 0 };
    return trainer;
  }

  /**
   * Continues a run from checkpoint bytes. Only `steps` and `checkpointEvery` may change: anything else would make
   * the continuation differ from the uninterrupted run.
   */
  static async fromCheckpoint(
    options: GrpoTrainerOptions,
    bytes: Uint8Array,
    overrides: Pick<GrpoSettingsInput, 'steps' | 'checkpointEvery'> = {},
  ): Promise<GrpoTrainer> {
    const { run, adapters, optimizerState } = readGrpoCheckpoint(options.model.backend, options.model, bytes);
    const settings = resolveGrpoSettings({
      ...run.settings,
      ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
    });
    const optimizer = GrpoTrainer.optimizerFor(adapters, settings);
    optimizer.importState(optimizerState);
    const trainer = new GrpoTrainer(options, { ...run, settings }, adapters, optimizer);
    trainer.lastGood = { bytes, step: optimizerState.step };
    return trainer;
  }

  /** Resumes from the store's checkpoint when there is one, else starts a new run with `input`. */
  static async resumeOrCreate(
    options: GrpoTrainerOptions,
    input: GrpoSettingsInput = {},
  ): Promise<{ trainer: GrpoTrainer; resumed: boolean }> {
    const bytes = await options.store.load();
    if (bytes === null) return { trainer: await GrpoTrainer.create(options, input), resumed: false };
    const overrides = { steps: input.steps, checkpointEvery: input.checkpointEvery };
    return { trainer: await GrpoTrainer.fromCheckpoint(options, bytes, overrides), resumed: true };
  }

  get settings(): GrpoSettings {
    return this.run.settings;
  }

  /** Optimizer steps taken (= training steps: every good step takes exactly one). */
  get step(): number {
    return this.optimizer.step;
  }

  get restarts(): number {
    return this.run.restarts;
  }

  get done(): boolean {
    return this.step >= this.settings.steps;
  }

  /** The current policy's adapter (valid until the next guard restore or dispose). */
  get adapter(): LoraAdapters {
    return this.adapters;
  }

  /** What the run records: settings, LoRA config, task, restarts. */
  get runState(): Readonly<GrpoRunState> {
    return this.run;
  }

  /**
   * Changes reward parameters from the next step on (the live sliders). The run records them: the next checkpoint
   * carries the new reward, so a resumed run scores as the interrupted one did from its checkpoint on.
   */
  updateReward(input: Partial<RewardParams>): RewardParams {
    const reward = resolveRewardParams({ ...this.settings.reward, ...input });
    this.run = { ...this.run, settings: { ...this.settings, reward } };
    return reward;
  }

  /** The checkpoint of the current state (LoRA + AdamW + step + run), without writing it anywhere. */
  checkpointBytes(): Promise<Uint8Array> {
    return writeGrpoCheckpoint(this.adapters, this.optimizer, this.run);
  }

  /**
   * The adapter file the app exports and imports (encodeAdapterFile: PEFT names, the base model, this run's settings,
   * reward and step in the header), so a run trained anywhere can be imported into the app.
   */
  exportAdapter(name: string, runId: string | null = null): Promise<Uint8Array> {
    return encodeAdapterFile(this.adapters, {
      name,
      settings: { ...this.settings },
      rewardParams: { ...this.settings.reward },
      step: this.step,
      runId,
    });
  }

  /** Writes the current state to the store; it becomes the state the guard restores. */
  async saveCheckpoint(): Promise<Uint8Array> {
    const bytes = await this.checkpointBytes();
    await this.options.store.save(bytes, this.step);
    this.lastGood = { bytes, step: this.step };
    return bytes;
  }

  private async rollouts(step: number, signal?: AbortSignal): Promise<RolloutGroup[]> {
    const { grpo, reward, seed } = this.settings;
    const prompts = await this.options.task.prompts(step, grpo.promptsPerStep);
    const groups: RolloutGroup[] = [];
    for (const [index, prompt] of prompts.entries()) {
      groups.push(
        await rolloutGroup(this.options.model, this.options.task, prompt, {
          groupSize: grpo.groupSize,
          temperature: grpo.temperature,
          maxNewTokens: grpo.maxNewTokens,
          seed: rolloutSeed(seed, step, this.run.restarts, index, grpo.groupSize),
          reward,
          adapter: this.adapters,
          ...(signal ? { signal } : {}),
        }),
      );
    }
    return groups;
  }

  private checkGroupLoss(result: TokenLossResult, group: number): void {
    if (!Number.isFinite(result.loss))
      throw new GuardTrip('non-finite-loss', `group ${group}: loss ${result.loss}`);
    if (Math.abs(result.loss) > this.settings.maxLoss)
      throw new GuardTrip(
        'loss-explosion',
        `group ${group}: loss ${result.loss.toPrecision(4)} beyond ${this.settings.maxLoss}`,
      );
  }

  /** Loss, gradients and the update; throws GuardTrip before touching the parameters when something is off. */
  private async update(
    groups: readonly RolloutGroup[],
    lr: number,
  ): Promise<{ loss: StepLoss; gradNorm: number }> {
    const { grpo } = this.settings;
    const lossGroups: LossGroup[] = groups.map((g) => ({
      promptIds: g.prompt.promptIds,
      completions: g.responses.map((r) => r.tokens),
      oldLogProbs: g.responses.map((r) => r.oldLogProbs),
      advantages: g.advantages,
    }));
    const { loss, grads } = await grpoStepLoss(
      this.options.model,
      this.adapters,
      lossGroups,
      {
        params: grpo,
        checkpointLayers: this.settings.checkpointLayers,
        ...(this.options.read ? { read: this.options.read } : {}),
        onGroupLoss: (result, group) => this.checkGroupLoss(result, group),
      },
      this.optimizer.params,
    ).catch((error: unknown) => {
      if (error instanceof NonFiniteLossError) throw new GuardTrip('non-finite-loss', error.message);
      throw error;
    });
    const gradients = grads as Tensor[];
    try {
      if (!Number.isFinite(loss.loss)) throw new GuardTrip('non-finite-loss', `loss ${loss.loss}`);
      if (Math.abs(loss.loss) > this.settings.maxLoss)
        throw new GuardTrip(
          'loss-explosion',
          `loss ${loss.loss.toPrecision(4)} beyond ${this.settings.maxLoss}`,
        );
      const norm = globalNorm(gradients);
      const gradNorm = ((await norm.data())[0] as number) ?? NaN;
      norm.dispose();
      if (!Number.isFinite(gradNorm))
        throw new GuardTrip('non-finite-grad-norm', `gradient norm ${gradNorm}`);
      scope(() => void this.optimizer.update(gradients, lr));
      return { loss, gradNorm };
    } finally {
      for (const g of gradients) g.dispose();
    }
  }

  /** Back to the last good checkpoint: new adapters and optimizer from its bytes; the old ones are freed. */
  private restore(): void {
    const { adapters, optimizerState } = readGrpoCheckpoint(
      this.options.model.backend,
      this.options.model,
      this.lastGood.bytes,
    );
    const optimizer = GrpoTrainer.optimizerFor(adapters, this.settings);
    optimizer.importState(optimizerState);
    this.optimizer.dispose();
    this.adapters.dispose();
    this.adapters = adapters;
    this.optimizer = optimizer;
    this.run = { ...this.run, restarts: this.run.restarts + 1 };
  }

  /**
   * One GRPO step. On a bad step (non-finite logits, loss or gradient norm, or a loss beyond `maxLoss`) the update
   * is skipped, the last good checkpoint is restored and the result says so (`status: 'restored'`); after
   * `maxRestores` restores in a row it throws GrpoDivergedError. An abort (signal) leaves the state untouched.
   */
  async trainStep(signal?: AbortSignal): Promise<GrpoStepMetrics> {
    const started = performance.now();
    const step = this.step;
    const lr = learningRate(
      {
        lr: this.settings.grpo.lr,
        steps: this.settings.steps,
        warmupSteps: this.settings.warmupSteps,
        finalLrRatio: 1,
      },
      step,
    );
    let rollouts: RolloutSummary = emptySummary();
    let rolloutMs = 0;
    let loss: StepLoss | null = null;
    let gradNorm = NaN;
    let guard: GuardAction | null = null;
    try {
      let groups: RolloutGroup[];
      try {
        groups = await this.rollouts(step, signal);
      } catch (error) {
        if (isNonFiniteLogits(error)) throw new GuardTrip('non-finite-logits', (error as Error).message);
        throw error;
      } finally {
        rolloutMs = performance.now() - started;
      }
      rollouts = summariseRollouts(groups);
      ({ loss, gradNorm } = await this.update(groups, lr));
      this.restoresInARow = 0;
    } catch (error) {
      if (!(error instanceof GuardTrip)) throw error;
      if (this.restoresInARow >= this.settings.maxRestores)
        throw new GrpoDivergedError(
          `step ${step}: ${error.message}, after ${this.restoresInARow} restores in a row; the run stops`,
        );
      this.restore();
      this.restoresInARow++;
      guard = {
        reason: error.reason,
        detail: error.detail,
        restoredToStep: this.lastGood.step,
        restarts: this.run.restarts,
      };
    }
    const trainMs = performance.now() - started - rolloutMs;
    if (guard === null && this.step % this.settings.checkpointEvery === 0) await this.saveCheckpoint();
    const ms = performance.now() - started;
    return stepMetrics({ step, lr, guard, rollouts, loss, gradNorm, ms, rolloutMs, trainMs });
  }

  dispose(): void {
    this.optimizer.dispose();
    this.adapters.dispose();
  }
}

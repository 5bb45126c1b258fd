// The perception detector's trainer: seeded steps on ShapeWorld, cosine learning rate, AdamW, exact-resume checkpoints.
import type { Backend } from '../../../webgpu/backend';
import { Tape } from '../../../webgpu/autograd';
import { fromArray } from '../../../webgpu/creation';
import { AdamW } from '../../../webgpu/optim/adamw';
import { scope } from '../../../webgpu/scope';
import type { Tensor } from '../../../webgpu/tensor';
import { readTrainerCheckpoint, writeCheckpoint, type TrainerCheckpoint } from '../../training/checkpoint';
import { learningRate, type ScheduleOptions } from '../../training/schedule';
import type { HeadName, PerceptionConfig } from './config';
import { HEAD_NAMES, INPUT_CHANNELS } from './config';
import { sceneBatch } from './data';
import type { LossWeights } from './loss';
import { DEFAULT_LOSS_WEIGHTS, perceptionLoss } from './loss';
import { forward, initPerception, type PerceptionParams } from './model';

export interface TrainOptions extends ScheduleOptions {
  seed: number;
  /** Scenes per step; step s trains on train scenes s·batch … (s + 1)·batch − 1. */
  batch: number;
  weightDecay: number;
  maxGradNorm: number;
  lossWeights: LossWeights;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  seed: 1,
  steps: 1600,
  batch: 16,
  lr: 3e-3,
  finalLrRatio: 0.02,
  warmupSteps: 50,
  weightDecay: 1e-4,
  maxGradNorm: 5,
  lossWeights: DEFAULT_LOSS_WEIGHTS,
};

/** One step's numbers, as written to the metrics JSONL: every loss term by head name plus the total. */
export type StepMetrics = { step: number; lr: number; loss: number; gradNorm: number; ms: number } & Record<
  HeadName,
  number
>;

export class PerceptionTrainer {
  private constructor(
    readonly config: PerceptionConfig,
    readonly options: TrainOptions,
    readonly params: PerceptionParams,
    private readonly optimizer: AdamW,
  ) {}

  /** A fresh run (seeded init), or one continuing from `params` (a checkpoint's). */
  static create(
    backend: Backend,
    config: PerceptionConfig,
    options: TrainOptions,
    params: PerceptionParams = initPerception(config, { backend, seed: options.seed }),
  ): PerceptionTrainer {
    const optimizer = new AdamW(Object.fromEntries(params), {
      lr: options.lr,
      weightDecay: options.weightDecay,
      maxGradNorm: options.maxGradNorm,
    });
    return new PerceptionTrainer(config, options, params, optimizer);
  }

  /** Steps taken so far (the next step's index). */
  get step(): number {
    return this.optimizer.step;
  }

  async trainStep(): Promise<StepMetrics> {
    const started = performance.now();
    const { step, config, options } = this;
    const { input, targets } = sceneBatch(config, 'train', step * options.batch, options.batch);
    const lr = learningRate(options, step);
    const backend = this.optimizer.params[0]?.backend;
    const S = config.inputSize;
    const result = scope(() => {
      const pixels = fromArray(input, [options.batch, INPUT_CHANNELS, S, S], { backend });
      const tape = new Tape();
      const terms = tape.record(() =>
        perceptionLoss(forward(this.params, config, pixels), targets, options.lossWeights),
      );
      const norm = this.optimizer.update(tape.grad(terms.total, this.optimizer.params), lr);
      return { terms, norm };
    });
    const read = async (t: Tensor | null): Promise<number> => {
      const value = t ? ((await t.data())[0] as number) : NaN;
      t?.dispose();
      return value;
    };
    const values = await Promise.all(HEAD_NAMES.map((name) => read(result.terms[name])));
    return {
      step,
      lr,
      loss: await read(result.terms.total),
      gradNorm: await read(result.norm),
      ...(Object.fromEntries(HEAD_NAMES.map((name, i) => [name, values[i]])) as Record<HeadName, number>),
      ms: performance.now() - started,
    };
  }

  /** Parameters, AdamW moments and the step in one safetensors file (options and config in its metadata). */
  checkpoint(): Promise<Uint8Array> {
    return writeCheckpoint(this.params, this.optimizer, { config: this.config, options: this.options });
  }

  /** Restores parameters, moments and step from `checkpoint()`'s bytes; config and options come from the file. */
  static restore(
    backend: Backend,
    bytes: Uint8Array,
    overrides: Partial<TrainOptions> = {},
  ): PerceptionTrainer {
    const { config, options, params, optimizerState } = readPerceptionCheckpoint(backend, bytes);
    const trainer = PerceptionTrainer.create(backend, config, { ...options, ...overrides }, params);
    trainer.optimizer.importState(optimizerState);
    return trainer;
  }
}

/** Trainable parameters on the backend (inference simply runs them outside a tape), config and options. */
export type PerceptionCheckpoint = TrainerCheckpoint<PerceptionConfig, TrainOptions>;

/** Parses a checkpoint written by `PerceptionTrainer.checkpoint`. */
export function readPerceptionCheckpoint(backend: Backend, bytes: Uint8Array): PerceptionCheckpoint {
  return readTrainerCheckpoint(backend, bytes, 'perception');
}

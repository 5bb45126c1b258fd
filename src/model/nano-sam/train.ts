// nano-sam's trainer: seeded steps on ShapeWorld, cosine learning rate, AdamW, and checkpoints that resume exactly.
import type { Backend } from '../../webgpu/backend';
import { Tape } from '../../webgpu/autograd';
import { fromArray } from '../../webgpu/creation';
import { AdamW } from '../../webgpu/optim/adamw';
import { Random } from '../../webgpu/random';
import { scope } from '../../webgpu/scope';
import { readTrainerCheckpoint, writeCheckpoint } from '../training/checkpoint';
import { learningRate, type ScheduleOptions } from '../training/schedule';
import type { NanoSamConfig } from './config';
import { trainingBatch } from './data';
import { nanoSamLoss } from './loss';
import { forward, initNanoSam, type NanoSamParams } from './model';

export interface TrainOptions extends ScheduleOptions {
  seed: number;
  /** Scenes per step; each gives `objectsPerScene` examples (the batch is their product). */
  scenesPerStep: number;
  objectsPerScene: number;
  weightDecay: number;
  maxGradNorm: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  seed: 1,
  steps: 1500,
  scenesPerStep: 8,
  objectsPerScene: 2,
  lr: 3e-3,
  finalLrRatio: 0.05,
  warmupSteps: 50,
  weightDecay: 1e-4,
  maxGradNorm: 1,
};

export interface StepMetrics {
  step: number;
  lr: number;
  loss: number;
  maskLoss: number;
  iouLoss: number;
  /** Mean over the batch of the best candidate's IoU with the target. */
  bestIou: number;
  gradNorm: number;
  ms: number;
}

/** The step's own generator: a batch is a pure function of (seed, step), so a resumed run sees the same data. */
function stepRandom(seed: number, step: number): Random {
  return new Random(Math.imul(seed, 0x9e3779b1) ^ step);
}

export class NanoSamTrainer {
  private constructor(
    readonly config: NanoSamConfig,
    readonly options: TrainOptions,
    readonly params: NanoSamParams,
    private readonly optimizer: AdamW,
  ) {}

  /** A fresh run (seeded init), or one continuing from `params` (a checkpoint's). */
  static create(
    backend: Backend,
    config: NanoSamConfig,
    options: TrainOptions,
    params: NanoSamParams = initNanoSam(config, { backend, seed: options.seed }),
  ): NanoSamTrainer {
    const optimizer = new AdamW(Object.fromEntries(params), {
      lr: options.lr,
      weightDecay: options.weightDecay,
      maxGradNorm: options.maxGradNorm,
    });
    return new NanoSamTrainer(config, options, params, optimizer);
  }

  /** Steps taken so far (the next step's index). */
  get step(): number {
    return this.optimizer.step;
  }

  async trainStep(): Promise<StepMetrics> {
    const started = performance.now();
    const step = this.step;
    const { config, options } = this;
    const batch = trainingBatch(
      config,
      'train',
      step * options.scenesPerStep,
      options.scenesPerStep,
      options.objectsPerScene,
      stepRandom(options.seed, step),
    );
    const lr = learningRate(options, step);
    const backend = this.optimizer.params[0]?.backend;
    const b = batch.prompts.length;
    const S = config.inputSize;
    const result = scope(() => {
      const pixels = fromArray(batch.pixels, [b, 3, S, S], { backend });
      const masks = fromArray(batch.masks, [b, 1, S, S], { backend });
      const tape = new Tape();
      const parts = tape.record(() =>
        nanoSamLoss(forward(this.params, config, pixels, batch.prompts), masks),
      );
      const norm = this.optimizer.update(tape.grad(parts.total, this.optimizer.params), lr);
      const { total: value, maskLoss, iouLoss, iou } = parts;
      return { value, norm, maskLoss, iouLoss, iou };
    });
    const [loss, maskLoss, iouLoss, iou, norm] = await Promise.all([
      result.value.data(),
      result.maskLoss.data(),
      result.iouLoss.data(),
      result.iou.data(),
      result.norm?.data() ?? Promise.resolve([NaN]),
    ]);
    for (const t of [result.value, result.maskLoss, result.iouLoss, result.iou, result.norm]) t?.dispose();
    return {
      step,
      lr,
      loss: loss[0] as number,
      maskLoss: average(maskLoss),
      iouLoss: iouLoss[0] as number,
      bestIou: average(bestPerRow(iou, config.candidates)),
      gradNorm: norm[0] as number,
      ms: performance.now() - started,
    };
  }

  /** Parameters, AdamW moments and the step in one safetensors file (options and config in its metadata). */
  checkpoint(): Promise<Uint8Array> {
    return writeCheckpoint(this.params, this.optimizer, { config: this.config, options: this.options });
  }

  /** Restores parameters, moments and step from `checkpoint()`'s bytes; config and options come from the file. */
  static restore(backend: Backend, bytes: Uint8Array, overrides: Partial<TrainOptions> = {}): NanoSamTrainer {
    const {
      config,
      options: saved,
      params,
      optimizerState,
    } = readTrainerCheckpoint<NanoSamConfig, TrainOptions>(backend, bytes, 'nano-sam');
    const trainer = NanoSamTrainer.create(backend, config, { ...saved, ...overrides }, params);
    trainer.optimizer.importState(optimizerState);
    return trainer;
  }
}

function average(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i] as number;
  return values.length > 0 ? total / values.length : NaN;
}

function bestPerRow(values: ArrayLike<number>, width: number): number[] {
  const rows: number[] = [];
  for (let r = 0; r * width < values.length; r++) {
    let best = -Infinity;
    for (let c = 0; c < width; c++) best = Math.max(best, values[r * width + c] as number);
    rows.push(best);
  }
  return rows;
}

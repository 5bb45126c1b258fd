// The selector's trainer: seeded batches of ShapeWorld train samples, cross-entropy over objects, AdamW, exact-resume checkpoints.
import type { Backend } from '../../../webgpu/backend';
import { Tape } from '../../../webgpu/autograd';
import { fromArray } from '../../../webgpu/creation';
import { crossEntropy } from '../../../webgpu/ops/loss';
import { AdamW } from '../../../webgpu/optim/adamw';
import { scope } from '../../../webgpu/scope';
import { readTrainerCheckpoint, writeCheckpoint, type TrainerCheckpoint } from '../../training/checkpoint';
import { learningRate, type ScheduleOptions } from '../../training/schedule';
import type { SelectorConfig } from './config';
import { selectorExample, type SelectorExample } from './data';
import { selectorInputs } from './features';
import { argmax } from '../../generate/sampling';
import { initSelector, selectorForward, type SelectorParams } from './model';

export interface SelectorTrainOptions extends ScheduleOptions {
  seed: number;
  /** Samples per step; step s trains on train samples s·batch … (s + 1)·batch − 1, each seen once. */
  batch: number;
  weightDecay: number;
  maxGradNorm: number;
}

export const DEFAULT_SELECTOR_TRAIN_OPTIONS: SelectorTrainOptions = {
  seed: 1,
  steps: 3000,
  batch: 64,
  lr: 2e-3,
  finalLrRatio: 0.05,
  warmupSteps: 100,
  weightDecay: 1e-4,
  maxGradNorm: 5,
};

export interface SelectorStepMetrics {
  step: number;
  lr: number;
  loss: number;
  /** Share of the batch whose highest-scoring object is the target (before this step's update). */
  accuracy: number;
  gradNorm: number;
  ms: number;
}

/** A query's token ids (the policy tokenizer's encode): the one tokenizer path, given by the caller. */
export type EncodeQuery = (query: string) => number[];

export class SelectorTrainer {
  private constructor(
    readonly config: SelectorConfig,
    readonly options: SelectorTrainOptions,
    readonly params: SelectorParams,
    private readonly optimizer: AdamW,
  ) {}

  static create(
    backend: Backend,
    config: SelectorConfig,
    options: SelectorTrainOptions,
    params: SelectorParams = initSelector(config, { backend, seed: options.seed }),
  ): SelectorTrainer {
    const optimizer = new AdamW(Object.fromEntries(params), {
      lr: options.lr,
      weightDecay: options.weightDecay,
      maxGradNorm: options.maxGradNorm,
    });
    return new SelectorTrainer(config, options, params, optimizer);
  }

  get step(): number {
    return this.optimizer.step;
  }

  /** One step on this step's samples: train samples step·batch … (step + 1)·batch − 1. */
  trainStep(encode: EncodeQuery): Promise<SelectorStepMetrics> {
    const { batch } = this.options;
    const first = this.step * batch;
    return this.trainStepOn(
      Array.from({ length: batch }, (_, i) => selectorExample('train', first + i)),
      encode,
    );
  }

  /** One AdamW step on the given examples (the learning rate of the current step). */
  async trainStepOn(examples: readonly SelectorExample[], encode: EncodeQuery): Promise<SelectorStepMetrics> {
    const started = performance.now();
    const { step, config, options } = this;
    const inputs = selectorInputs(
      config,
      examples.map((e) => e.objects),
      examples.map((e) => encode(e.query)),
    );
    const lr = learningRate(options, step);
    const backend = this.optimizer.params[0]?.backend;
    const { loss, norm, scores } = scope(() => {
      const targets = fromArray(
        examples.map((e) => e.target),
        [examples.length],
        { backend, dtype: 'i32' },
      );
      const tape = new Tape();
      const recorded = tape.record(() => {
        const logits = selectorForward(this.params, config, inputs);
        return { logits, total: crossEntropy(logits, targets) };
      });
      const gradNorm = this.optimizer.update(tape.grad(recorded.total, this.optimizer.params), lr);
      return { loss: recorded.total, norm: gradNorm, scores: recorded.logits };
    });
    const [lossValue, scoreValues] = await Promise.all([loss.data(), scores.data()]);
    const gradNorm = norm ? ((await norm.data())[0] as number) : NaN;
    [loss, norm, scores].forEach((t) => t?.dispose());
    const N = inputs.slots;
    const correct = examples.filter(
      (e, b) => argmax({ logits: scoreValues, offset: b * N, size: N }) === e.target,
    );
    return {
      step,
      lr,
      loss: lossValue[0] as number,
      accuracy: correct.length / examples.length,
      gradNorm,
      ms: performance.now() - started,
    };
  }

  checkpoint(): Promise<Uint8Array> {
    return writeCheckpoint(this.params, this.optimizer, { config: this.config, options: this.options });
  }

  static restore(
    backend: Backend,
    bytes: Uint8Array,
    overrides: Partial<SelectorTrainOptions> = {},
  ): SelectorTrainer {
    const { config, options, params, optimizerState } = readSelectorCheckpoint(backend, bytes);
    const trainer = SelectorTrainer.create(backend, config, { ...options, ...overrides }, params);
    trainer.optimizer.importState(optimizerState);
    return trainer;
  }
}

export type SelectorCheckpoint = TrainerCheckpoint<SelectorConfig, SelectorTrainOptions>;

export function readSelectorCheckpoint(backend: Backend, bytes: Uint8Array): SelectorCheckpoint {
  return readTrainerCheckpoint(backend, bytes, 'selector');
}

// Supervised training of pixelthink-nano's decoder on ShapeWorld: seeded batches, a long/short chain curriculum, resumable.
import type { Backend } from '../../webgpu/backend';
import { Tape } from '../../webgpu/autograd';
import { fromArray, parameter } from '../../webgpu/creation';
import { crossEntropy } from '../../webgpu/ops/loss';
import { reshape } from '../../webgpu/ops/shape';
import { add, mul } from '../../webgpu/ops/elementwise';
import { AdamW } from '../../webgpu/optim/adamw';
import { Random } from '../../webgpu/random';
import { keep, registerInScope, scope } from '../../webgpu/scope';
import type { Tensor } from '../../webgpu/tensor';
import { CheckpointError, readCheckpoint, writeCheckpoint } from '../training/checkpoint';
import { learningRate, type ScheduleOptions } from '../training/schedule';
import { transformerConfig, type TransformerConfig } from '../transformer/config';
import { initTransformerWeights } from '../transformer/init';
import { expandKvHeads } from '../transformer/expand-kv-heads';
import { headScores } from '../transformer/pointer';
import { Transformer } from '../transformer/transformer';
import { NO_SOURCE, copySources } from './copy-targets';
import { sftExample } from './sft-data';
import type { PolicyTokenizer } from './tokens';

export interface SftOptions extends ScheduleOptions {
  seed: number;
  batch: number;
  weightDecay: number;
  maxGradNorm: number;
  /** Share of long chains at step 0 and from `longFromStep` on: the mix shifts linearly, with no abrupt switch. */
  longShareStart: number;
  longShareEnd: number;
  longFromStep: number;
  /**
   * Weight of the copy loss: one attention head (`copyHead` of the last layer) is trained to look at the object-list
   * token each response token copies (copy-targets.ts). 0 or absent: next-token loss only.
   */
  copyLossWeight?: number;
  copyHead?: number;
}

export const DEFAULT_SFT_OPTIONS: SftOptions = {
  seed: 1,
  steps: 3000,
  batch: 4,
  lr: 2e-3,
  finalLrRatio: 0.05,
  warmupSteps: 50,
  weightDecay: 0.01,
  maxGradNorm: 1,
  longShareStart: 0.5,
  longShareEnd: 1,
  longFromStep: 1200,
  copyLossWeight: 1,
  copyHead: 0,
};

export interface SftMetrics {
  step: number;
  lr: number;
  loss: number;
  /** The copy head's cross-entropy over prompt positions (0 when the copy loss is off). */
  copyLoss: number;
  /** Response tokens in the batch (the loss averages over them). */
  tokens: number;
  longShare: number;
  gradNorm: number;
  ms: number;
}

export interface SftBatch {
  ids: number[][];
  /** Index of the first response token of each sequence. */
  responseStart: number[];
}

/** The share of long chains at a step. */
export function longShare(options: SftOptions, step: number): number {
  const t = Math.min(1, step / Math.max(1, options.longFromStep));
  return options.longShareStart + (options.longShareEnd - options.longShareStart) * t;
}

/** Batch `step`: train samples step·batch … (step+1)·batch − 1, each with a long or short chain drawn per the mix. */
export function sftBatch(tokenizer: PolicyTokenizer, options: SftOptions, step: number): SftBatch {
  const random = new Random(Math.imul(options.seed, 0x85ebca6b) ^ step);
  const share = longShare(options, step);
  const batch: SftBatch = { ids: [], responseStart: [] };
  for (let i = 0; i < options.batch; i++) {
    const example = sftExample(
      'train',
      step * options.batch + i,
      random.uniform() < share ? 'long' : 'short',
    );
    const prompt = tokenizer.promptIds(example.query, example.objects, example.target);
    batch.ids.push([...prompt, ...tokenizer.responseIds(example.response)]);
    batch.responseStart.push(prompt.length);
  }
  return batch;
}

/** Inputs padded to the longest sequence and next-token targets (-100 outside the responses and on padding). */
export function batchTensors(
  batch: SftBatch,
  padId: number,
): { ids: number[]; targets: number[]; length: number } {
  const length = Math.max(...batch.ids.map((s) => s.length));
  const ids: number[] = [];
  const targets: number[] = [];
  batch.ids.forEach((sequence, b) => {
    const start = batch.responseStart[b] as number;
    for (let t = 0; t < length; t++) {
      ids.push(sequence[t] ?? padId);
      const next = sequence[t + 1];
      targets.push(next !== undefined && t + 1 >= start ? next : -100);
    }
  });
  return { ids, targets, length };
}

/** The first row whose logits the loss needs: the earliest response start − 1. */
function firstLossRow(batch: SftBatch): number {
  return Math.max(0, Math.min(...batch.responseStart) - 1);
}

/** Copy targets of rows from..length−1 of every sequence ([batch · (length − from)], NO_SOURCE on padding). */
export function copyTargets(batch: SftBatch, length: number, from: number): number[] {
  return batch.ids.flatMap((sequence, b) => {
    const own = copySources(sequence, batch.responseStart[b] as number, from);
    return [...own, ...Array<number>(length - from - own.length).fill(NO_SOURCE)];
  });
}

export class SftTrainer {
  private constructor(
    readonly config: TransformerConfig,
    readonly options: SftOptions,
    readonly model: Transformer,
    private readonly params: Map<string, Tensor>,
    private readonly optimizer: AdamW,
  ) {}

  static create(
    backend: Backend,
    config: TransformerConfig,
    options: SftOptions,
    weights: Map<string, Tensor> = initTransformerWeights(config, { backend, rng: options.seed }),
  ): SftTrainer {
    const params = new Map([...weights].map(([name, t]) => [name, parameter(t)]));
    const model = new Transformer(config, params);
    const optimizer = new AdamW(Object.fromEntries(params), {
      lr: options.lr,
      weightDecay: options.weightDecay,
      maxGradNorm: options.maxGradNorm,
    });
    return new SftTrainer(config, options, model, params, optimizer);
  }

  get step(): number {
    return this.optimizer.step;
  }

  /** The next-token loss of a batch and its copy-head loss (null when off), from one forward, no update: for tests. */
  async lossesOn(batch: SftBatch, padId: number): Promise<{ loss: number; copyLoss: number | null }> {
    const { lm, copy } = scope(() => {
      const parts = this.losses(batch, padId);
      return { lm: keep(parts.lm), copy: parts.copy && keep(parts.copy) };
    });
    const [loss, copyLoss] = [
      (await lm.data())[0] as number,
      copy ? ((await copy.data())[0] as number) : null,
    ];
    lm.dispose();
    copy?.dispose();
    return { loss, copyLoss };
  }

  /** Next-token loss, the copy head's loss (null when off) and their weighted sum. */
  private losses(batch: SftBatch, padId: number): { lm: Tensor; copy: Tensor | null; total: Tensor } {
    const { ids, targets, length } = batchTensors(batch, padId);
    const backend = this.model.backend;
    const b = batch.ids.length;
    // Logits only from the earliest response start: the vocab-sized head is skipped over most of the prompts.
    const from = firstLossRow(batch);
    const weight = this.options.copyLossWeight ?? 0;
    let tapped: { q: Tensor; k: Tensor } | null = null;
    const copyLayer = this.copyHeadAt().layer;
    const logits = this.model.forward({
      inputIds: fromArray(ids, [b, length], { backend, dtype: 'i32' }),
      logitsFrom: from,
      // The forward's own scope would free q and k on return: they move to this (the caller's) scope instead.
      ...(weight > 0
        ? {
            attentionTap: (layer, q, k) =>
              void (layer === copyLayer && (tapped = { q: keep(q), k: keep(k) })),
          }
        : {}),
    });
    if (tapped) for (const t of Object.values(tapped as { q: Tensor; k: Tensor })) registerInScope(t);
    const kept = targets.filter((_, i) => i % length >= from);
    const flat = reshape(logits, [b * (length - from), this.config.vocab]);
    const lm = crossEntropy(flat, fromArray(kept, [kept.length], { backend, dtype: 'i32' }));
    if (!tapped) return { lm, copy: null, total: lm };
    const copy = this.copyLoss(tapped, batch, length, from);
    return { lm, copy, total: add(lm, mul(copy, weight)) };
  }

  /** The head the copy loss supervises: the pointer head when the decoder has one, else `copyHead` of the last layer. */
  private copyHeadAt(): { layer: number; head: number } {
    return this.config.pointer ?? { layer: this.config.layers - 1, head: this.options.copyHead ?? 0 };
  }

  /** Cross-entropy of the copy head's attention (its own scores, causal) against the copy sources. */
  private copyLoss(tapped: { q: Tensor; k: Tensor }, batch: SftBatch, length: number, from: number): Tensor {
    const backend = this.model.backend;
    const b = batch.ids.length;
    const rows = length - from;
    const look = { q: tapped.q, keys: tapped.k, keyCount: length };
    const scores = headScores(this.config, this.copyHeadAt().head, look, from);
    const sources = copyTargets(batch, length, from);
    return crossEntropy(
      reshape(scores, [b * rows, length]),
      fromArray(sources, [sources.length], { backend, dtype: 'i32' }),
      NO_SOURCE,
    );
  }

  async trainStep(tokenizer: PolicyTokenizer): Promise<SftMetrics> {
    const started = performance.now();
    const step = this.step;
    const batch = sftBatch(tokenizer, this.options, step);
    const lr = learningRate(this.options, step);
    const padId = tokenizer.eosId;
    const { value, copy, norm } = scope(() => {
      const tape = new Tape();
      let copy: Tensor | null = null;
      const value = tape.record(() => {
        const parts = this.losses(batch, padId);
        copy = parts.copy && keep(parts.copy); // record keeps only what it returns
        return parts.total;
      });
      const norm = this.optimizer.update(tape.grad(value, this.optimizer.params), lr);
      return { value, copy: copy as Tensor | null, norm };
    });
    const [total, copyLoss, gradNorm] = [
      (await value.data())[0] as number,
      copy ? ((await copy.data())[0] as number) : 0,
      norm ? ((await norm.data())[0] as number) : NaN,
    ];
    const loss = total - (this.options.copyLossWeight ?? 0) * copyLoss;
    value.dispose();
    copy?.dispose();
    norm?.dispose();
    const tokens = batch.ids.reduce((n, s, i) => n + s.length - (batch.responseStart[i] as number), 0);
    return {
      step,
      lr,
      loss,
      copyLoss,
      tokens,
      longShare: longShare(this.options, step),
      gradNorm,
      ms: performance.now() - started,
    };
  }

  checkpoint(): Promise<Uint8Array> {
    return writeCheckpoint(this.params, this.optimizer, { config: this.config, options: this.options });
  }

  /**
   * Resumes a checkpoint. `architecture` may add parts to its config (e.g. a pointer): their new weights start from
   * the usual seeded initialisation with zero AdamW moments, every saved weight and moment is kept, and the schedule's
   * warm-up and cosine restart at the checkpoint's step (a new part needs its warm-up; the old cosine had ended).
   * `restartSchedule` restarts them without a new part (new training data, e.g. another chain format).
   */
  static restore(
    backend: Backend,
    bytes: Uint8Array,
    overrides: Partial<SftOptions> = {},
    architecture: Partial<TransformerConfig> = {},
    restartSchedule = false,
  ): SftTrainer {
    const { params, optimizerState, metadata } = readCheckpoint(backend, bytes);
    const saved = metadata.options as SftOptions | undefined;
    const savedConfig = metadata.config as TransformerConfig | undefined;
    if (!savedConfig || !saved) throw new CheckpointError('SFT checkpoint: metadata lacks config or options');
    const config = transformerConfig({ ...savedConfig, ...architecture });
    const widened =
      config.kvHeads === savedConfig.kvHeads ? new Map() : expandKvHeads(params, savedConfig, config);
    for (const [name, tensor] of widened) {
      params.get(name)?.dispose();
      params.set(name, tensor);
      // Zero moments: the copies must part, and the old moments were for one head.
      optimizerState.tensors[`m.${name}`] = new Float32Array(tensor.size);
      optimizerState.tensors[`v.${name}`] = new Float32Array(tensor.size);
    }
    const added = addMissingWeights(config, params, backend, saved.seed);
    const restart =
      restartSchedule || widened.size > 0 || added.size > 0 ? { startStep: optimizerState.step } : {};
    const options = { ...saved, ...restart, ...overrides };
    for (const [name, tensor] of added) {
      optimizerState.tensors[`m.${name}`] = new Float32Array(tensor.size);
      optimizerState.tensors[`v.${name}`] = new Float32Array(tensor.size);
    }
    const trainer = SftTrainer.create(backend, config, options, params);
    trainer.optimizer.importState(optimizerState);
    return trainer;
  }
}

/** Puts a fresh initialisation of every weight `config` expects but `params` lacks into it; returns those. */
function addMissingWeights(
  config: TransformerConfig,
  params: Map<string, Tensor>,
  backend: Backend,
  seed: number,
): Map<string, Tensor> {
  const added = new Map<string, Tensor>();
  for (const [name, tensor] of initTransformerWeights(config, { backend, rng: seed })) {
    if (params.has(name)) tensor.dispose();
    else added.set(name, tensor);
  }
  for (const [name, tensor] of added) params.set(name, tensor);
  return added;
}

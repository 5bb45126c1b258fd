// Supervised training of pixelthink-nano's decoder on ShapeWorld: seeded batches, a long/short chain curriculum, resumable.
import type { Backend } from '../../webgpu/backend';
import { Tape } from '../../webgpu/autograd';
import { fromArray, parameter } from '../../webgpu/creation';
import { crossEntropy } from '../../webgpu/ops/loss';
import { reshape, slice } from '../../webgpu/ops/shape';
import { add, mul } from '../../webgpu/ops/elementwise';
import { matmul } from '../../webgpu/ops/matmul';
import { AdamW } from '../../webgpu/optim/adamw';
import { Random } from '../../webgpu/random';
import { keep, registerInScope, scope } from '../../webgpu/scope';
import type { Tensor } from '../../webgpu/tensor';
import { CheckpointError, readCheckpoint, writeCheckpoint } from '../training/checkpoint';
import { learningRate, type ScheduleOptions } from '../training/schedule';
import type { TransformerConfig } from '../transformer/config';
import { initTransformerWeights } from '../transformer/init';
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
    const prompt = tokenizer.promptIds(example.query, example.objects);
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

/** Additive causal mask of query rows from..length−1 over all keys: 0 where a row may look, −1e9 after it. */
function causalRows(length: number, from: number): number[] {
  const mask: number[] = [];
  for (let t = from; t < length; t++) for (let s = 0; s < length; s++) mask.push(s <= t ? 0 : -1e9);
  return mask;
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

  /** The next-token loss of a batch (no update): for tests and evaluation. */
  loss(batch: SftBatch, padId: number): Tensor {
    return scope(() => this.losses(batch, padId).lm);
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
    const lastLayer = this.config.layers - 1;
    const logits = this.model.forward({
      inputIds: fromArray(ids, [b, length], { backend, dtype: 'i32' }),
      logitsFrom: from,
      // The forward's own scope would free q and k on return: they move to this (the caller's) scope instead.
      ...(weight > 0
        ? {
            attentionTap: (layer, q, k) =>
              void (layer === lastLayer && (tapped = { q: keep(q), k: keep(k) })),
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

  /** Cross-entropy of the copy head's attention (its own scores, causal) against the copy sources. */
  private copyLoss(tapped: { q: Tensor; k: Tensor }, batch: SftBatch, length: number, from: number): Tensor {
    const backend = this.model.backend;
    const b = batch.ids.length;
    const { headDim, heads, kvHeads } = this.config;
    const head = this.options.copyHead ?? 0;
    const kvHead = Math.floor(head / (heads / kvHeads));
    const rows = length - from;
    const q = reshape(slice(tapped.q, [0, from, head, 0], [b, rows, 1, headDim]), [b, rows, headDim]);
    const k = reshape(slice(tapped.k, [0, 0, kvHead, 0], [b, length, 1, headDim]), [b, length, headDim]);
    const scores = add(
      mul(matmul(q, k, { transB: true }), 1 / Math.sqrt(headDim)),
      fromArray(causalRows(length, from), [rows, length], { backend }),
    );
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

  static restore(backend: Backend, bytes: Uint8Array, overrides: Partial<SftOptions> = {}): SftTrainer {
    const { params, optimizerState, metadata } = readCheckpoint(backend, bytes);
    const config = metadata.config as TransformerConfig | undefined;
    const saved = metadata.options as SftOptions | undefined;
    if (!config || !saved) throw new CheckpointError('SFT checkpoint: metadata lacks config or options');
    const trainer = SftTrainer.create(backend, config, { ...saved, ...overrides }, params);
    trainer.optimizer.importState(optimizerState);
    return trainer;
  }
}

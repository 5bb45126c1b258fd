// Prefill + decode loop for a group of G samples of one prompt: shared prompt cache, per-sequence stop, streaming stats.
import { fromArray, scope } from '../../webgpu';
import type { Tensor } from '../../webgpu';
import { consecutivePositions, ropeSectionsOf } from '../transformer';
import type { ProjectionAdapter, Transformer } from '../transformer';
import { GenerationCancelledError, GenerationOptionError } from './errors';
import { yieldToEventLoop } from './event-loop';
import { KvCache } from './kv-cache';
import type { SamplingOptions } from './sampling';
import { validateSampling } from './sampling';
import { ActiveGroup } from './active-group';
import type { TokenEvent } from './active-group';
import type { GeneratedSequence } from './sequence-state';

export interface GenerateOptions {
  maxNewTokens: number;
  /** Any of these ends a sequence (it is kept as its last token). */
  stopTokens?: readonly number[];
  /** Default temperature 1, no truncation; temperature 0 is greedy. */
  sampling?: SamplingOptions;
  /** Sequence i of the group draws from Random(seed + i), so it equals a lone decode with that seed. Default 0. */
  seed?: number;
  /** G samples of the prompt (GRPO's group); default 1. */
  groupSize?: number;
  /** LoRA (any projection adapter) for the policy; omit for the base model. */
  adapter?: ProjectionAdapter;
  /** Vision features before the prompt tokens, f32 [1, prefix, dim]. */
  prefixEmbeddings?: Tensor;
  /** Positions of the prefill, i32 [sections, 1, prefix + prompt] (M-RoPE); default consecutive. */
  prefillPositions?: Tensor;
  /** Decode positions are cache length + positionDelta (Qwen2-VL's rope delta after an image); default 0. */
  positionDelta?: number;
  signal?: AbortSignal;
  /** Called for every generated token of every sequence, in order. */
  onToken?: (event: TokenEvent) => void;
}

export interface GenerationTimings {
  prefillMs: number;
  decodeMs: number;
  /** Tokens generated across the group. */
  generatedTokens: number;
  /** Batched forward passes after the prefill. */
  decodeSteps: number;
}

export interface GenerationResult {
  sequences: GeneratedSequence[];
  /** Prefix + prompt tokens the prefill saw. */
  promptLength: number;
  timings: GenerationTimings;
}

function checkOptions(prompt: readonly number[], options: GenerateOptions): void {
  const { maxNewTokens, groupSize = 1 } = options;
  if (!(Number.isSafeInteger(maxNewTokens) && maxNewTokens >= 1)) {
    throw new GenerationOptionError('maxNewTokens', `must be a positive integer, got ${maxNewTokens}`);
  }
  if (!(Number.isSafeInteger(groupSize) && groupSize >= 1)) {
    throw new GenerationOptionError('groupSize', `must be a positive integer, got ${groupSize}`);
  }
  if (prompt.length === 0 && !options.prefixEmbeddings) {
    throw new GenerationOptionError('prompt', 'needs at least one token or prefix embedding');
  }
  validateSampling(options.sampling ?? {});
}

function throwIfAborted(signal: AbortSignal | undefined, tokensGenerated: number): void {
  if (signal?.aborted) throw new GenerationCancelledError(tokensGenerated, signal.reason);
}

/** Reads a logits tensor to the host and frees it. */
async function readLogits(logits: Tensor): Promise<Float32Array> {
  try {
    return (await logits.data()) as Float32Array;
  } finally {
    logits.dispose();
  }
}

function prefill(
  model: Transformer,
  prompt: readonly number[],
  cache: KvCache,
  options: GenerateOptions,
): Tensor {
  return scope(() => {
    const inputIds =
      prompt.length > 0
        ? fromArray(prompt, [1, prompt.length], { backend: model.backend, dtype: 'i32' })
        : undefined;
    const total = prompt.length + (options.prefixEmbeddings?.shape[1] ?? 0);
    return model.forward({
      inputIds,
      prefixEmbeddings: options.prefixEmbeddings,
      positions: options.prefillPositions,
      adapter: options.adapter,
      cache,
      logitsFrom: total - 1,
    });
  });
}

function decodeStep(
  model: Transformer,
  cache: KvCache,
  lastTokens: number[],
  options: GenerateOptions,
): Tensor {
  return scope(() => {
    const backend = model.backend;
    const delta = options.positionDelta ?? 0;
    const sections = ropeSectionsOf(model.config).length;
    return model.forward({
      inputIds: fromArray(lastTokens, [lastTokens.length, 1], { backend, dtype: 'i32' }),
      positions: consecutivePositions(cache.length + delta, lastTokens.length, 1, sections, backend),
      adapter: options.adapter,
      cache,
    });
  });
}

/**
 * Prefills the prompt once (batch 1), repeats its cache for the G sequences, then decodes them together; finished
 * sequences leave the batch (their cache rows are dropped). Throws GenerationCancelledError when `signal` aborts.
 */
export async function generateGroup(
  model: Transformer,
  prompt: readonly number[],
  options: GenerateOptions,
): Promise<GenerationResult> {
  checkOptions(prompt, options);
  throwIfAborted(options.signal, 0);
  const groupSize = options.groupSize ?? 1;
  const group = new ActiveGroup(
    groupSize,
    options.seed ?? 0,
    options.sampling ?? {},
    new Set(options.stopTokens ?? []),
  );
  const timings: GenerationTimings = { prefillMs: 0, decodeMs: 0, generatedTokens: 0, decodeSteps: 0 };
  const started = performance.now();
  const prefillCache = KvCache.forModel(model.config);
  let cache = prefillCache;
  try {
    let logits = await readLogits(prefill(model, prompt, prefillCache, options));
    timings.prefillMs = performance.now() - started;
    const promptLength = prefillCache.length;
    // Each generated token but the last needs a cache slot.
    const maxNewTokens = Math.min(options.maxNewTokens, model.config.maxPositions - promptLength + 1);
    if (groupSize > 1) {
      cache = prefillCache.expand(groupSize);
      prefillCache.dispose(); // the group's copy is all the decode needs
    }
    for (let step = 0; ; step++) {
      group.sampleStep(logits, step === 0, step, maxNewTokens, options.onToken);
      timings.generatedTokens += group.running;
      const rows = group.dropFinished();
      if (rows.length === 0) break;
      cache.selectRows(rows);
      await yieldToEventLoop();
      throwIfAborted(options.signal, step + 1);
      logits = await readLogits(decodeStep(model, cache, group.lastTokens(), options));
      timings.decodeSteps++;
    }
    timings.decodeMs = performance.now() - started - timings.prefillMs;
    return { sequences: group.results(), promptLength, timings };
  } finally {
    cache.dispose();
    prefillCache.dispose();
  }
}

/** One sequence (a group of one), e.g. the interactive query: tokens, log-probs and uncertainty. */
export async function generate(
  model: Transformer,
  prompt: readonly number[],
  options: Omit<GenerateOptions, 'groupSize'>,
): Promise<GeneratedSequence & { timings: GenerationTimings }> {
  const result = await generateGroup(model, prompt, { ...options, groupSize: 1 });
  return { ...(result.sequences[0] as GeneratedSequence), timings: result.timings };
}

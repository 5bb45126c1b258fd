// Generation: cache = recompute, seeded sampling, top-k 1 = greedy, group = independent decodes, stats via src/rl, abort.
import { describe, expect, it } from 'vitest';
import { ReferenceBackend, embedding, keep, scope } from '../../webgpu';
import { stepStatsFromLogits } from '../../rl';
import { TINY_CONFIG, hostLogits, ids, maxAbsDiff, tinyModel } from '../transformer/test-support';
import { EMBED_TOKENS, transformerConfig } from '../transformer';
import type { Transformer } from '../transformer';
import { GenerationCancelledError, KvCache, argmax, generate, generateGroup } from '.';
import type { TokenEvent } from '.';

const PROMPT = [3, 7, 1, 12, 5];
const V = TINY_CONFIG.vocab;

/** Last-position logits of a full forward over `tokens` (no cache): the recompute-everything reference. */
async function lastLogits(model: Transformer, tokens: readonly number[]): Promise<Float32Array> {
  const all = await hostLogits(model, () => ({ inputIds: ids(model, [tokens]) }));
  return all.slice(all.length - V);
}

/** The same tiny decoder with token shift: its cache carries a history slot through prefill, expand and drops. */
const SHIFTED = transformerConfig({ ...TINY_CONFIG, tokenShift: 2 });
/** And with pointer decoding: its cache slot of past token ids goes through the same prefill, expand and drops. */
const POINTED = transformerConfig({ ...SHIFTED, pointer: { layer: 1, head: 3 } });
const CONFIGS = [
  ['plain', TINY_CONFIG],
  ['token shift', SHIFTED],
  ['token shift + pointer', POINTED],
] as const;

describe('generation', () => {
  it.each(CONFIGS)(
    'decodes with the KV cache exactly as recomputing the full forward each step (%s)',
    async (_, config) => {
      const backend = new ReferenceBackend({ poison: true });
      const model = tinyModel(backend, 1, config);
      const cached = await generate(model, PROMPT, { maxNewTokens: 12, sampling: { temperature: 0 } });
      // Without a cache: greedy on a full forward of everything so far.
      const tokens = [...PROMPT];
      for (let step = 0; step < 12; step++)
        tokens.push(argmax({ logits: await lastLogits(model, tokens), offset: 0, size: V }));
      expect(cached.tokens).toEqual(tokens.slice(PROMPT.length));
      // And the logits themselves, step by step through the cache.
      const cache = KvCache.forModel(config);
      let worst = 0;
      let fed = PROMPT as readonly number[];
      for (let t = PROMPT.length; t < tokens.length; t++) {
        const fromCache = await hostLogits(model, () => ({ inputIds: ids(model, [fed]), cache }));
        const recomputed = await lastLogits(model, tokens.slice(0, t));
        worst = Math.max(worst, maxAbsDiff(fromCache.slice(fromCache.length - V), recomputed));
        fed = [tokens[t] as number];
      }
      cache.dispose();
      expect(worst).toBeLessThan(1e-5);
      model.dispose();
    },
  );

  it('samples deterministically from a seed, and top-k = 1 equals greedy', async () => {
    const backend = new ReferenceBackend({ poison: true });
    const model = tinyModel(backend);
    const options = { maxNewTokens: 10, sampling: { temperature: 1.3, topP: 0.95 }, seed: 42 };
    const first = await generate(model, PROMPT, options);
    const second = await generate(model, PROMPT, options);
    const other = await generate(model, PROMPT, { ...options, seed: 43 });
    expect(second.tokens).toEqual(first.tokens);
    expect(second.samplingLogProbs).toEqual(first.samplingLogProbs);
    expect(other.tokens).not.toEqual(first.tokens);
    const greedy = await generate(model, PROMPT, { maxNewTokens: 10, sampling: { temperature: 0 } });
    const topOne = await generate(model, PROMPT, {
      maxNewTokens: 10,
      sampling: { temperature: 2, topK: 1 },
      seed: 9,
    });
    expect(topOne.tokens).toEqual(greedy.tokens);
    expect(topOne.samplingLogProbs.every((lp) => lp === 0)).toBe(true);
    model.dispose();
  });

  it.each(CONFIGS)(
    'decodes a group of G like G independent decodes, with per-sequence stops, and leaks nothing (%s)',
    async (_, config) => {
      const backend = new ReferenceBackend({ poison: true });
      const model = tinyModel(backend, 1, config);
      const before = backend.liveStorageCount();
      const options = { maxNewTokens: 14, stopTokens: [0, 1, 2], sampling: { temperature: 1 }, seed: 100 };
      const group = await generateGroup(model, PROMPT, { ...options, groupSize: 5 });
      expect(backend.liveStorageCount()).toBe(before);
      const lengths = group.sequences.map((s) => s.tokens.length);
      expect(new Set(lengths).size).toBeGreaterThan(1); // the stops really differ between sequences
      for (let i = 0; i < 5; i++) {
        const alone = await generate(model, PROMPT, { ...options, seed: 100 + i });
        const inGroup = group.sequences[i];
        expect(inGroup?.tokens).toEqual(alone.tokens);
        expect(inGroup?.finishReason).toBe(alone.finishReason);
        expect(maxAbsDiff(inGroup?.logProbs ?? [], alone.logProbs)).toBeLessThan(1e-6);
        expect(inGroup?.uncertainty.uncertainty).toBeCloseTo(alone.uncertainty.uncertainty, 6);
      }
      model.dispose();
    },
  );

  it('reports p1, p2, entropy and log-prob per token exactly as src/rl computes them from the logits', async () => {
    const backend = new ReferenceBackend({ poison: true });
    const model = tinyModel(backend);
    const events: TokenEvent[] = [];
    const result = await generate(model, PROMPT, {
      maxNewTokens: 8,
      sampling: { temperature: 0.7 },
      seed: 3,
      onToken: (event) => events.push(event),
    });
    expect(events.map((e) => e.token)).toEqual(result.tokens);
    let summedMargin = 0;
    for (const [t, event] of events.entries()) {
      const logits = await lastLogits(model, [...PROMPT, ...result.tokens.slice(0, t)]);
      const expected = stepStatsFromLogits(logits);
      expect(event.p1).toBeCloseTo(expected.p1, 5);
      expect(event.p2).toBeCloseTo(expected.p2, 5);
      expect(event.entropy).toBeCloseTo(expected.entropy, 5);
      const logSumExp = Math.log(Array.from(logits).reduce((s, l) => s + Math.exp(l), 0));
      expect(event.logProb).toBeCloseTo((logits[event.token] ?? 0) - logSumExp, 5);
      summedMargin += Math.min(1, Math.max(0, 1 - (expected.p1 - expected.p2)));
    }
    expect(result.uncertainty.uncertainty).toBeCloseTo(summedMargin / events.length, 5);
    // At temperature 0.7, GRPO's old log-prob is log softmax(logits / 0.7), not the temperature-1 one.
    expect(result.oldLogProbs).not.toEqual(result.logProbs);
    model.dispose();
  });

  it('stops promptly with GenerationCancelledError when the signal aborts, freeing the cache', async () => {
    const backend = new ReferenceBackend({ poison: true });
    const model = tinyModel(backend);
    const before = backend.liveStorageCount();
    const controller = new AbortController();
    let seen = 0;
    const run = generateGroup(model, PROMPT, {
      maxNewTokens: 40,
      groupSize: 3,
      signal: controller.signal,
      onToken: (event) => {
        seen++;
        if (event.step === 3) controller.abort('user pressed stop');
      },
    });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GenerationCancelledError);
    expect((error as GenerationCancelledError).tokensGenerated).toBe(4);
    expect((error as GenerationCancelledError).reason).toBe('user pressed stop');
    expect(seen).toBe(3 * 4);
    expect(backend.liveStorageCount()).toBe(before);
    // An abort from another task (a timer, a worker message) is seen between steps too.
    const timed = new AbortController();
    const started = performance.now();
    setTimeout(() => timed.abort(), 5);
    await expect(generate(model, PROMPT, { maxNewTokens: 60, signal: timed.signal })).rejects.toThrow(
      GenerationCancelledError,
    );
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(generate(model, PROMPT, { maxNewTokens: 5, signal: AbortSignal.abort() })).rejects.toThrow(
      GenerationCancelledError,
    );
    model.dispose();
  });

  it('stops at stop tokens (kept) and at maxNewTokens, and handles a prefix-only prompt', async () => {
    const backend = new ReferenceBackend({ poison: true });
    const model = tinyModel(backend);
    const free = await generate(model, PROMPT, { maxNewTokens: 6, sampling: { temperature: 0 } });
    expect(free.finishReason).toBe('length');
    expect(free.tokens).toHaveLength(6);
    const stopAt = free.tokens[2] as number;
    const stopped = await generate(model, PROMPT, {
      maxNewTokens: 6,
      stopTokens: [stopAt],
      sampling: { temperature: 0 },
    });
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.tokens).toEqual(free.tokens.slice(0, free.tokens.indexOf(stopAt) + 1));
    const prefix = scope(() => keep(embedding(model.tensorAt(EMBED_TOKENS), ids(model, [PROMPT]))));
    const fromPrefix = await generate(model, [], {
      maxNewTokens: 6,
      sampling: { temperature: 0 },
      prefixEmbeddings: prefix,
    });
    expect(fromPrefix.tokens).toEqual(free.tokens);
    prefix.dispose();
    model.dispose();
  });
});

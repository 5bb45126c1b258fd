// Pointer decoding: a normalised mixture, each side on its own at the gate's ends, gradients, cache = full forward.
import { describe, expect, it } from 'vitest';
import { ReferenceBackend, WasmBackend, fromArray, keep, softmax } from '../../webgpu';
import { KvCache } from '../generate/kv-cache';
import { gradcheck } from '../../webgpu/testing/gradcheck';
import { Transformer, transformerConfig } from '.';
import { POINTER_GATE } from './names';
import { causalMask, pointerLogProbs } from './pointer';
import {
  POINTER_CONFIG,
  TINY_CONFIG,
  hostLogits,
  ids,
  maxAbsDiff,
  pointerRun,
  tinyModel,
  worstGradError,
} from './test-support';

const PROMPT = [3, 7, 1, 12, 5, 9, 3, 20];
const V = TINY_CONFIG.vocab;
/** Head 2 reads kv head 1 (4 query heads over 2 kv heads): the mapping is part of what is checked. */
const POINTED = transformerConfig({ ...TINY_CONFIG, pointer: { layer: 1, head: 2 } });

/** The same weights with the gate's bias set to `bias` (±60 pins the gate to one side). */
function withGateBias(model: Transformer, bias: number): Transformer {
  const weights = model.namedTensors();
  weights.set(`${POINTER_GATE}.bias`, keep(fromArray([bias], [1], { backend: model.backend })));
  return new Transformer(model.config, weights);
}

/** The pointer head's attention rows [seq, seq] for one sequence, computed on the host from the tapped q and k. */
async function hostAttention(model: Transformer, tokens: number[]): Promise<number[][]> {
  const { headDim, pointer } = model.config;
  const head = pointer?.head ?? 0;
  let q: Float32Array | null = null;
  let k: Float32Array | null = null;
  const reads: Promise<void>[] = [];
  await hostLogits(model, () => ({
    inputIds: ids(model, [tokens]),
    attentionTap: (layer, qs, ks) => {
      if (layer !== pointer?.layer) return;
      reads.push(qs.data().then((d) => void (q = d as Float32Array)));
      reads.push(ks.data().then((d) => void (k = d as Float32Array)));
    },
  }));
  await Promise.all(reads);
  const { heads, kvHeads } = model.config;
  const kvHead = Math.floor(head / (heads / kvHeads));
  return tokens.map((_, t) => {
    const scores = tokens.map((__, s) => {
      if (s > t) return -Infinity;
      let dot = 0;
      for (let d = 0; d < headDim; d++) {
        dot +=
          (q as unknown as Float32Array)[(t * heads + head) * headDim + d]! *
          (k as unknown as Float32Array)[(s * kvHeads + kvHead) * headDim + d]!;
      }
      return dot / Math.sqrt(headDim);
    });
    const top = Math.max(...scores);
    const exps = scores.map((x) => Math.exp(x - top));
    const total = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / total);
  });
}

describe('pointer decoding', () => {
  it('masks each query row to the keys at or before its position', async () => {
    const backend = new ReferenceBackend();
    const mask = await causalMask(2, 3, 6, backend).data();
    expect([...mask]).toEqual([0, 0, 0, 0, -1e9, -1e9, 0, 0, 0, 0, 0, -1e9]);
  });

  it('returns a normalised distribution (its log-softmax is itself)', async () => {
    const model = tinyModel(new ReferenceBackend({ poison: true }), 2, POINTED);
    const logProbs = await hostLogits(model, () => ({ inputIds: ids(model, [PROMPT]) }));
    for (let t = 0; t < PROMPT.length; t++) {
      const mass = logProbs.slice(t * V, (t + 1) * V).reduce((n, x) => n + Math.exp(x), 0);
      expect(Math.abs(mass - 1)).toBeLessThan(1e-6);
    }
    model.dispose();
  });

  it('with the gate shut, writes the pointer head’s attention mass on each earlier token', async () => {
    const base = tinyModel(new ReferenceBackend({ poison: true }), 3, POINTED);
    const model = withGateBias(base, -60);
    const logProbs = await hostLogits(model, () => ({ inputIds: ids(model, [PROMPT]) }));
    const attention = await hostAttention(model, PROMPT);
    for (let t = 0; t < PROMPT.length; t++) {
      const expected = new Float64Array(V);
      PROMPT.forEach((id, s) => (expected[id]! += attention[t]![s]!));
      const got = logProbs.slice(t * V, (t + 1) * V).map((x) => Math.exp(x));
      expect(maxAbsDiff(got, expected)).toBeLessThan(1e-6);
    }
    // Token 3 sits at positions 0 and 6: at row 6 it collects both looks.
    expect(attention[6]![0]! + attention[6]![6]!).toBeCloseTo(Math.exp(logProbs[6 * V + 3]!), 6);
    model.dispose();
  });

  it('with the gate open, is the plain LM head’s log-softmax', async () => {
    const base = tinyModel(new ReferenceBackend({ poison: true }), 4, POINTED);
    const model = withGateBias(base, 60);
    const pointed = await hostLogits(model, () => ({ inputIds: ids(model, [PROMPT]) }));
    const weights = model.namedTensors();
    weights.delete(`${POINTER_GATE}.weight`);
    weights.delete(`${POINTER_GATE}.bias`);
    const plain = new Transformer(TINY_CONFIG, weights);
    const logits = await hostLogits(plain, () => ({ inputIds: ids(plain, [PROMPT]) }));
    for (let t = 0; t < PROMPT.length; t++) {
      const row = logits.slice(t * V, (t + 1) * V);
      const top = Math.max(...row);
      const lse = top + Math.log(row.reduce((n, x) => n + Math.exp(x - top), 0));
      expect(
        maxAbsDiff(
          pointed.slice(t * V, (t + 1) * V),
          row.map((x) => x - lse),
        ),
      ).toBeLessThan(1e-5);
    }
    model.dispose();
  });

  it('has exact gradients for logits, hidden state, attention and the gate', () => {
    const backend = new ReferenceBackend({ precision: 'f64' });
    const [batch, rows, keys, dim, vocab] = [2, 3, 4, 5, 6];
    const tokenIds = fromArray([0, 2, 2, 5, 1, 3, -1, 4], [batch, keys], { backend });
    const { maxRelativeError, worst } = gradcheck(
      backend,
      (logits, hidden, scores, weight, bias) =>
        pointerLogProbs(logits, hidden, softmax(scores), tokenIds, { weight, bias }),
      [
        { shape: [batch, rows, vocab] },
        { shape: [batch, rows, dim] },
        { shape: [batch, rows, keys] },
        { shape: [1, dim] },
        { shape: [1] },
      ],
      { seed: 5 },
    );
    expect(maxRelativeError, worst).toBeLessThan(1e-6);
  });
});

describe('pointer decoding across backends', () => {
  it('wasm gives the f64 reference’s log-probs, cached log-probs and gradients', async () => {
    const want = await pointerRun(new ReferenceBackend({ precision: 'f64' }), (b) =>
      KvCache.forModel(POINTER_CONFIG, b),
    );
    const wasm = await WasmBackend.create({ threads: 1 });
    const got = await pointerRun(wasm, (b) => KvCache.forModel(POINTER_CONFIG, b));
    expect(maxAbsDiff(got.logProbs, want.logProbs)).toBeLessThan(1e-4);
    got.cached.forEach((part, i) => expect(maxAbsDiff(part, want.cached[i]!)).toBeLessThan(1e-4));
    expect(worstGradError(got.grads, want.grads)).toBeLessThan(1e-3);
    expect(got.grads.get(`${POINTER_GATE}.weight`)!.some((g) => g !== 0)).toBe(true);
    wasm.dispose();
  });
});

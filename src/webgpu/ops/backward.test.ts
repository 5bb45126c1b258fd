// Every op's backward against central finite differences on the f64 reference backend, fresh random inputs each run.
import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../backends/reference';
import { fromArray } from '../creation';
import { Random } from '../random';
import type { Tensor } from '../tensor';
import type { GradcheckInput } from '../testing/gradcheck';
import { gradcheck } from '../testing/gradcheck';
import { attention } from './attention';
import { conv2d, patchEmbed } from './conv';
import * as ew from './elementwise';
import { embedding } from './embedding';
import { crossEntropy, entropy, tokenLogProbs } from './loss';
import { linear, matmul } from './matmul';
import { layerNorm, rmsNorm } from './norm';
import { mean, sum } from './reduce';
import { rope } from './rope';
import { broadcastTo, concat, permute, reshape, slice, transpose } from './shape';
import { logSoftmax, softmax } from './softmax';

const backend = new ReferenceBackend({ precision: 'f64', poison: true });
const seed = Math.floor(Math.random() * 2 ** 31);
const rng = new Random(seed);
/** A random size in [lo, hi], odd sizes included on purpose. */
const dim = (lo: number, hi: number): number => lo + rng.int(hi - lo + 1);
const TOLERANCE = 1e-6;

function check(f: (...xs: Tensor[]) => Tensor, specs: GradcheckInput[]): void {
  const { maxRelativeError, worst } = gradcheck(backend, f, specs, { seed: rng.nextUint32() });
  expect(maxRelativeError, `seed ${seed}; worst ${worst}`).toBeLessThan(TOLERANCE);
}

const ints = (values: number[], shape: number[]): Tensor =>
  fromArray(values, shape, { dtype: 'i32', backend });
const randomIds = (count: number, below: number): number[] =>
  Array.from({ length: count }, () => rng.int(below));
/** Values kept away from 0 so log/sqrt/div and the kinks of abs/relu/clamp are not straddled by the step. */
const awayFromZero = (n: number): number[] =>
  Array.from({ length: n }, () => (rng.uniform() < 0.5 ? -1 : 1) * (0.3 + rng.uniform()));
const positive = (n: number): number[] => Array.from({ length: n }, () => 0.3 + 2 * rng.uniform());

describe(`backward by finite differences (seed ${seed})`, () => {
  it('unary activations', () => {
    const shape = [dim(1, 3), dim(2, 5)];
    for (const f of [ew.exp, ew.tanh, ew.sigmoid, ew.silu, ew.gelu, ew.square, ew.neg]) check(f, [{ shape }]);
    const n = shape[0]! * shape[1]!;
    for (const f of [ew.abs, ew.relu]) check(f, [{ shape, values: awayFromZero(n) }]);
    for (const f of [ew.log, ew.sqrt, ew.rsqrt]) check(f, [{ shape, values: positive(n) }]);
    check((x) => ew.pow(x, 1.7), [{ shape, values: positive(n) }]);
    check((x) => ew.scale(x, -2.5), [{ shape }]);
    check((x) => ew.addScalar(x, 3), [{ shape }]);
    check((x) => ew.clamp(x, -0.2, 0.2), [{ shape, values: awayFromZero(n).map((v) => v * 0.5) }]);
  });

  it('binary ops with broadcasting', () => {
    const [a, b, c] = [dim(1, 3), dim(2, 4), dim(1, 5)];
    const pairs: [number[], number[]][] = [
      [
        [a, b, c],
        [a, b, c],
      ],
      [[a, b, c], [c]],
      [
        [a, 1, c],
        [b, 1],
      ],
      [[a, b, c], []],
    ];
    for (const [sa, sb] of pairs) {
      for (const f of [ew.add, ew.sub, ew.mul] as const)
        check((x, y) => f(x, y), [{ shape: sa }, { shape: sb }]);
      const nb = sb.reduce((n, d) => n * d, 1);
      check((x, y) => ew.div(x, y), [{ shape: sa }, { shape: sb, values: awayFromZero(nb) }]);
      check(ew.maximum, [{ shape: sa }, { shape: sb }]);
      check(ew.minimum, [{ shape: sa }, { shape: sb }]);
    }
    check((g, u) => ew.swiglu(g, u), [{ shape: [a, c] }, { shape: [a, c] }]);
  });

  it('matmul with transposes and batch broadcasting', () => {
    const [m, k, n] = [dim(1, 4), dim(1, 5), dim(1, 4)];
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const sa = transA ? [k, m] : [m, k];
        const sb = transB ? [n, k] : [k, n];
        check((x, y) => matmul(x, y, { transA, transB }), [{ shape: [2, ...sa] }, { shape: sb }]);
        check((x, y) => matmul(x, y, { transA, transB }), [{ shape: [3, 1, ...sa] }, { shape: [2, ...sb] }]);
      }
    }
    check((x, w, b) => linear(x, w, b), [{ shape: [2, m, k] }, { shape: [n, k] }, { shape: [n] }]);
  });

  it('reductions', () => {
    const shape = [dim(1, 3), dim(2, 4), dim(1, 3)];
    check((x) => sum(x), [{ shape }]);
    check((x) => sum(x, 1), [{ shape }]);
    check((x) => sum(x, [0, 2], true), [{ shape }]);
    check((x) => mean(x), [{ shape }]);
    check((x) => mean(x, -1), [{ shape }]);
  });

  it('softmax and log-softmax', () => {
    const shape = [dim(1, 3), dim(2, 7)];
    check(softmax, [{ shape }]);
    check(logSoftmax, [{ shape }]);
  });

  it('RMSNorm and LayerNorm', () => {
    const cols = dim(2, 7);
    const shape = [dim(1, 3), dim(1, 3), cols];
    check((x, w) => rmsNorm(x, w, 1e-5), [{ shape }, { shape: [cols] }]);
    check((x, w, b) => layerNorm(x, w, b, 1e-5), [{ shape }, { shape: [cols] }, { shape: [cols] }]);
  });

  it('rotary embeddings, 1-D and sectioned (M-RoPE)', () => {
    const [batch, seq, heads] = [dim(1, 2), dim(1, 5), dim(1, 3)];
    const positions = ints(randomIds(batch * seq, 50), [batch, seq]);
    check((x) => rope(x, positions, { theta: 100 }), [{ shape: [batch, seq, heads, 6] }]);
    const sectioned = ints(randomIds(3 * batch * seq, 20), [3, batch, seq]);
    check((x) => rope(x, sectioned, { theta: 50, sections: [1, 2, 1] }), [{ shape: [batch, seq, heads, 8] }]);
  });

  it('attention: GQA, causal, mask, KV offset', () => {
    const [batch, tq, d] = [dim(1, 2), dim(1, 4), dim(1, 4)];
    const hkv = dim(1, 2);
    const hq = hkv * dim(1, 3);
    const q = { shape: [batch, tq, hq, d] };
    const kv = { shape: [batch, tq, hkv, d] };
    check((a, b, c) => attention(a, b, c, { causal: true }), [q, kv, kv]);
    check((a, b, c) => attention(a, b, c), [q, kv, kv]);
    const tk = tq + dim(1, 3);
    const kvLong = { shape: [batch, tk, hkv, d] };
    check((a, b, c) => attention(a, b, c, { causal: true }), [q, kvLong, kvLong]);
    const maskValues = Array.from({ length: batch * tq * tk }, (_, i) =>
      i % tk === tk - 1 ? -Infinity : rng.normal(),
    );
    const mask = fromArray(maskValues, [batch, 1, tq, tk], { backend });
    check((a, b, c) => attention(a, b, c, { mask, scale: 0.7 }), [q, kvLong, kvLong]);
  });

  it('embedding gather (scatter-add backward, repeated ids)', () => {
    const [vocab, width] = [dim(2, 6), dim(1, 4)];
    const ids = ints([0, 1, 0, vocab - 1, 1, 0], [2, 3]);
    check((table) => embedding(table, ids), [{ shape: [vocab, width] }]);
  });

  it('token log-probs, cross-entropy (ignore index), entropy', () => {
    const [rows, vocab] = [dim(2, 5), dim(2, 7)];
    const ids = randomIds(rows, vocab);
    ids[0] = -100;
    const targets = ints(ids, [1, rows]);
    check((x) => tokenLogProbs(x, targets), [{ shape: [1, rows, vocab] }]);
    check((x) => crossEntropy(x, targets), [{ shape: [1, rows, vocab] }]);
    check((x) => entropy(x), [{ shape: [rows, vocab] }]);
  });

  it('conv2d (stride, padding) and patch embedding', () => {
    const [batch, cIn, cOut] = [dim(1, 2), dim(1, 3), dim(1, 3)];
    const [h, w] = [dim(3, 6), dim(3, 6)];
    check(
      (x, k) => conv2d(x, k, { stride: 1, padding: 1 }),
      [{ shape: [batch, cIn, h, w] }, { shape: [cOut, cIn, 3, 3] }],
    );
    check(
      (x, k) => conv2d(x, k, { stride: [2, 1], padding: [0, 1] }),
      [{ shape: [batch, cIn, h, w] }, { shape: [cOut, cIn, 2, 3] }],
    );
    check(
      (x, k, b) => patchEmbed(x, k, b),
      [{ shape: [batch, cIn, 4, 6] }, { shape: [cOut, cIn, 2, 2] }, { shape: [cOut] }],
    );
  });

  it('layout ops', () => {
    const shape = [dim(1, 3), dim(2, 4), dim(2, 3)];
    check((x) => reshape(x, [-1]), [{ shape }]);
    check((x) => permute(x, [2, 0, 1]), [{ shape }]);
    check((x) => transpose(x), [{ shape }]);
    check((x) => slice(x, [0, 1, 1], [-1, 1, -1]), [{ shape }]);
    check((x, y) => concat([x, y, x], 1), [{ shape }, { shape: [shape[0]!, 1, shape[2]!] }]);
    check((x) => broadcastTo(x, [2, shape[1]!, shape[2]!]), [{ shape: [1, shape[1]!, 1] }]);
  });
});

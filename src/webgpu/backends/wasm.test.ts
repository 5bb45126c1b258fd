// The wasm backend: conformance against the f64 reference, the tiny LM's loss/gradients and training, threads, leaks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttentionSpec, Backend, MatmulSpec, Storage } from '../backend';
import { valueAndGrad } from '../autograd';
import { AdamW } from '../optim/adamw';
import { Random } from '../random';
import { scope } from '../scope';
import type { Tensor } from '../tensor';
import { pickBackend } from '../default-backend';
import { DisposedError } from '../errors';
import { checkConformance } from '../testing/conformance';
import type { TinyConfig } from '../testing/tiny-transformer';
import { initTinyLM, tinyLoss } from '../testing/tiny-transformer';
import { progressionBatch, tinyLossAndGrads } from '../testing/progression-task';
import { ReferenceBackend } from './reference';
import { WasmBackend } from './wasm';

const config: TinyConfig = { vocab: 16, dim: 32, heads: 4, kvHeads: 2, headDim: 8, hidden: 64, layers: 2 };
const SHAPE = { batch: 4, seq: 12 };

describe('WasmBackend', () => {
  let single: WasmBackend;
  let threaded: WasmBackend;
  beforeAll(async () => {
    single = await WasmBackend.create({ threads: 1, poison: true });
    threaded = await WasmBackend.create({ threads: 2 });
  });
  afterAll(() => {
    single.dispose();
    threaded.dispose();
  });

  it('passes conformance for every primitive (single thread, poisoned outputs)', async () => {
    expect(await checkConformance(single)).toEqual([]);
    // No kernel allocated (the AssemblyScript runtime would bump into the heap's first fence) or overran scratch.
    expect(() => single.checkMemory('conformance')).not.toThrow();
  });

  it('passes conformance threaded', async () => {
    expect(await checkConformance(threaded)).toEqual([]);
    expect(() => threaded.checkMemory('conformance')).not.toThrow();
  });

  it('matmul gives the same bits on 1 and 2 threads, across layouts and batch broadcasts', async () => {
    expect([single.threads, threaded.threads]).toEqual([1, 2]);
    const rng = new Random(5);
    const [m, k, n] = [67, 129, 45];
    for (const [transA, transB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const spec: MatmulSpec = { batch: [3, 2], batchA: [3, 1], batchB: [2], m, k, n, transA, transB };
      const [a, b] = [rng.normals(3 * m * k), rng.normals(2 * k * n)];
      const run = async (backend: WasmBackend) => {
        const [sa, sb] = [backend.upload(a, 'f32'), backend.upload(b, 'f32')];
        const out = backend.matmul(sa, sb, spec);
        const data = await backend.read(out);
        [sa, sb, out].forEach((s) => backend.free(s));
        return data;
      };
      expect(await run(threaded)).toEqual(await run(single));
    }
  });

  it('tiny LM loss and gradients match the reference; 1 and 2 threads agree exactly', async () => {
    const reference = await tinyLossAndGrads(new ReferenceBackend({ precision: 'f64' }), config, SHAPE);
    const one = await tinyLossAndGrads(single, config, SHAPE);
    const two = await tinyLossAndGrads(threaded, config, SHAPE);
    expect(Math.abs(one.loss - reference.loss)).toBeLessThan(1e-4);
    reference.grads.forEach((want, i) => {
      const got = one.grads[i] as Float32Array;
      const worst = got.reduce((w, v, j) => Math.max(w, Math.abs(v - (want[j] as number))), 0);
      expect(worst).toBeLessThan(1e-4);
    });
    expect(two.loss).toBe(one.loss);
    two.grads.forEach((g, i) => expect(g).toEqual(one.grads[i]));
  });

  it('training lowers the loss with a constant number of live storages', async () => {
    const backend = threaded;
    const baseline = backend.liveStorageCount();
    const rng = new Random(7);
    const params = initTinyLM(config, rng, backend);
    const optimizer = new AdamW(params, { lr: 1e-2, weightDecay: 0.01, maxGradNorm: 1 });
    const wrt = optimizer.names.map((name) => params[name] as Tensor);
    const losses: number[] = [];
    const live: number[] = [];
    for (let step = 0; step < 12; step++) {
      const { loss, norm } = scope(() => {
        const { ids, targets, positions } = progressionBatch(rng, backend, config, SHAPE);
        const { value, grads } = valueAndGrad(() => tinyLoss(params, config, ids, targets, positions), wrt);
        return { loss: value, norm: optimizer.update(grads) };
      });
      losses.push(await loss.item());
      loss.dispose();
      norm?.dispose();
      live.push(backend.liveStorageCount() - baseline);
    }
    expect(losses.slice(-3).reduce((s, v) => s + v, 0) / 3).toBeLessThan(0.8 * (losses[0] as number));
    expect(live.at(-1)).toBe(3 * wrt.length);
    expect(live.at(-1)).toBe(live[1]);
    optimizer.dispose();
    wrt.forEach((t) => t.dispose());
  }, 60_000);

  it('is the default pick in Node when WebGPU is asked for but absent, with a reason', async () => {
    const { backend, reason } = await pickBackend({ webgpu: true, threads: 1 });
    expect(backend).toBeInstanceOf(WasmBackend);
    expect(reason).toMatch(/WebGPU unavailable.*wasm SIMD kernels, 1 thread/);
    const kept = backend.upload([1, 2], 'f32');
    (backend as WasmBackend).dispose();
    expect(() => backend.upload([1], 'f32')).toThrow(DisposedError);
    expect(() => backend.free(kept)).not.toThrow();
  });

  it('attention forward and backward match the reference on a threaded-size GQA shape', async () => {
    const spec: AttentionSpec = {
      ...{ batch: 2, tq: 33, tk: 47, hq: 6, hkv: 2, d: 16, scale: 0.25, causal: true, queryOffset: 14 },
      ...{ kvRows: 47, maskBatch: 1, maskHeads: 1 },
    };
    const rng = new Random(13);
    const [q, k, v, dOut] = [spec.hq, spec.hkv, spec.hkv, spec.hq].map((heads, i) =>
      rng.normals(spec.batch * (i === 0 || i === 3 ? spec.tq : spec.tk) * heads * spec.d),
    );
    const run = async (backend: Backend): Promise<Float32Array[]> => {
      const [qs, ks, vs, dOuts] = [q, k, v, dOut].map((x) => backend.upload(x as Float64Array, 'f32'));
      const { out, logSumExp } = backend.attention(qs as Storage, ks as Storage, vs as Storage, null, spec);
      const grads = backend.attentionBackward(
        ...([qs, ks, vs, null, out, logSumExp, dOuts] as [
          Storage,
          Storage,
          Storage,
          null,
          Storage,
          Storage,
          Storage,
        ]),
        spec,
      );
      const outputs = [out, logSumExp, grads.dq, grads.dk, grads.dv];
      const data = await Promise.all(outputs.map((s) => backend.read(s) as Promise<Float32Array>));
      [qs, ks, vs, dOuts, ...outputs].forEach((s) => backend.free(s as Storage));
      return data;
    };
    const want = await run(new ReferenceBackend({ precision: 'f64' }));
    const live = threaded.liveStorageCount();
    const got = await run(threaded);
    want.forEach((expected, i) => {
      const actual = got[i] as Float32Array;
      const worst = actual.reduce((w, x, j) => Math.max(w, Math.abs(x - (expected[j] as number))), 0);
      expect(worst, `output ${i}`).toBeLessThan(1e-4);
    });
    expect(threaded.liveStorageCount()).toBe(live);
  });

  it('attention rows with no visible key (negative queryOffset, a fully masked row) give zeros like the reference', async () => {
    const spec: AttentionSpec = {
      ...{
        batch: 2,
        tq: 6,
        tk: 9,
        kvRows: 11,
        hq: 2,
        hkv: 1,
        d: 8,
        scale: 0.3,
        causal: true,
        queryOffset: -2,
      },
      ...{ maskBatch: 1, maskHeads: 2 },
    };
    const rng = new Random(17);
    const [q, k, v, dOut] = [spec.hq, spec.hkv, spec.hkv, spec.hq].map((heads, i) =>
      rng.normals(spec.batch * (i === 0 || i === 3 ? spec.tq : spec.kvRows) * heads * spec.d),
    );
    // Head 1, query 4 sees keys 0..2 (causality) and the mask hides all three.
    const mask = rng
      .normals(2 * 6 * 9)
      .map((value, i) => (i >= (6 + 4) * 9 && i < (6 + 4) * 9 + 3 ? -Infinity : value));
    const run = async (backend: Backend): Promise<Float32Array[]> => {
      const [qs, ks, vs, ms, dOuts] = [q, k, v, mask, dOut].map((x) =>
        backend.upload(x as Float64Array, 'f32'),
      ) as [Storage, Storage, Storage, Storage, Storage];
      const { out, logSumExp } = backend.attention(qs, ks, vs, ms, spec);
      const grads = backend.attentionBackward(qs, ks, vs, ms, out, logSumExp, dOuts, spec);
      const outputs = [out, logSumExp, grads.dq, grads.dk, grads.dv];
      const data = await Promise.all(outputs.map((s) => backend.read(s) as Promise<Float32Array>));
      [qs, ks, vs, ms, dOuts, ...outputs].forEach((s) => backend.free(s));
      return data;
    };
    const [want, got] = [await run(new ReferenceBackend({ precision: 'f64' })), await run(single)];
    const lse = want[1] as Float32Array;
    expect([lse[0], lse[1], lse[(0 * 2 + 1) * 6 + 4]]).toEqual([-Infinity, -Infinity, -Infinity]);
    want.forEach((expected, output) => {
      const actual = got[output] as Float32Array;
      actual.forEach((value, j) => {
        const reference = expected[j] as number;
        if (reference === -Infinity) expect(value, `output ${output} at ${j}`).toBe(-Infinity);
        else expect(Math.abs(value - reference), `output ${output} at ${j}`).toBeLessThan(1e-4);
      });
    });
  });

  it('log-prob gather and its backward match the reference on vocab-sized rows; an id ≥ cols throws', async () => {
    const [rows, cols] = [6, 1001];
    const rng = new Random(8);
    const logits = rng.normals(rows * cols).map((v) => 4 * v);
    const ids = [0, 1000, -1, 517, 3, 999];
    const dy = rng.normals(rows);
    const run = async (backend: Backend): Promise<Float32Array[]> => {
      const [l, i, d] = [
        backend.upload(logits, 'f32'),
        backend.upload(ids, 'i32'),
        backend.upload(dy, 'f32'),
      ];
      const outputs = [
        backend.logSoftmaxGather(l, i, rows, cols),
        backend.logSoftmaxGatherBackward(l, i, d, rows, cols),
      ];
      const data = await Promise.all(outputs.map((s) => backend.read(s) as Promise<Float32Array>));
      [l, i, d, ...outputs].forEach((storage) => backend.free(storage));
      return data;
    };
    const live = single.liveStorageCount();
    const [want, got] = [await run(new ReferenceBackend({ precision: 'f64' })), await run(single)];
    want.forEach((expected, output) => {
      const actual = got[output] as Float32Array;
      const worst = actual.reduce((w, x, j) => Math.max(w, Math.abs(x - (expected[j] as number))), 0);
      expect(worst, `output ${output}`).toBeLessThan(1e-5);
    });
    expect(single.liveStorageCount()).toBe(live);
    const [l, bad, d] = [
      single.upload(logits, 'f32'),
      single.upload([...ids.slice(0, 5), cols], 'i32'),
      single.upload(dy, 'f32'),
    ];
    expect(() => single.logSoftmaxGather(l, bad, rows, cols)).toThrow(RangeError);
    expect(() => single.logSoftmaxGatherBackward(l, bad, d, rows, cols)).toThrow(RangeError);
    [l, bad, d].forEach((storage) => single.free(storage));
    expect(single.liveStorageCount()).toBe(live);
  });

  it('rmsNorm backward matches the reference at the nano width, with and without the weight gradient', async () => {
    const [rows, cols] = [64, 195];
    const rng = new Random(4);
    const [x, w, dy] = [rng.normals(rows * cols), rng.normals(cols), rng.normals(rows * cols)];
    const run = async (backend: Backend, needWeightGrad: boolean): Promise<Float32Array[]> => {
      const inputs = [backend.upload(x, 'f32'), backend.upload(w, 'f32'), backend.upload(dy, 'f32')] as const;
      const grads = backend.rmsNormBackward(...inputs, rows, cols, 1e-6, needWeightGrad);
      const outputs = grads.dWeight ? [grads.dx, grads.dWeight] : [grads.dx];
      const data = await Promise.all(outputs.map((s) => backend.read(s) as Promise<Float32Array>));
      [...inputs, ...outputs].forEach((storage) => backend.free(storage));
      return data;
    };
    const live = single.liveStorageCount();
    for (const needWeightGrad of [true, false]) {
      const want = await run(new ReferenceBackend({ precision: 'f64' }), needWeightGrad);
      const got = await run(single, needWeightGrad);
      expect(got.length).toBe(want.length);
      want.forEach((expected, output) => {
        const actual = got[output] as Float32Array;
        const worst = actual.reduce((m, v, j) => Math.max(m, Math.abs(v - (expected[j] as number))), 0);
        expect(worst, `output ${output}`).toBeLessThan(1e-4);
      });
    }
    expect(single.liveStorageCount()).toBe(live);
  });

  it('rope matches the reference with a vector tail (headDim 12), M-RoPE sections and shared positions', async () => {
    const spec = { batch: 3, seq: 5, heads: 3, headDim: 12, sections: [2, 3, 1], theta: 1e4 };
    const rng = new Random(21);
    const x = rng.normals(3 * 5 * 3 * 12);
    // Sequences share positions (the memoised case) except the last, which starts later; sections differ.
    const positions = Array.from(
      { length: 3 * 3 * 5 },
      (_, i) => (i % 5) + (i % 15 >= 10 ? 700 : 0) + (i >= 15 ? 3 : 0),
    );
    const run = async (backend: Backend, inverse: boolean): Promise<Float32Array> => {
      const [xs, ps] = [backend.upload(x, 'f32'), backend.upload(positions, 'i32')];
      const out = backend.rope(xs, ps, spec, inverse);
      const data = (await backend.read(out)) as Float32Array;
      [xs, ps, out].forEach((storage) => backend.free(storage));
      return data;
    };
    const live = single.liveStorageCount();
    for (const inverse of [false, true]) {
      const [want, got] = [
        await run(new ReferenceBackend({ precision: 'f64' }), inverse),
        await run(single, inverse),
      ];
      const worst = got.reduce((w, value, i) => Math.max(w, Math.abs(value - (want[i] as number))), 0);
      expect(worst, `inverse=${inverse}`).toBeLessThan(1e-5);
    }
    expect(single.liveStorageCount()).toBe(live);
  });
});

// WebGPU backend end to end: a tiny transformer matches the reference and trains, buffers are pooled, device loss is typed.
import { describe, expect, it } from 'vitest';
import { valueAndGrad } from '../autograd';
import { fromArray } from '../creation';
import { acquireDevice } from '../device';
import { DeviceLostError, OutOfMemoryError } from '../errors';
import { AdamW } from '../optim/adamw';
import { Random } from '../random';
import { scope } from '../scope';
import type { Tensor } from '../tensor';
import type { TinyConfig } from '../testing/tiny-transformer';
import { initTinyLM, tinyLoss } from '../testing/tiny-transformer';
import { progressionBatch, tinyLossAndGrads } from '../testing/progression-task';
import { ReferenceBackend } from './reference';
import { GpuValidationError, WebGpuBackend } from './webgpu';

const config: TinyConfig = { vocab: 16, dim: 32, heads: 4, kvHeads: 2, headDim: 8, hidden: 64, layers: 2 };
const SHAPE = { batch: 4, seq: 8 };

describe('WebGPU backend end to end', () => {
  it('tiny transformer loss and gradients equal the f64 reference', async () => {
    const gpu = await WebGpuBackend.create();
    const want = await tinyLossAndGrads(new ReferenceBackend({ precision: 'f64' }), config, SHAPE);
    const got = await tinyLossAndGrads(gpu, config, SHAPE);
    expect(Math.abs(got.loss - want.loss)).toBeLessThan(1e-4 * (1 + Math.abs(want.loss)));
    let worst = 0;
    got.grads.forEach((g, i) => {
      const ref = want.grads[i] as Float32Array;
      const scale = Math.max(...ref.map(Math.abs));
      g.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - (ref[j] as number)) / (1e-3 + scale))));
    });
    expect(worst).toBeLessThan(1e-3);
    expect(gpu.liveStorageCount()).toBe(0);
    gpu.dispose();
  });

  it('trains: AdamW steps lower the loss with no storage growth', async () => {
    const gpu = await WebGpuBackend.create();
    const rng = new Random(7);
    const params = initTinyLM(config, rng, gpu);
    const optimizer = new AdamW(params, { lr: 1e-2, weightDecay: 0.01, maxGradNorm: 1 });
    const losses: number[] = [];
    const live: number[] = [];
    for (let step = 0; step < 8; step++) {
      const { loss, norm } = scope(() => {
        const { ids, targets, positions } = progressionBatch(rng, gpu, config, SHAPE);
        const { value, grads } = valueAndGrad(
          () => tinyLoss(params, config, ids, targets, positions),
          optimizer.names.map((name) => params[name] as Tensor),
        );
        return { loss: value, norm: optimizer.update(grads) };
      });
      losses.push(await loss.item());
      loss.dispose();
      norm?.dispose();
      live.push(gpu.liveStorageCount());
    }
    console.info(`webgpu tiny LM: loss ${losses.map((l) => l.toFixed(3)).join(' → ')}`);
    const head = (losses[0] as number) + (losses[1] as number);
    const tail = (losses[6] as number) + (losses[7] as number);
    expect(tail).toBeLessThan(0.9 * head);
    expect(live[7]).toBe(live[1]);
    expect(live[7]).toBe(3 * optimizer.names.length);
    gpu.dispose();
  });

  it('returns to the baseline live count after a scope and reuses pooled buffers', async () => {
    const gpu = await WebGpuBackend.create();
    const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { backend: gpu });
    const baseline = gpu.liveStorageCount();
    const run = () =>
      scope(() => {
        const y = gpu.unary({ kind: 'exp' }, x.storage);
        const z = gpu.binary('add', y, x.storage, { out: [2, 3], a: [2, 3], b: [2, 3] });
        gpu.free(y);
        gpu.free(z);
      });
    run();
    await x.data();
    expect(gpu.liveStorageCount()).toBe(baseline);
    const before = gpu.poolStats();
    for (let i = 0; i < 5; i++) run();
    await x.data();
    const after = gpu.poolStats();
    expect(gpu.liveStorageCount()).toBe(baseline);
    expect(after.created).toBe(before.created); // every output came from the pool
    expect(after.reused - before.reused).toBeGreaterThanOrEqual(10);
    x.dispose();
    expect(gpu.liveStorageCount()).toBe(baseline - 1);
    gpu.dispose();
  });

  it('raises OutOfMemoryError with the size and surfaces device validation errors as GpuValidationError', async () => {
    const gpu = await WebGpuBackend.create(undefined, { debug: true });
    const tooMany = Math.ceil(gpu.device.limits.maxBufferSize / 4) + 1;
    expect(() => gpu.fill(tooMany, 0, 'f32')).toThrow(OutOfMemoryError);
    expect(() => gpu.fill(tooMany, 0, 'f32')).toThrow(String(tooMany * 4));
    const x = gpu.upload([1, 2], 'f32');
    // An invalid call is reported asynchronously as an uncaptured error; wait until it has been delivered (the
    // backend's own listener runs first), since its timing against the read's mapAsync is not specified.
    const delivered = new Promise((resolve) =>
      gpu.device.addEventListener('uncapturederror', resolve, { once: true }),
    );
    gpu.device.createBuffer({ size: 4, usage: 0 });
    await delivered;
    await expect(gpu.read(x)).rejects.toBeInstanceOf(GpuValidationError);
    expect(Array.from(await gpu.read(x))).toEqual([1, 2]); // reported once; the backend stays usable
    gpu.dispose();
  });

  it('reports a destroyed device as DeviceLostError, for ops and for reads, without hanging', async () => {
    const { device } = await acquireDevice();
    const gpu = await WebGpuBackend.create(device);
    const x = gpu.upload([1, 2, 3], 'f32');
    const pending = gpu.unary({ kind: 'neg' }, x);
    device.destroy();
    await expect(gpu.read(pending)).rejects.toBeInstanceOf(DeviceLostError);
    expect(() => gpu.unary({ kind: 'exp' }, x)).toThrow(DeviceLostError);
    expect(() => gpu.upload([1], 'f32')).toThrow(DeviceLostError);
  });
});

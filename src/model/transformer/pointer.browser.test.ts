// Pointer decoding on WebGPU (Chromium, SwiftShader): log-probs, cached decoding and gradients equal the f64 reference.
import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../../webgpu';
import { WebGpuBackend } from '../../webgpu/backends/webgpu';
import { KvCache } from '../generate/kv-cache';
import { POINTER_GATE } from './names';
import { POINTER_CONFIG, maxAbsDiff, pointerRun, worstGradError } from './test-support';

describe('pointer decoding on WebGPU', () => {
  it('gives the f64 reference’s log-probs, cached log-probs and gradients', async () => {
    const cacheFor = (batch: number) => KvCache.forModel(POINTER_CONFIG, batch);
    const want = await pointerRun(new ReferenceBackend({ precision: 'f64' }), cacheFor);
    const gpu = await WebGpuBackend.create();
    const got = await pointerRun(gpu, cacheFor);
    expect(maxAbsDiff(got.logProbs, want.logProbs)).toBeLessThan(1e-4);
    got.cached.forEach((part, i) => expect(maxAbsDiff(part, want.cached[i]!)).toBeLessThan(1e-4));
    expect(worstGradError(got.grads, want.grads)).toBeLessThan(1e-3);
    expect(got.grads.get(`${POINTER_GATE}.weight`)!.some((g) => g !== 0)).toBe(true);
    expect(gpu.liveStorageCount()).toBe(0);
    gpu.dispose();
  });
});

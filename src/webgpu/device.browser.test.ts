// Browser tests in Chromium on SwiftShader: the adapter report and a real WebGPU compute round trip.
import { describe, expect, it } from 'vitest';
import { absenceOf, acquireDevice, WebGpuUnavailableError } from './device';
import { computeRoundTrip, deviceComputes } from './selftest';

describe('WebGPU device', () => {
  it('reports the adapter Chromium offers', async () => {
    const { device, capabilities } = await acquireDevice();
    expect(capabilities.available).toBe(true);
    expect(capabilities.vendor.length).toBeGreaterThan(0);
    expect(capabilities.limits.maxBufferSize).toBeGreaterThanOrEqual(256 * 1024 * 1024);
    expect(capabilities.shaderF16).toBe(capabilities.features.includes('shader-f16'));
    device.destroy();
  });

  it('computes 2x + 1 on the GPU and reads it back asynchronously', async () => {
    const { device } = await acquireDevice();
    const input = Float32Array.from({ length: 1000 }, () => Math.random() * 200 - 100);
    const output = await computeRoundTrip(device, input);
    expect(output.length).toBe(input.length);
    output.forEach((y, i) => expect(y).toBe(Math.fround(2 * (input[i] as number) + 1)));
    expect(await deviceComputes(device)).toBe(true);
    device.destroy();
  });

  it('explains a missing navigator.gpu', async () => {
    const err = await acquireDevice(null).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebGpuUnavailableError);
    expect(absenceOf(err)).toMatchObject({ available: false, code: 'no-navigator-gpu' });
  });
});

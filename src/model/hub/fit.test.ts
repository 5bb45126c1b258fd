// The device-fit check: memory against the budget (deviceMemory, settings, the wasm heap), largest tensor against a buffer.
import { describe, expect, it } from 'vitest';
import { checkFit, DeviceFitError, deviceLimits, WASM_HEAP_BYTES } from './fit';

const GiB = 2 ** 30;

describe('deviceLimits', () => {
  it('takes a share of the reported memory, the settings over it, and caps wasm at its 4 GiB heap', () => {
    expect(deviceLimits({ device: 'webgpu', deviceMemoryGiB: 8 }).memoryBudgetBytes).toBeCloseTo(
      4.8 * GiB,
      0,
    );
    expect(
      deviceLimits({ device: 'webgpu', deviceMemoryGiB: 8, memoryBudgetBytes: 2e9 }).memoryBudgetBytes,
    ).toBe(2e9);
    const wasm = deviceLimits({ device: 'wasm', memoryBudgetBytes: 64 * GiB });
    expect(wasm.memoryBudgetBytes).toBe(WASM_HEAP_BYTES);
    expect(wasm.budgetSource).toMatch(/wasm heap/);
    expect(wasm.maxBufferSize).toBeNull();
    const gpu = deviceLimits({ device: 'webgpu', features: ['shader-f16'], maxBufferSize: GiB });
    expect(gpu).toMatchObject({ shaderF16: true, maxBufferSize: GiB });
  });
});

describe('checkFit', () => {
  const limits = deviceLimits({ device: 'webgpu', memoryBudgetBytes: 4e9, maxBufferSize: 256e6 });

  it('passes a model within both limits', () => {
    expect(checkFit({ memoryBytes: 3e9, largestTensorBytes: 200e6 }, limits)).toMatchObject({
      fits: true,
      reasons: [],
    });
  });

  it('refuses with one reason per exceeded limit, and the typed error carries the report', () => {
    const report = checkFit({ memoryBytes: 7e9, largestTensorBytes: 600e6 }, limits);
    expect(report.fits).toBe(false);
    expect(report.reasons).toHaveLength(2);
    expect(report.reasons[0]).toMatch(/7\.00 GB of memory, more than the 4\.00 GB allowed on webgpu/);
    expect(report.reasons[1]).toMatch(/largest weight \(about 600\.0 MB\) exceeds the GPU's largest buffer/);
    const error = new DeviceFitError('Qwen2.5-VL 7B', report);
    expect(error.message).toMatch(/^Qwen2\.5-VL 7B does not fit this device: /);
    expect(error.report).toBe(report);
  });
});

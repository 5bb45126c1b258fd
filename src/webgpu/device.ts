// The one place that asks for a WebGPU adapter and device, and says what it offers or why there is none.

/** Why WebGPU could not be used; each maps to a sentence the UI shows next to the wasm fallback. */
export type WebGpuUnavailableCode =
  'no-navigator-gpu' | 'no-adapter' | 'device-request-failed' | 'not-requested';

export class WebGpuUnavailableError extends Error {
  override readonly name = 'WebGpuUnavailableError';
  constructor(
    readonly code: WebGpuUnavailableCode,
    message: string,
  ) {
    super(message);
  }
}

/** The limits that decide which models and tile sizes fit; the rest of GPUSupportedLimits rarely matters here. */
export interface KeyLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupSizeX: number;
  maxStorageBuffersPerShaderStage: number;
}

export interface WebGpuCapabilities {
  available: true;
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  /**
   * The adapter offers 'shader-f16' (native f16 arithmetic in WGSL; hub models then pick fp16 / q4f16 files). The
   * engine's own f16 weights never need it: they are packed halves decoded with core `unpack2x16float`.
   */
  shaderF16: boolean;
  features: string[];
  limits: KeyLimits;
}

export interface WebGpuAbsence {
  available: false;
  code: WebGpuUnavailableCode;
  reason: string;
}

export type WebGpuReport = WebGpuCapabilities | WebGpuAbsence;

export interface AcquiredDevice {
  adapter: GPUAdapter;
  device: GPUDevice;
  capabilities: WebGpuCapabilities;
}

function describeLimits(limits: GPUSupportedLimits): KeyLimits {
  return {
    maxBufferSize: limits.maxBufferSize,
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
    maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
    maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
  };
}

function describeAdapter(adapter: GPUAdapter): WebGpuCapabilities {
  const info = adapter.info;
  return {
    available: true,
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    // Older Chromium exposed this on the adapter itself, newer on adapter.info.
    isFallbackAdapter:
      (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter ??
      (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter ??
      false,
    shaderF16: adapter.features.has('shader-f16'),
    features: [...adapter.features].map(String).sort(),
    limits: describeLimits(adapter.limits),
  };
}

async function requestAdapter(gpu: GPU | null): Promise<GPUAdapter> {
  if (!gpu) {
    throw new WebGpuUnavailableError(
      'no-navigator-gpu',
      'This browser exposes no WebGPU (navigator.gpu is missing): it is off, unsupported, or the page is not a secure context.',
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new WebGpuUnavailableError(
      'no-adapter',
      'WebGPU is present but the browser offered no adapter (blocklisted GPU, disabled by a flag, or no driver).',
    );
  }
  return adapter;
}

/** Asks for the largest buffers the adapter allows, so big weight tensors fit, and shader-f16 when present. */
async function requestDevice(adapter: GPUAdapter): Promise<GPUDevice> {
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('shader-f16') ? ['shader-f16'] : [];
  try {
    return await adapter.requestDevice({
      requiredFeatures,
      requiredLimits: {
        maxBufferSize: adapter.limits.maxBufferSize,
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
        maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
      },
    });
  } catch (err) {
    throw new WebGpuUnavailableError(
      'device-request-failed',
      `The adapter refused a device: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** Gets a device from `gpu` (null: none) or throws WebGpuUnavailableError; works on the main thread and in workers. */
export async function acquireDevice(
  gpu: GPU | null = globalThis.navigator?.gpu ?? null,
): Promise<AcquiredDevice> {
  const adapter = await requestAdapter(gpu);
  const device = await requestDevice(adapter);
  return { adapter, device, capabilities: describeAdapter(adapter) };
}

/** Turns any failure to get WebGPU into the report the UI shows beside the fallback. */
export function absenceOf(err: unknown): WebGpuAbsence {
  if (err instanceof WebGpuUnavailableError) return { available: false, code: err.code, reason: err.message };
  return {
    available: false,
    code: 'device-request-failed',
    reason: `WebGPU failed to start: ${err instanceof Error ? err.message : String(err)}`,
  };
}

// Whether a model can run on this device: its memory against a budget, its largest tensor against one GPU buffer.
import type { HubDevice } from './catalogue';

/** wasm32 addresses 4 GiB: onnxruntime-web's wasm backend holds every weight in that one heap. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;
/** The budget when the browser does not say how much memory the device has. */
export const DEFAULT_MEMORY_BUDGET_BYTES = 4 * 2 ** 30;
/** The share of the device's memory (navigator.deviceMemory) a model may take. */
export const MEMORY_SHARE = 0.6;

export interface DeviceLimits {
  device: HubDevice;
  shaderF16: boolean;
  /** The adapter's largest buffer (WebGPU only): every weight tensor lives in one. */
  maxBufferSize: number | null;
  /** Memory a model may use, in bytes (weights, KV cache, activations). */
  memoryBudgetBytes: number;
  /** How the budget was found, for the refusal's message. */
  budgetSource: string;
}

export interface ModelNeeds {
  memoryBytes: number;
  largestTensorBytes: number;
}

export interface FitReport {
  fits: boolean;
  /** Why not, one sentence each; empty when it fits. */
  reasons: string[];
  needs: ModelNeeds;
  limits: DeviceLimits;
}

export class DeviceFitError extends Error {
  override readonly name = 'DeviceFitError';
  constructor(
    readonly modelLabel: string,
    readonly report: FitReport,
  ) {
    super(`${modelLabel} does not fit this device: ${report.reasons.join(' ')}`);
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

export interface LimitsInput {
  device: HubDevice;
  /** From the worker's WebGPU report: 'shader-f16' among the features, and the buffer limit. */
  features?: readonly string[];
  maxBufferSize?: number | null;
  /** navigator.deviceMemory (GiB, coarse, capped at 8 by browsers), when the browser tells it. */
  deviceMemoryGiB?: number | null;
  /** The user's own budget (settings): replaces the estimate from deviceMemory. */
  memoryBudgetBytes?: number | null;
}

/** The limits a load is checked against. */
export function deviceLimits(input: LimitsInput): DeviceLimits {
  let budget: number;
  let budgetSource: string;
  if (input.memoryBudgetBytes != null) {
    budget = input.memoryBudgetBytes;
    budgetSource = 'the memory budget set in the settings';
  } else if (input.deviceMemoryGiB) {
    budget = input.deviceMemoryGiB * 2 ** 30 * MEMORY_SHARE;
    budgetSource = `${Math.round(MEMORY_SHARE * 100)}% of the ${input.deviceMemoryGiB} GiB the browser reports`;
  } else {
    budget = DEFAULT_MEMORY_BUDGET_BYTES;
    budgetSource = 'the default budget (the browser does not report its memory)';
  }
  if (input.device === 'wasm' && budget > WASM_HEAP_BYTES) {
    budget = WASM_HEAP_BYTES;
    budgetSource = 'the 4 GiB wasm heap';
  }
  return {
    device: input.device,
    shaderF16: input.features?.includes('shader-f16') ?? false,
    maxBufferSize: input.device === 'webgpu' ? (input.maxBufferSize ?? null) : null,
    memoryBudgetBytes: budget,
    budgetSource,
  };
}

export function checkFit(needs: ModelNeeds, limits: DeviceLimits): FitReport {
  const reasons: string[] = [];
  if (needs.memoryBytes > limits.memoryBudgetBytes)
    reasons.push(
      `It needs about ${formatBytes(needs.memoryBytes)} of memory, more than the ` +
        `${formatBytes(limits.memoryBudgetBytes)} allowed on ${limits.device} (${limits.budgetSource}).`,
    );
  if (limits.maxBufferSize !== null && needs.largestTensorBytes > limits.maxBufferSize)
    reasons.push(
      `Its largest weight (about ${formatBytes(needs.largestTensorBytes)}) exceeds the GPU's largest buffer ` +
        `(${formatBytes(limits.maxBufferSize)}).`,
    );
  return { fits: reasons.length === 0, reasons, needs, limits };
}

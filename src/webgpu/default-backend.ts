// The backend new tensors land on when none is named: set once by the app (webgpu/wasm), reference otherwise; and the pick between them.
import type { Backend } from './backend';
import { ReferenceBackend } from './backends/reference';

let current: Backend | null = null;

export function setDefaultBackend(backend: Backend): void {
  current = backend;
}

/** The configured backend, or a plain f32 reference backend created on first use (Node scripts, tests). */
export function getDefaultBackend(): Backend {
  current ??= new ReferenceBackend();
  return current;
}

export interface BackendChoice {
  backend: Backend;
  /** Why this backend: shown next to the engine status in the UI and printed by scripts. */
  reason: string;
}

export interface PickBackendOptions {
  /** Try WebGPU first (the browser app); Node scripts leave it off and get wasm. */
  webgpu?: boolean;
  /** wasm matmul threads ('auto' = the machine's cores where shared memory is available). */
  threads?: number | 'auto';
}

/**
 * WebGPU when asked and a device is available, else the wasm backend when its kernels load, else the reference.
 * Backends load lazily so a page that never asks for WebGPU does not pull in its kernels (and vice versa).
 */
export async function pickBackend(options: PickBackendOptions = {}): Promise<BackendChoice> {
  let webgpuFailure = 'not requested';
  if (options.webgpu) {
    try {
      const { WebGpuBackend } = await import('./backends/webgpu');
      return { backend: await WebGpuBackend.create(), reason: 'WebGPU device available' };
    } catch (error) {
      webgpuFailure = `unavailable (${messageOf(error)})`;
    }
  }
  try {
    const { WasmBackend } = await import('./backends/wasm');
    const backend = await WasmBackend.create({ threads: options.threads ?? 'auto' });
    return { backend, reason: `WebGPU ${webgpuFailure}; wasm SIMD kernels, ${backend.threads} thread(s)` };
  } catch (error) {
    const reason = `WebGPU ${webgpuFailure}; wasm kernels failed to load (${messageOf(error)}); reference backend`;
    return { backend: new ReferenceBackend(), reason };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// The backend new tensors land on when none is named: set once by the app (webgpu/wasm), reference otherwise.
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

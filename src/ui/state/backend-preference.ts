// Reads the backend the user asked for in the address, if any.
import type { BackendPreference } from '../../workers/protocol';

/** `?backend=webgpu|wasm` in the address overrides the automatic choice (e.g. WebGPU on a software adapter). */
export function backendPreference(search: string): BackendPreference {
  const asked = new URLSearchParams(search).get('backend');
  return asked === 'webgpu' || asked === 'wasm' ? asked : 'auto';
}

// The engine backends the suite compares: our wasm backend on one thread and on every core, and the f32 reference.
import type { Backend } from '../../../src/webgpu/backend';
import { ReferenceBackend } from '../../../src/webgpu/backends/reference';
import { WasmBackend } from '../../../src/webgpu/backends/wasm';

export interface NamedBackend {
  name: string;
  backend: Backend;
}

export interface EngineBackends {
  one: WasmBackend;
  all: WasmBackend;
  reference: ReferenceBackend;
  /** In table order. */
  list: NamedBackend[];
  dispose(): void;
}

export async function createEngineBackends(): Promise<EngineBackends> {
  const one = await WasmBackend.create({ threads: 1 });
  const all = await WasmBackend.create({ threads: 'auto' });
  const reference = new ReferenceBackend();
  return {
    one,
    all,
    reference,
    list: [
      { name: 'wasm 1t', backend: one },
      { name: `wasm ${all.threads}t`, backend: all },
      { name: 'reference', backend: reference },
    ],
    dispose: () => {
      one.dispose();
      all.dispose();
    },
  };
}

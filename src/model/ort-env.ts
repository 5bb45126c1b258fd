// Points onnxruntime-web (and transformers.js, which shares its env) at the wasm files this app serves itself.
import * as ort from 'onnxruntime-web/webgpu';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortFactoryUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';

export { ort };

/** The files behind the WebGPU build of onnxruntime-web, bundled by Vite: no CDN is ever asked. */
export const ORT_WASM_PATHS = { wasm: ortWasmUrl, mjs: ortFactoryUrl } as const;

export interface OrtWasmOptions {
  /** Threads for the wasm backend; more than one needs cross-origin isolation. */
  threads?: number;
}

/** Configures the shared onnxruntime-web env once per realm (page or worker). */
export function configureOnnxRuntime(options: OrtWasmOptions = {}): typeof ort.env {
  const isolated = Boolean(globalThis.crossOriginIsolated);
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  ort.env.wasm.wasmPaths = { ...ORT_WASM_PATHS };
  ort.env.wasm.numThreads = isolated ? Math.max(1, Math.min(options.threads ?? cores, cores)) : 1;
  ort.env.wasm.proxy = false;
  return ort.env;
}

// Entry point of the wasm backend (SIMD128 kernels on the wasm heap, threaded matmul); see backends/wasm/ and docs/engine.md.
export { WasmBackend } from './wasm/backend';
export type { WasmBackendOptions } from './wasm/backend';

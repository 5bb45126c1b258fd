// Entry point of the WebGPU backend (WGSL kernels on a GPUDevice); see backends/webgpu/ and docs/engine.md.
export { WebGpuBackend } from './webgpu/backend';
export type { WebGpuBackendOptions } from './webgpu/backend';
export { GpuValidationError } from './webgpu/failures';

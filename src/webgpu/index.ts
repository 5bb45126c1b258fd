// Public API of the engine: tensors, backends, ops with backward, the tape, AdamW and safetensors I/O.
export type * from './backend';
export { ReferenceBackend } from './backends/reference';
export type { ReferenceOptions } from './backends/reference';
export { WasmBackend } from './backends/wasm';
export type { WasmBackendOptions } from './backends/wasm';
export { getDefaultBackend, setDefaultBackend, pickBackend } from './default-backend';
export type { BackendChoice, PickBackendOptions } from './default-backend';
export { Tensor } from './tensor';
export { scope, keep } from './scope';
export { Random } from './random';
export { full, zeros, ones, scalar, fromArray, randn, uniform, parameter, toBackend } from './creation';
export type { CreateOptions, RandomOptions } from './creation';
export { Tape, grad, valueAndGrad, stopGradient, isRecording } from './autograd';
export { checkpoint } from './checkpoint';
export {
  ShapeError,
  DTypeError,
  DisposedError,
  BackendMismatchError,
  AutogradError,
  DeviceLostError,
  OutOfMemoryError,
} from './errors';
export type { Shape } from './shapes';

export * from './ops/elementwise';
export { sum, mean, max } from './ops/reduce';
export { reshape, permute, transpose, slice, concat, broadcastTo, writeSlice } from './ops/shape';
export { matmul, linear } from './ops/matmul';
export type { MatmulOptions } from './ops/matmul';
export { softmax, logSoftmax } from './ops/softmax';
export { rmsNorm, layerNorm } from './ops/norm';
export { rope } from './ops/rope';
export type { RopeOptions } from './ops/rope';
export { attention } from './ops/attention';
export type { AttentionOptions } from './ops/attention';
export { embedding, scatterRows } from './ops/embedding';
export { tokenLogProbs, crossEntropy, entropy } from './ops/loss';
export { conv2d, patchEmbed } from './ops/conv';
export { quantizedLinear } from './ops/quantized';
export { QuantizedTensor } from './quantized';
export type { PackedWeights } from './quantized';
export type { Conv2dOptions } from './ops/conv';

export { AdamW } from './optim/adamw';
export type { AdamWOptions, AdamWState } from './optim/adamw';
export { clipGradNorm, clipFactor, globalNorm } from './optim/clip';

export {
  readSafetensors,
  writeSafetensors,
  decodeEntry,
  decodeEntryAsF16,
  SafetensorsError,
} from './safetensors';
export { bf16ToF16, f16ToF32, f32ToF16 } from './f16';
export type {
  SafetensorsDType,
  SafetensorsEntry,
  SafetensorsFile,
  TensorToWrite,
  WritableDType,
} from './safetensors';

export { checkConformance, conformanceCases } from './testing/conformance';
export type { ConformanceCase, ConformanceMismatch } from './testing/conformance';

// Named convolution layers over a parameter map, shared by the conv models (nano-sam, pixelthink-nano perception).
import { conv2d } from '../../webgpu/ops/conv';
import { add } from '../../webgpu/ops/elementwise';
import { reshape } from '../../webgpu/ops/shape';
import type { Tensor } from '../../webgpu/tensor';

/** One convolution: its parameter name prefix (`<name>.weight` [cOut, cIn, k, k], `<name>.bias`), kernel and stride. */
export interface ConvLayer {
  name: string;
  cIn: number;
  cOut: number;
  kernel: number;
  stride: number;
}

export class MissingParameterError extends Error {
  override readonly name = 'MissingParameterError';
  constructor(readonly parameterName: string) {
    super(`missing parameter ${parameterName}`);
  }
}

export function param(params: ReadonlyMap<string, Tensor>, name: string): Tensor {
  const t = params.get(name);
  if (!t) throw new MissingParameterError(name);
  return t;
}

/** conv2d with "same" padding for odd kernels, plus the per-channel bias. */
export function applyConv(params: ReadonlyMap<string, Tensor>, layer: ConvLayer, x: Tensor): Tensor {
  const y = conv2d(x, param(params, `${layer.name}.weight`), {
    stride: layer.stride,
    padding: (layer.kernel - 1) / 2,
  });
  return add(y, reshape(param(params, `${layer.name}.bias`), [1, layer.cOut, 1, 1]));
}

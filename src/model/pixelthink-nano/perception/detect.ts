// Runs the detector on a batch of input planes and decodes every image's object list on the host.
import { scope } from '../../../webgpu/scope';
import type { Tensor } from '../../../webgpu/tensor';
import type { PerceptionConfig } from './config';
import { OUTPUT_CHANNELS, gridSize } from './config';
import type { DecodeOptions, DetectedObject } from './decode';
import { DEFAULT_DECODE_OPTIONS, decodeDetections } from './decode';
import type { PerceptionParams } from './model';
import { forward } from './model';

/** Input planes [B, INPUT_CHANNELS, S, S] (see `inputBatch`) → one object list per image. */
export async function detect(
  params: PerceptionParams,
  config: PerceptionConfig,
  input: Tensor,
  options: DecodeOptions = DEFAULT_DECODE_OPTIONS,
): Promise<DetectedObject[][]> {
  const output = scope(() => forward(params, config, input));
  const maps = await output.data();
  output.dispose();
  const perImage = OUTPUT_CHANNELS * gridSize(config) ** 2;
  return Array.from({ length: input.shape[0] as number }, (_, b) =>
    decodeDetections(maps.subarray(b * perImage, (b + 1) * perImage), config, options),
  );
}

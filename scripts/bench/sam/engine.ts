// The engine's own nano-sam forward (src/model/nano-sam/model.ts) on the wasm backend, with the checkpoint's weights.
import { normalisePixels } from '../../../src/model/nano-sam/data';
import { decode, encode } from '../../../src/model/nano-sam/model';
import { NanoSamTrainer } from '../../../src/model/nano-sam/train';
import { WasmBackend } from '../../../src/webgpu/backends/wasm';
import { fromArray } from '../../../src/webgpu/creation';
import { scope } from '../../../src/webgpu/scope';
import type { Tensor } from '../../../src/webgpu/tensor';
import type { SamContender } from './timing';

export interface EngineContender extends SamContender {
  dispose(): void;
}

/** Encode = normalise + upload + encoder + embeddings read back; decode = prompt maps + decoder + outputs read back. */
export async function engineContender(threads: 1 | 'auto', checkpoint: Uint8Array): Promise<EngineContender> {
  const backend = await WasmBackend.create({ threads });
  const { config, params } = NanoSamTrainer.restore(backend, checkpoint);
  const size = config.inputSize;
  let embeddings: Tensor | null = null;
  return {
    name: `engine wasm ${backend.threads}t`,
    async encode(scene) {
      const started = performance.now();
      const pixels = new Float32Array(3 * size * size);
      normalisePixels(scene.image.rgba, size, pixels, 0);
      embeddings?.dispose();
      embeddings = scope(() => encode(params, config, fromArray(pixels, [1, 3, size, size], { backend })));
      await embeddings.data();
      return performance.now() - started;
    },
    async decode(scene) {
      if (!embeddings) throw new Error('decode before encode');
      const image = embeddings;
      const started = performance.now();
      const { iouScores, maskLogits } = scope(() => decode(params, config, image, [scene.prompt]));
      const [scores] = await Promise.all([iouScores.data(), maskLogits.data()]);
      const ms = performance.now() - started;
      [iouScores, maskLogits].forEach((t) => t.dispose());
      return { decode: ms, scores: Array.from(scores) };
    },
    dispose() {
      embeddings?.dispose();
      backend.dispose();
    },
  };
}

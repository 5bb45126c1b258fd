// Parity of the exported nano-sam ONNX graphs (run by onnxruntime-web's wasm build in Node) with the engine forward.
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WasmBackend } from '../../webgpu/backends/wasm';
import { fromArray } from '../../webgpu/creation';
import { Random } from '../../webgpu/random';
import { NANO_SAM_CONFIG } from './config';
import { exportNanoSam, readWeights } from './export';
import type { NanoSamWeights } from './export';
import { decode, encode, initNanoSam, positionMap } from './model';
import type { NanoSamParams } from './model';
import type { NanoSamPrompt } from './prompt';

/** Measured worst |onnx − engine| / (1 + |engine|) is ~1e-6; the bound leaves room for summation order. */
const TOLERANCE = 1e-4;
const config = NANO_SAM_CONFIG;
const S = config.inputSize;

function maxError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as number;
    worst = Math.max(worst, Math.abs((got[i] as number) - w) / (1 + Math.abs(w)));
  }
  return worst;
}

/** SAM-style decoder feeds: positive points (1), negatives (0), the box as input_boxes or corners (2, 3), a pad (-1). */
function decoderFeeds(prompt: NanoSamPrompt, withBoxInput: boolean): Record<string, ort.Tensor> {
  const points: number[][] = [];
  const labels: number[] = [];
  prompt.points?.forEach((p) => (points.push([...p]), labels.push(1)));
  prompt.negatives?.forEach((p) => (points.push([...p]), labels.push(0)));
  if (prompt.box && !withBoxInput) {
    points.push([prompt.box[0], prompt.box[1]], [prompt.box[2], prompt.box[3]]);
    labels.push(2, 3);
  }
  points.push([5, 5]); // a padding point (label -1) must change nothing
  labels.push(-1);
  const feeds: Record<string, ort.Tensor> = {
    input_points: new ort.Tensor('float32', Float32Array.from(points.flat()), [1, 1, points.length, 2]),
    input_labels: new ort.Tensor('int64', BigInt64Array.from(labels.map(BigInt)), [1, 1, labels.length]),
  };
  if (withBoxInput)
    feeds.input_boxes = new ort.Tensor('float32', Float32Array.from(prompt.box ?? [0, 0, 0, 0]), [1, 1, 4]);
  return feeds;
}

async function session(bytes: Uint8Array | string | undefined): Promise<ort.InferenceSession> {
  if (!(bytes instanceof Uint8Array)) throw new Error('missing graph');
  return ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
}

async function floats(t: ort.Tensor | undefined): Promise<Float32Array> {
  if (!t) throw new Error('missing output');
  return (await t.getData()) as Float32Array;
}

describe('nano-sam ONNX export', () => {
  let backend: WasmBackend;
  let params: NanoSamParams;
  let weights: NanoSamWeights;
  const pixels = new Random(7).normals(3 * S * S);

  beforeAll(async () => {
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmPaths = new URL('../../../node_modules/onnxruntime-web/dist/', import.meta.url).href;
    backend = await WasmBackend.create({ threads: 1 });
    params = initNanoSam(config, { backend, seed: 11, biasStd: 0.1 });
    weights = await readWeights(params);
  });
  afterAll(() => backend.dispose());

  it('writes the SAM folder layout with the processor config', () => {
    const files = exportNanoSam(config, weights, { withBoxInput: false });
    expect([...files.keys()].sort()).toEqual([
      'config.json',
      'onnx/prompt_encoder_mask_decoder.onnx',
      'onnx/vision_encoder.onnx',
      'preprocessor_config.json',
    ]);
    expect(JSON.parse(files.get('config.json') as string)).toMatchObject({ model_type: 'sam' });
    expect(JSON.parse(files.get('preprocessor_config.json') as string)).toMatchObject({
      size: { longest_edge: S },
      pad_size: { height: S, width: S },
    });
  });

  const prompts: [string, NanoSamPrompt][] = [
    [
      'points only',
      {
        points: [
          [40, 30],
          [70, 90],
        ],
        negatives: [[100, 20]],
      },
    ],
    ['box + points', { box: [20, 16, 100, 90], points: [[60, 50]] }],
  ];
  describe.each([false, true])('with input_boxes declared: %s', (withBoxInput) => {
    it.each(prompts)(
      'matches the engine forward for %s',
      async (_, prompt) => {
        const files = exportNanoSam(config, weights, { withBoxInput });
        const encoder = await session(files.get('onnx/vision_encoder.onnx'));
        const decoder = await session(files.get('onnx/prompt_encoder_mask_decoder.onnx'));
        const pixelTensor = fromArray(pixels, [1, 3, S, S], { backend });
        const embeddings = encode(params, config, pixelTensor);
        const { iouScores, maskLogits } = decode(params, config, embeddings, [prompt]);

        const encoded = await encoder.run({
          pixel_values: new ort.Tensor('float32', Float32Array.from(pixels), [1, 3, S, S]),
        });
        const onnxEmbeddings = await floats(encoded.image_embeddings);
        const errors = {
          embeddings: maxError(onnxEmbeddings, await embeddings.data()),
          positions: maxError(await floats(encoded.image_positional_embeddings), positionMap(config)),
        };
        const decoded = await decoder.run({
          image_embeddings: encoded.image_embeddings as ort.Tensor,
          image_positional_embeddings: encoded.image_positional_embeddings as ort.Tensor,
          ...decoderFeeds(prompt, withBoxInput),
        });
        expect(decoded.pred_masks?.dims).toEqual([1, 1, 3, S, S]);
        expect(decoded.iou_scores?.dims).toEqual([1, 1, 3]);
        const all = {
          ...errors,
          masks: maxError(await floats(decoded.pred_masks), await maskLogits.data()),
          iou: maxError(await floats(decoded.iou_scores), await iouScores.data()),
        };
        console.log(`nano-sam parity (${withBoxInput ? 'input_boxes' : 'corner points'}, ${_}):`, all);
        for (const [name, error] of Object.entries(all)) expect(error, name).toBeLessThan(TOLERANCE);
        [pixelTensor, embeddings, iouScores, maskLogits].forEach((t) => t.dispose());
        await Promise.all([encoder.release(), decoder.release()]);
      },
      60_000,
    );
  });
});

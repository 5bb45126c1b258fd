// A promptable segmenter in the Segment-Anything layout, run by transformers.js: encode an image once, decode prompts.
import { AutoProcessor, RawImage, SamModel, Tensor, type Processor } from '@huggingface/transformers';

/** onnxruntime-web's WebGPU or wasm in browsers; 'cpu' is onnxruntime-node (CLIs and Node tests). */
export type SegmenterDevice = 'webgpu' | 'wasm' | 'cpu';

/**
 * A box and two positive points in pixels of the original image, as the policy's scaled answer gives them. An empty
 * box (x2 ≤ x1 or y2 ≤ y1) means points only; no points means box only.
 */
export interface SegmentPrompt {
  bbox: readonly [number, number, number, number];
  points: readonly (readonly [number, number])[];
}

export interface SegmentResult {
  /** 1 inside the mask, row-major at the original image size. */
  mask: Uint8Array;
  width: number;
  height: number;
  /** The model's predicted IoU of the mask kept (the best of its candidates). */
  score: number;
  candidateScores: number[];
  timingsMs: { decode: number; postprocess: number };
}

export interface RgbaImage {
  rgba: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

interface Encoded {
  embeddings: Record<string, Tensor>;
  originalSizes: [number, number][];
  reshapedSizes: [number, number][];
}

/** The parts of SamImageProcessor this class calls; its published typings leave them untyped. */
interface SamImageProcessorMethods {
  reshape_input_points(
    points: number[][][] | number[][][][],
    originalSizes: [number, number][],
    reshapedSizes: [number, number][],
    isBoundingBox?: boolean,
  ): Tensor;
  post_process_masks(
    masks: Tensor,
    originalSizes: [number, number][],
    reshapedSizes: [number, number][],
  ): Promise<Tensor[]>;
}

// SAM's prompt encoder reads labels 2 and 3 as the top-left and bottom-right corners of a box.
const POSITIVE = 1;
const BOX_TOP_LEFT = 2;
const BOX_BOTTOM_RIGHT = 3;
// SAM's "no point here" label: pads a box-only prompt, whose point list may not be empty.
const PADDING = -1;

export class SamSegmenter {
  private encoded: Encoded | null = null;

  private constructor(
    readonly modelId: string,
    readonly device: SegmenterDevice,
    private readonly model: SamModel,
    private readonly processor: Processor,
    private readonly decoderInputs: readonly string[],
  ) {}

  /** Loads SamModel + its processor from `/models/<id>/` (or a registered folder, or a configured host). */
  static async load(
    modelId: string,
    options: { device: SegmenterDevice; onProgress?: (info: unknown) => void },
  ): Promise<SamSegmenter> {
    const [processor, model] = await Promise.all([
      AutoProcessor.from_pretrained(modelId, { progress_callback: options.onProgress }),
      SamModel.from_pretrained(modelId, {
        device: options.device,
        dtype: 'fp32',
        progress_callback: options.onProgress,
      }),
    ]);
    const sessions = (model as unknown as { sessions: Record<string, { inputNames: string[] }> }).sessions;
    const decoderInputs = sessions.prompt_encoder_mask_decoder?.inputNames ?? [];
    return new SamSegmenter(modelId, options.device, model as SamModel, processor, decoderInputs);
  }

  private get imageProcessor(): SamImageProcessorMethods {
    return (this.processor as unknown as { image_processor: SamImageProcessorMethods }).image_processor;
  }

  /** Standard SAM exports have no box input: the box then travels as two corner points. */
  get takesBoxInput(): boolean {
    return this.decoderInputs.includes('input_boxes');
  }

  /** Runs the image encoder once; every later prompt reuses its embeddings. Returns the encode time in ms. */
  async encode(image: RgbaImage): Promise<number> {
    const start = performance.now();
    const raw = new RawImage(new Uint8ClampedArray(image.rgba), image.width, image.height, 4).rgb();
    const inputs = (await this.processor(raw)) as {
      pixel_values: Tensor;
      original_sizes: [number, number][];
      reshaped_input_sizes: [number, number][];
    };
    const embeddings = (await this.model.get_image_embeddings(inputs)) as unknown as Record<string, Tensor>;
    this.encoded = {
      embeddings,
      originalSizes: inputs.original_sizes,
      reshapedSizes: inputs.reshaped_input_sizes,
    };
    return performance.now() - start;
  }

  private promptTensors(prompt: SegmentPrompt, encoded: Encoded): Record<string, Tensor> {
    const [x1, y1, x2, y2] = prompt.bbox;
    const hasBox = x2 > x1 && y2 > y1;
    const points = prompt.points.map(([x, y]) => [x, y]);
    const labels = points.map(() => POSITIVE);
    const boxAsCorners = !this.takesBoxInput;
    if (hasBox && boxAsCorners) {
      points.push([x1, y1], [x2, y2]);
      labels.push(BOX_TOP_LEFT, BOX_BOTTOM_RIGHT);
    }
    if (points.length === 0) {
      points.push([0, 0]);
      labels.push(PADDING);
    }
    const { originalSizes, reshapedSizes } = encoded;
    const tensors: Record<string, Tensor> = {
      input_points: this.imageProcessor.reshape_input_points([[points]], originalSizes, reshapedSizes),
      input_labels: new Tensor('int64', BigInt64Array.from(labels.map(BigInt)), [1, 1, labels.length]),
    };
    // A model with a box input always gets one; an all-zero box is the "no box" of our exports.
    if (!boxAsCorners)
      tensors.input_boxes = this.imageProcessor.reshape_input_points(
        [[hasBox ? [x1, y1, x2, y2] : [0, 0, 0, 0]]],
        originalSizes,
        reshapedSizes,
        true,
      );
    return tensors;
  }

  /** Decodes one prompt against the encoded image and keeps the candidate mask with the best predicted IoU. */
  async segment(prompt: SegmentPrompt): Promise<SegmentResult> {
    const encoded = this.encoded;
    if (!encoded) throw new Error('segment() before encode(): encode the image first.');
    const decodeStart = performance.now();
    const outputs = (await this.model({ ...encoded.embeddings, ...this.promptTensors(prompt, encoded) })) as {
      iou_scores: Tensor;
      pred_masks: Tensor;
    };
    const postStart = performance.now();
    const [masks] = await this.imageProcessor.post_process_masks(
      outputs.pred_masks,
      encoded.originalSizes,
      encoded.reshapedSizes,
    );
    const candidateScores = Array.from(outputs.iou_scores.data as Float32Array);
    const best = candidateScores.indexOf(Math.max(...candidateScores));
    const [height, width] = encoded.originalSizes[0] as [number, number];
    const all = masks!.data as Uint8Array;
    const mask = all.slice(best * width * height, (best + 1) * width * height);
    const end = performance.now();
    return {
      mask,
      width,
      height,
      score: candidateScores[best] as number,
      candidateScores,
      timingsMs: { decode: postStart - decodeStart, postprocess: end - postStart },
    };
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
    this.encoded = null;
  }
}

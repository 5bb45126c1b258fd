// A promptable segmenter in the Segment-Anything layout (SAM, SlimSAM, SAM2), run by transformers.js: encode once, decode prompts.
import {
  AutoModelForMaskGeneration,
  AutoProcessor,
  RawImage,
  Tensor,
  type PreTrainedModel,
  type Processor,
  type ProgressCallback,
} from '@huggingface/transformers';
import { assertSessionsCreated, guardRuns } from '../hub/ort-guard';

/** onnxruntime-web's WebGPU or wasm in browsers; 'cpu' is onnxruntime-node (CLIs and Node tests). */
export type SegmenterDevice = 'webgpu' | 'wasm' | 'cpu';

/** transformers.js' dtype of every session, or one per session (vision_encoder, prompt_encoder_mask_decoder). */
export type SegmenterDtype = string | Record<string, string>;

/** SAM2-class exports (SAM2, SAM2.1, EdgeTAM, SAM3 tracker) take boxes natively, with zero boxes meaning none. */
const NATIVE_BOX_MODELS = ['sam2', 'edgetam', 'sam3_tracker'];

export interface SamLoadOptions {
  device: SegmenterDevice;
  /** Default fp32 (the shipped nano-sam has only fp32 files). */
  dtype?: SegmenterDtype;
  /** transformers.js' progress events (initiate, download, progress, done) for every file. */
  onProgress?: (info: unknown) => void;
}

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

/** What SamModel and Sam2Model offer beyond PreTrainedModel: image embeddings once, then a callable decode. */
type MaskModel = ((inputs: Record<string, Tensor>) => Promise<{ iou_scores: Tensor; pred_masks: Tensor }>) & {
  get_image_embeddings(inputs: { pixel_values: Tensor }): Promise<Record<string, Tensor>>;
};

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
    private readonly model: PreTrainedModel,
    private readonly processor: Processor,
    private readonly decoderInputs: readonly string[],
    /** The config's model_type: 'sam' (SAM, SlimSAM, nano-sam) or a SAM2-class type. */
    readonly modelType: string,
  ) {}

  /**
   * Loads the model (SamModel or Sam2Model, from config.json's model_type) and its processor from `/models/<id>/`,
   * a registered folder, or a configured host.
   */
  static async load(modelId: string, options: SamLoadOptions): Promise<SamSegmenter> {
    const progress = options.onProgress as ProgressCallback | undefined;
    const [processor, model] = await Promise.all([
      AutoProcessor.from_pretrained(modelId, { progress_callback: progress }),
      AutoModelForMaskGeneration.from_pretrained(modelId, {
        device: options.device,
        dtype: (options.dtype ?? 'fp32') as 'fp32',
        progress_callback: progress,
      }),
    ]);
    await assertSessionsCreated(model);
    const sessions = (model as unknown as { sessions: Record<string, { inputNames: string[] }> }).sessions;
    const decoderInputs = sessions.prompt_encoder_mask_decoder?.inputNames ?? [];
    const modelType = String((model.config as { model_type?: string }).model_type ?? 'sam');
    return new SamSegmenter(modelId, options.device, model, processor, decoderInputs, modelType);
  }

  /** SAM2-class models take a box natively and accept a prompt with no points or no box. */
  get boxesNative(): boolean {
    return NATIVE_BOX_MODELS.includes(this.modelType);
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
    const model = this.model as unknown as MaskModel;
    const embeddings = await guardRuns(() => model.get_image_embeddings(inputs));
    this.encoded = {
      embeddings,
      originalSizes: inputs.original_sizes,
      reshapedSizes: inputs.reshaped_input_sizes,
    };
    return performance.now() - start;
  }

  /**
   * SAM2: points and/or one box, shaped as transformers.js' Sam2Model wants them (it fills the missing half: no box
   * becomes zero boxes, no points an empty point list).
   */
  private nativeBoxTensors(prompt: SegmentPrompt, encoded: Encoded): Record<string, Tensor> {
    const [x1, y1, x2, y2] = prompt.bbox;
    const hasBox = x2 > x1 && y2 > y1;
    const { originalSizes, reshapedSizes } = encoded;
    const n = prompt.points.length;
    if (n === 0 && !hasBox) throw new RangeError('A prompt needs a box or at least one point.');
    const tensors: Record<string, Tensor> = {};
    if (n > 0) {
      const points = [[prompt.points.map(([x, y]) => [x, y])]];
      tensors.input_points = this.imageProcessor.reshape_input_points(points, originalSizes, reshapedSizes);
      tensors.input_labels = new Tensor('int64', new BigInt64Array(n).fill(BigInt(POSITIVE)), [1, 1, n]);
    }
    if (hasBox)
      tensors.input_boxes = this.imageProcessor.reshape_input_points(
        [[[x1, y1, x2, y2]]],
        originalSizes,
        reshapedSizes,
        true,
      );
    return tensors;
  }

  private promptTensors(prompt: SegmentPrompt, encoded: Encoded): Record<string, Tensor> {
    if (this.boxesNative) return this.nativeBoxTensors(prompt, encoded);
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
    const decode = this.model as unknown as MaskModel;
    const feeds = { ...encoded.embeddings, ...this.promptTensors(prompt, encoded) };
    const outputs = await guardRuns(() => decode(feeds));
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

// A hub-tier policy: a Qwen2-VL / Qwen2.5-VL / Qwen3-VL export run by transformers.js, with our own decode loop.
//
// transformers.js' generate() returns no scores, so this loop drives the model's forward itself, the way generate()
// does (prepare_inputs_for_generation → forward → the cache update), and reads every step's logits: the token is
// drawn by our seeded sampler, and its top-1/top-2 probabilities and entropy at temperature 1 (method.md §4) come
// from src/rl through tokenStats. Tokens stream as they come; an AbortSignal stops the loop between steps.
import {
  AutoModelForImageTextToText,
  AutoProcessor,
  RawImage,
  type Processor,
  type ProgressCallback,
  type Tensor,
} from '@huggingface/transformers';
import {
  buildChatMessages,
  UncertaintyAccumulator,
  type ChatMessage,
  type UncertaintySummary,
} from '../../rl';
import { Random } from '../../webgpu/random';
import { GenerationCancelledError, GenerationOptionError } from '../generate/errors';
import { sampleToken, validateSampling } from '../generate/sampling';
import { tokenStats, type TokenStats } from '../generate/token-stats';
import type { HubDevice, HubDtype } from '../hub/catalogue';
import { assertSessionsCreated, guardRuns } from '../hub/ort-guard';
import type { PolicyImage, PolicyToken } from '../pixelthink-nano/policy';
import { TokenTextStream } from './text-stream';

export type { PolicyImage, PolicyToken };

export interface HubPolicyLoadOptions {
  device: HubDevice;
  /** The plan's dtype per session. */
  dtype: Record<string, HubDtype>;
  /** Resize the image to inputFrame × inputFrame before the processor (aspect ratio not kept); null: as is. */
  inputFrame: number | null;
  /** The square frame the answer's coordinates are in. */
  answerFrame: number;
  onProgress?: (info: unknown) => void;
}

export interface HubGenerateOptions {
  maxNewTokens: number;
  /** 0 is greedy; default 1 (the statistics are always at temperature 1). */
  temperature?: number;
  seed?: number;
  signal?: AbortSignal;
  onToken?: (token: PolicyToken) => void;
}

export type FinishReason = 'stop' | 'length';

export interface HubGeneration {
  response: string;
  /** Generated ids, the stop token included when the model wrote one. */
  tokens: number[];
  stats: TokenStats[];
  uncertainty: UncertaintySummary;
  finishReason: FinishReason;
  promptTokens: number;
  /** preprocess: resize + processor; prefill: vision encoder + prompt; decode: the rest. */
  timingsMs: { preprocess: number; prefill: number; decode: number };
}

export interface HubPolicyRun extends HubGeneration {
  frameSize: number;
}

/** The parts of Qwen2VLForConditionalGeneration the loop calls (public in JS, untyped in the typings). */
interface VisionLanguageModel {
  prepare_inputs_for_generation(
    inputIds: bigint[][],
    modelInputs: ModelInputs,
    generationConfig: unknown,
  ): ModelInputs;
  forward(modelInputs: ModelInputs): Promise<Record<string, Tensor>>;
  _update_model_kwargs_for_generation(args: {
    generated_input_ids: bigint[][];
    outputs: Record<string, Tensor>;
    model_inputs: ModelInputs;
    is_encoder_decoder: boolean;
  }): ModelInputs;
  config: Record<string, unknown>;
  generation_config: { eos_token_id?: number | number[] } | null;
  dispose(): Promise<unknown>;
}

type ModelInputs = Record<string, unknown> & { past_key_values?: { dispose(): Promise<void> } | null };

function idList(value: unknown): number[] {
  if (value === null || value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is number => Number.isInteger(v));
}

/** The ids a model ends its turn with: generation_config's, config's (or its text_config's), the tokenizer's. */
function stopTokensOf(model: VisionLanguageModel, processor: Processor): number[] {
  const text = (model.config.text_config ?? {}) as Record<string, unknown>;
  const tokenizer = processor.tokenizer as unknown as { eos_token_id?: number } | undefined;
  return [
    ...new Set([
      ...idList(model.generation_config?.eos_token_id),
      ...idList(model.config.eos_token_id),
      ...idList(text.eos_token_id),
      ...idList(tokenizer?.eos_token_id),
    ]),
  ];
}

/** The last position's logits as float32 (fp16 exports give float16 logits: only that row is converted). */
function lastLogits(logits: Tensor): Float32Array {
  const [, length, vocab] = logits.dims as [number, number, number];
  if (logits.type === 'float32')
    return (logits.data as Float32Array).subarray((length - 1) * vocab, length * vocab);
  return logits.slice(null, -1, null).to('float32').data as Float32Array;
}

export class HubPolicy {
  private constructor(
    readonly modelId: string,
    readonly device: HubDevice,
    private readonly model: VisionLanguageModel,
    private readonly processor: Processor,
    private readonly stopTokens: readonly number[],
    readonly inputFrame: number | null,
    readonly answerFrame: number,
  ) {}

  /** Loads the model and its processor (tokenizer + image processor) through transformers.js. */
  static async load(modelId: string, options: HubPolicyLoadOptions): Promise<HubPolicy> {
    const progress = options.onProgress as ProgressCallback | undefined;
    const [processor, model] = await Promise.all([
      AutoProcessor.from_pretrained(modelId, { progress_callback: progress }),
      AutoModelForImageTextToText.from_pretrained(modelId, {
        device: options.device,
        dtype: options.dtype as Record<string, 'fp32'>,
        progress_callback: progress,
      }),
    ]);
    await assertSessionsCreated(model);
    const vlm = model as unknown as VisionLanguageModel;
    if (typeof vlm.prepare_inputs_for_generation !== 'function' || !processor.tokenizer)
      throw new Error(`${modelId} is not an image-text-to-text model with a tokenizer`);
    return new HubPolicy(
      modelId,
      options.device,
      vlm,
      processor,
      stopTokensOf(vlm, processor),
      options.inputFrame,
      options.answerFrame,
    );
  }

  get tokenizer() {
    return this.processor.tokenizer!;
  }

  private decode(ids: readonly number[]): string {
    return ids.length === 0 ? '' : this.tokenizer.decode([...ids], { skip_special_tokens: true });
  }

  /** The method's chat (system turn, image then the exact user prompt) as the model's chat template renders it. */
  promptText(messages: ChatMessage[]): string {
    return this.processor.apply_chat_template(messages as never, { add_generation_prompt: true }) as string;
  }

  /** The image as the policy sees it: RGB, resized to the input frame when the model was trained that way. */
  private async modelImage(image: PolicyImage): Promise<RawImage> {
    const raw = new RawImage(new Uint8ClampedArray(image.rgba), image.width, image.height, 4).rgb();
    const frame = this.inputFrame;
    return frame && (raw.width !== frame || raw.height !== frame) ? raw.resize(frame, frame) : raw;
  }

  /** Generates an answer to `messages` about `image`, streaming tokens with their statistics. */
  async generate(
    messages: ChatMessage[],
    image: PolicyImage,
    options: HubGenerateOptions,
  ): Promise<HubGeneration> {
    const { maxNewTokens, temperature = 1, seed = 0, signal, onToken } = options;
    if (!(Number.isSafeInteger(maxNewTokens) && maxNewTokens >= 1))
      throw new GenerationOptionError('maxNewTokens', `must be a positive integer, got ${maxNewTokens}`);
    validateSampling({ temperature });
    const start = performance.now();
    const inputs = (await this.processor(this.promptText(messages), await this.modelImage(image))) as Record<
      string,
      Tensor
    >;
    const promptIds = Array.from(inputs.input_ids!.data as BigInt64Array);
    const preprocessMs = performance.now() - start;
    const rng = new Random(seed);
    const stream = new TokenTextStream((ids) => this.decode(ids));
    const accumulator = new UncertaintyAccumulator();
    const all: bigint[][] = [promptIds.slice()];
    const tokens: number[] = [];
    const stats: TokenStats[] = [];
    let modelInputs: ModelInputs = { ...inputs };
    let finishReason: FinishReason = 'length';
    let prefillMs = 0;
    let decodeStart = 0;
    try {
      for (let step = 0; step < maxNewTokens; step++) {
        if (signal?.aborted) throw new GenerationCancelledError(tokens.length, signal.reason);
        const stepStart = performance.now();
        modelInputs = this.model.prepare_inputs_for_generation(all, modelInputs, null);
        const inputs = modelInputs;
        const outputs = await guardRuns(() => this.model.forward(inputs));
        const row = { logits: lastLogits(outputs.logits!), offset: 0, size: 0 };
        row.size = row.logits.length;
        const { token } = sampleToken(row, { temperature }, rng);
        const stat = tokenStats(row, token);
        accumulator.push(stat.p1, stat.p2, stat.entropy);
        tokens.push(token);
        stats.push(stat);
        const stop = this.stopTokens.includes(token);
        const last = stop || step === maxNewTokens - 1;
        const text = stop ? stream.push(token, true) : stream.push(token, last);
        onToken?.({
          id: token,
          text,
          logProb: stat.logProb,
          p1: stat.p1,
          p2: stat.p2,
          entropy: stat.entropy,
        });
        if (step === 0) {
          prefillMs = performance.now() - stepStart;
          decodeStart = performance.now();
        }
        all[0]!.push(BigInt(token));
        // Fold this step's cache in (also after the last step, so the finally block frees it).
        modelInputs = this.model._update_model_kwargs_for_generation({
          generated_input_ids: [[BigInt(token)]],
          outputs,
          model_inputs: modelInputs,
          is_encoder_decoder: false,
        });
        if (stop) {
          finishReason = 'stop';
          break;
        }
      }
    } finally {
      await modelInputs.past_key_values?.dispose();
    }
    const generated = tokens.filter((t) => !this.stopTokens.includes(t));
    return {
      response: this.decode(generated),
      tokens,
      stats,
      uncertainty: accumulator.summary(),
      finishReason,
      promptTokens: promptIds.length,
      timingsMs: {
        preprocess: preprocessMs,
        prefill: prefillMs,
        decode: decodeStart > 0 ? performance.now() - decodeStart : 0,
      },
    };
  }

  /** The method's query: the PixelThink prompt in the model's chat template, the answer in `answerFrame`. */
  async run(image: PolicyImage, query: string, options: HubGenerateOptions): Promise<HubPolicyRun> {
    const generation = await this.generate(buildChatMessages(query), image, options);
    return { ...generation, frameSize: this.answerFrame };
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

// pixelthink-nano as a policy: perceive the image, read the object list and the query, stream the reasoning and answer.
import type { GeneratedSequence, GenerationTimings, SamplingOptions } from '../generate';
import { generate } from '../generate';
import type { ProjectionAdapter, Transformer } from '../transformer';
import type { PerceivedObject } from './scene-text';
import type { PolicyTokenizer } from './tokens';

/** Pixels as the segmenter and the gallery hand them over: RGBA, row-major. */
export interface PolicyImage {
  rgba: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

/** The perception front end: the objects of an image in the 840 answer frame. */
export type Perceive = (image: PolicyImage) => Promise<PerceivedObject[]>;

/** The selector: the index (in `objects`) of the object the query means; called only with at least one object. */
export type Select = (objects: readonly PerceivedObject[], query: string) => Promise<number>;

/** One streamed token: its text, and the statistics the uncertainty and the UI need. */
export interface PolicyToken {
  id: number;
  /** The token's text (a token may hold part of a character; the joined texts are the response). */
  text: string;
  logProb: number;
  p1: number;
  p2: number;
  entropy: number;
}

export interface PolicyRunOptions {
  maxNewTokens: number;
  /** Temperature 0 is greedy; default temperature 1. */
  sampling?: SamplingOptions;
  seed?: number;
  adapter?: ProjectionAdapter;
  signal?: AbortSignal;
  onToken?: (token: PolicyToken) => void;
}

export interface PolicyRun {
  response: string;
  sequence: GeneratedSequence;
  objects: PerceivedObject[];
  /** The object the selector picked (null when nothing was perceived): what the chain is told to conclude on. */
  target: PerceivedObject | null;
  promptTokens: number;
  /** The square frame the answer's coordinates are in (840 for every policy of this app). */
  frameSize: number;
  /** Stage times; `select` is the selector's pick and the prompt built from it. */
  timingsMs: { perceive: number; select: number; prefill: number; decode: number };
  generation: GenerationTimings;
}

export const ANSWER_FRAME = 840;

export interface SelectedPrompt {
  ids: number[];
  /** The selector's pick, named on the prompt's target line (null when nothing was perceived). */
  target: PerceivedObject | null;
}

/** The one way a pixelthink-nano prompt is built: the selector picks, the tokenizer writes the chat around it. */
export async function selectedPrompt(
  tokenizer: PolicyTokenizer,
  select: Select,
  objects: readonly PerceivedObject[],
  query: string,
): Promise<SelectedPrompt> {
  const target = objects.length ? (objects[await select(objects, query)] ?? null) : null;
  return { ids: tokenizer.promptIds(query, objects, target), target };
}

/** What GRPO tasks need of the policy to build prompts the way it does. */
export type PolicyPrompter = Pick<PixelThinkNano, 'tokenizer' | 'perceive' | 'prompt'>;

export class PixelThinkNano {
  constructor(
    readonly id: string,
    readonly tokenizer: PolicyTokenizer,
    readonly decoder: Transformer,
    /** The perception front end (GRPO tasks build their prompts with it). */
    readonly perceive: Perceive,
    readonly select: Select,
  ) {}

  /** The prompt for a query about perceived objects, with the selector's pick as the vision block's target line. */
  prompt(objects: readonly PerceivedObject[], query: string): Promise<SelectedPrompt> {
    return selectedPrompt(this.tokenizer, this.select, objects, query);
  }

  async run(image: PolicyImage, query: string, options: PolicyRunOptions): Promise<PolicyRun> {
    const perceiveStart = performance.now();
    const objects = await this.perceive(image);
    const selectStart = performance.now();
    const perceiveMs = selectStart - perceiveStart;
    const { ids: prompt, target } = await this.prompt(objects, query);
    const selectMs = performance.now() - selectStart;
    const { onToken } = options;
    const sequence = await generate(this.decoder, prompt, {
      maxNewTokens: options.maxNewTokens,
      stopTokens: [this.tokenizer.eosId],
      ...(options.sampling ? { sampling: options.sampling } : {}),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.adapter ? { adapter: options.adapter } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(onToken
        ? {
            onToken: (event) =>
              onToken({
                id: event.token,
                text: event.token === this.tokenizer.eosId ? '' : this.tokenizer.decode([event.token]),
                logProb: event.logProb,
                p1: event.p1,
                p2: event.p2,
                entropy: event.entropy,
              }),
          }
        : {}),
    });
    const generated = sequence.tokens.filter((t) => t !== this.tokenizer.eosId);
    return {
      response: this.tokenizer.decode(generated),
      sequence,
      objects,
      target,
      promptTokens: prompt.length,
      frameSize: ANSWER_FRAME,
      timingsMs: {
        perceive: perceiveMs,
        select: selectMs,
        prefill: sequence.timings.prefillMs,
        decode: sequence.timings.decodeMs,
      },
      generation: sequence.timings,
    };
  }
}

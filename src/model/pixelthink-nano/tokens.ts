// pixelthink-nano's one tokenizer path (training, generation, eval, the app): transformers.js' AutoTokenizer, chat template, vision block.
import { AutoTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';
import { buildChatMessages } from '../../rl/prompt';
import type { PerceivedObject } from './scene-text';
import { sceneText } from './scene-text';

const IMAGE_PAD = '<|image_pad|>';
const END_OF_TURN = '<|im_end|>';

export class PolicyTokenizer {
  readonly imagePadId: number;
  readonly eosId: number;

  private constructor(readonly tokenizer: PreTrainedTokenizer) {
    this.imagePadId = this.idOf(IMAGE_PAD);
    this.eosId = this.idOf(END_OF_TURN);
  }

  /** Loads `tokenizer.json` + `tokenizer_config.json` of a model folder (configure transformers.js first). */
  static async load(modelId: string): Promise<PolicyTokenizer> {
    return new PolicyTokenizer(await AutoTokenizer.from_pretrained(modelId));
  }

  /** Ids run 0..size-1 (the BPE vocabulary, then the added tokens). */
  get vocabSize(): number {
    return Math.max(...this.tokenizer.get_vocab().values()) + 1;
  }

  private idOf(token: string): number {
    const [id, ...rest] = this.tokenizer.encode(token, { add_special_tokens: false });
    if (id === undefined || rest.length > 0) throw new Error(`tokenizer: ${token} is not a single token`);
    return id;
  }

  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false });
  }

  decode(ids: readonly number[]): string {
    return ids.length === 0 ? '' : this.tokenizer.decode([...ids], { skip_special_tokens: true });
  }

  /**
   * The method's chat (system turn, image then the exact user prompt) up to the assistant's turn, with the image
   * placeholder replaced by the perceived objects' text, as Qwen2-VL replaces it with vision tokens; `target` is the
   * object the selector picked (null only when nothing was perceived).
   */
  promptIds(query: string, objects: readonly PerceivedObject[], target: PerceivedObject | null): number[] {
    const chat = this.tokenizer.apply_chat_template(buildChatMessages(query), {
      add_generation_prompt: true,
      return_tensor: false,
      return_dict: false,
    }) as number[];
    const pad = chat.indexOf(this.imagePadId);
    if (pad < 0) throw new Error('tokenizer: the chat template has no image placeholder');
    return [...chat.slice(0, pad), ...this.encode(` ${sceneText(objects, target)} `), ...chat.slice(pad + 1)];
  }

  /** The response's ids followed by the end-of-turn token the generation stops on. */
  responseIds(response: string): number[] {
    return [...this.encode(response), this.eosId];
  }
}

// Writes a trained byte-level BPE as Hugging Face tokenizer.json + tokenizer_config.json (Qwen2-VL layout and chat).
import { SYSTEM_PROMPT } from '../../rl/prompt';
import type { BpeModel } from './bpe-train';

/** Chat and vision markers: dropped by decode(…, { skip_special_tokens: true }). */
export const SPECIAL_TOKENS = [
  '<|endoftext|>',
  '<|im_start|>',
  '<|im_end|>',
  '<|vision_start|>',
  '<|vision_end|>',
  '<|image_pad|>',
] as const;

/**
 * The response tags get one id each but are not special: the reward reads them from the decoded text, so they must
 * survive skip_special_tokens.
 */
export const TAG_TOKENS = ['<think>', '</think>', '<answer>', '</answer>'] as const;

export const ADDED_TOKENS: readonly string[] = [...SPECIAL_TOKENS, ...TAG_TOKENS];

export const EOS_TOKEN = '<|im_end|>';
export const PAD_TOKEN = '<|endoftext|>';

/** Prompt (~110 tokens) + image tokens + the longest reference (~300 tokens) fit with a wide margin. */
export const MODEL_MAX_LENGTH = 2048;

/**
 * Qwen2-VL's chat layout without video: a default system turn when none is given, image parts as the vision block,
 * text parts as their text, and the assistant header when add_generation_prompt is set.
 */
export const CHAT_TEMPLATE =
  '{% for message in messages %}' +
  "{% if loop.first and message['role'] != 'system' %}" +
  `<|im_start|>system\n${SYSTEM_PROMPT}<|im_end|>\n` +
  '{% endif %}' +
  "<|im_start|>{{ message['role'] }}\n" +
  "{% if message['content'] is string %}{{ message['content'] }}" +
  "{% else %}{% for part in message['content'] %}" +
  "{% if part['type'] == 'image' or 'image' in part or 'image_url' in part %}" +
  '<|vision_start|><|image_pad|><|vision_end|>' +
  "{% elif 'text' in part %}{{ part['text'] }}{% endif %}" +
  '{% endfor %}{% endif %}' +
  '<|im_end|>\n' +
  '{% endfor %}' +
  '{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}';

interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

/** The added tokens take the ids right after the BPE vocabulary, in ADDED_TOKENS order. */
function addedTokens(model: BpeModel): AddedTokenJson[] {
  const specials: readonly string[] = SPECIAL_TOKENS;
  return ADDED_TOKENS.map((content, i) => ({
    id: model.vocab.length + i,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: specials.includes(content),
  }));
}

/** Vocabulary size as the model's embedding table sees it: BPE tokens plus added tokens. */
export function tokenizerVocabSize(model: BpeModel): number {
  return model.vocab.length + ADDED_TOKENS.length;
}

const BYTE_LEVEL = { add_prefix_space: false, trim_offsets: true, use_regex: true };

/** tokenizer.json: no normaliser (so decode(encode(s)) === s), GPT-2 ByteLevel split, BPE, ByteLevel decoder. */
export function tokenizerJson(model: BpeModel): object {
  // The vocabulary is written as an object keyed by token, so a repeated token would silently shift every id after it.
  if (new Set(model.vocab).size !== model.vocab.length) throw new Error('the BPE vocabulary repeats a token');
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens(model),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', ...BYTE_LEVEL },
    post_processor: { type: 'ByteLevel', ...BYTE_LEVEL, trim_offsets: false },
    decoder: { type: 'ByteLevel', ...BYTE_LEVEL },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(model.vocab.map((token, id) => [token, id])),
      merges: model.merges,
    },
  };
}

/** tokenizer_config.json; clean_up_tokenization_spaces must stay false or decode would eat spaces before "." and ",". */
export function tokenizerConfig(model: BpeModel): object {
  const decoder = Object.fromEntries(addedTokens(model).map(({ id, ...token }) => [String(id), token]));
  return {
    add_bos_token: false,
    add_prefix_space: false,
    added_tokens_decoder: decoder,
    additional_special_tokens: SPECIAL_TOKENS.filter((token) => token !== EOS_TOKEN && token !== PAD_TOKEN),
    bos_token: null,
    chat_template: CHAT_TEMPLATE,
    clean_up_tokenization_spaces: false,
    eos_token: EOS_TOKEN,
    errors: 'replace',
    model_max_length: MODEL_MAX_LENGTH,
    pad_token: PAD_TOKEN,
    split_special_tokens: false,
    tokenizer_class: 'Qwen2Tokenizer',
    unk_token: null,
  };
}

export interface TokenizerFiles {
  'tokenizer.json': string;
  'tokenizer_config.json': string;
}

/** Both files as text, with a final newline; byte-stable for a given model. */
export function tokenizerFiles(model: BpeModel): TokenizerFiles {
  const text = (value: object) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    'tokenizer.json': text(tokenizerJson(model)),
    'tokenizer_config.json': text(tokenizerConfig(model)),
  };
}

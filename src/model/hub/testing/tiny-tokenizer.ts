// A tiny Qwen2-style tokenizer for generated test models: byte-level BPE without merges (id = byte) + Qwen's markers.
import { bytesToUnicode } from '../../tokenizer/bpe-train';
import { ADDED_TOKENS, tokenizerFiles } from '../../tokenizer/tokenizer-json';

/** 256 byte tokens (token id = byte value), then the chat, vision and tag tokens of tokenizer-json.ts. */
export const TINY_VOCAB_SIZE = 256 + ADDED_TOKENS.length;

/** The id of an added token (`<|im_end|>`, `<|image_pad|>`, …) in the tiny tokenizer. */
export function tinyTokenId(token: (typeof ADDED_TOKENS)[number]): number {
  const index = ADDED_TOKENS.indexOf(token);
  if (index < 0) throw new Error(`${token} is not a token of the tiny tokenizer`);
  return 256 + index;
}

/** UTF-8 bytes are the token ids: what a model of this tokenizer emits to write `text` byte by byte. */
export function tinyTokenIds(text: string): number[] {
  return Array.from(new TextEncoder().encode(text));
}

/** tokenizer.json + tokenizer_config.json (with the Qwen2-VL chat template) as text. */
export function tinyTokenizerFiles(): { 'tokenizer.json': string; 'tokenizer_config.json': string } {
  return tokenizerFiles({ vocab: bytesToUnicode(), merges: [] });
}

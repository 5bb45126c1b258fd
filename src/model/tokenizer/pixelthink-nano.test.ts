// Tests of the committed pixelthink-nano tokenizer as transformers.js loads it: round trips, numbers, words, chat.
import { fileURLToPath } from 'node:url';
import { statSync } from 'node:fs';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { COLOURS, FRAME, SHAPES, SIZES, sample } from '../../data/shapeworld/index';
import { createRandom } from '../../data/shapeworld/random';
import { buildChatMessages, buildUserPrompt } from '../../rl/prompt';
import { preTokenize } from './bpe-train';
import { ADDED_TOKENS, SPECIAL_TOKENS, TAG_TOKENS } from './tokenizer-json';

const MODELS_DIR = fileURLToPath(new URL('../../../public/models/', import.meta.url));
const MODEL_ID = 'pixelthink-nano';
const VOCAB_SIZE = 2342;

/** Held-out text: test-split samples (the tokenizer was trained on train samples only). */
const HELD_OUT_SAMPLES = 667;

interface HeldOut {
  prompts: string[];
  long: string[];
  short: string[];
  queries: string[];
}

function heldOut(): HeldOut {
  const texts: HeldOut = { prompts: [], long: [], short: [], queries: [] };
  for (let i = 0; i < HELD_OUT_SAMPLES; i++) {
    const record = sample('test', i);
    texts.prompts.push(buildUserPrompt(record.query));
    texts.long.push(record.references.long);
    texts.short.push(record.references.short);
    texts.queries.push(record.query);
  }
  return texts;
}

/** Well-formed strings from many scripts and planes; lone surrogates are excluded, since UTF-8 cannot carry them. */
function randomUnicode(seed: number): string {
  const random = createRandom(`pixelthink-nano-tokenizer/unicode/${seed}`);
  const ranges: [number, number][] = [
    [0x00, 0x7f], // ASCII, controls included
    [0x80, 0x7ff], // Latin-1, Greek, Cyrillic, Hebrew, Arabic, combining marks
    [0x2000, 0x206f], // odd spaces, joiners, marks
    [0x3000, 0x9fff], // CJK
    [0xe000, 0xfffd], // private use, BOM, replacement character
    [0x1f300, 0x1faff], // emoji
    [0x10000, 0x10ffff], // any supplementary code point
  ];
  const length = random.int(1, 40);
  let text = '';
  for (let i = 0; i < length; i++) {
    const [low, high] = random.pick(ranges);
    text += String.fromCodePoint(random.int(low, high));
  }
  return text;
}

let tokenizer: PreTrainedTokenizer;
let texts: HeldOut;

beforeAll(async () => {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = MODELS_DIR;
  tokenizer = await AutoTokenizer.from_pretrained(MODEL_ID);
  texts = heldOut();
}, 60_000);

const encode = (text: string) => tokenizer.encode(text, { add_special_tokens: false });
const idOf = (token: string) => tokenizer.convert_tokens_to_ids(token);

describe('pixelthink-nano tokenizer', () => {
  it('loads offline through AutoTokenizer with its vocabulary, added tokens and eos/pad', () => {
    expect(tokenizer.constructor.name).toBe('Qwen2Tokenizer');
    expect(tokenizer.get_vocab().size).toBe(VOCAB_SIZE);
    ADDED_TOKENS.forEach((token, i) => {
      expect(idOf(token)).toBe(VOCAB_SIZE - ADDED_TOKENS.length + i);
      expect(encode(`x${token}y`)).toEqual([idOf('x'), idOf(token), idOf('y')]);
    });
    expect(tokenizer.eos_token).toBe('<|im_end|>');
    expect(tokenizer.eos_token_id).toBe(idOf('<|im_end|>'));
    expect(tokenizer.pad_token_id).toBe(idOf('<|endoftext|>'));
    expect(tokenizer.bos_token).toBeNull();
  });

  it('drops the chat and vision markers with skip_special_tokens but keeps the response tags', () => {
    const response = texts.long[0] as string;
    const ids = [idOf('<|im_start|>'), ...encode(response), idOf('<|im_end|>'), idOf('<|endoftext|>')];
    expect(tokenizer.decode(ids, { skip_special_tokens: true })).toBe(response);
    for (const tag of TAG_TOKENS) expect(response).toContain(tag);
    expect(tokenizer.all_special_tokens.toSorted()).toEqual([...SPECIAL_TOKENS].sort());
  });

  it('decodes exactly what it encoded on ShapeWorld prompts and references it never saw', () => {
    const all = [...texts.prompts, ...texts.long, ...texts.short];
    expect(all.length).toBeGreaterThanOrEqual(2000);
    for (const text of all) expect(tokenizer.decode(encode(text))).toBe(text);
  });

  it('decodes exactly what it encoded on arbitrary unicode, and on text that tempts space clean-up', () => {
    const tricky = [" . , ! ? ' n't 's 're", 'a  b\t\tc\r\n\n  ', '\u00a0\u200b\ufeff', '<think> </think >'];
    const strings = [...tricky, ...Array.from({ length: 500 }, (_, seed) => randomUnicode(seed))];
    for (const text of strings) expect(tokenizer.decode(encode(text))).toBe(text);
  });

  it('makes every integer 0..840 one token, right after "[" and after a space', () => {
    for (let n = 0; n <= FRAME; n++) {
      const bare = encode(String(n));
      const spaced = encode(` ${n}`);
      expect(bare, String(n)).toHaveLength(1);
      expect(spaced, ` ${n}`).toHaveLength(1);
      expect(encode(`[${n}, ${n}]`)).toEqual([idOf('['), ...bare, idOf(','), ...spaced, idOf(']')]);
    }
  });

  it('makes every ShapeWorld word one token, in each form it takes in prompts, queries and references', () => {
    // The attribute words with their leading space even where this sample of texts lacks one of them.
    const words = new Set<string>([...COLOURS, ...SHAPES, ...SIZES].map((w) => ` ${w}`));
    for (const text of [...texts.prompts, ...texts.long, ...texts.short, ...texts.queries]) {
      // The tokenizer splits the added tokens off before pre-tokenising; a newline does the same here.
      const pieces = preTokenize(ADDED_TOKENS.reduce((t, token) => t.replaceAll(token, '\n'), text));
      for (const piece of pieces) if (/^ ?\p{L}+$/u.test(piece)) words.add(piece);
    }
    expect(words.size).toBeGreaterThan(100);
    for (const word of words) expect(encode(word), JSON.stringify(word)).toHaveLength(1);
  });

  it('tokenises the answer JSON keys compactly', () => {
    expect(tokenizer.tokenize('{"bbox": [')).toEqual(['{"', 'bbox', '":', 'Ġ[']);
    expect(tokenizer.tokenize('], "points_1": [')).toEqual(['],', 'Ġ"', 'points', '_', '1', '":', 'Ġ[']);
    const answer = '{"bbox": [570,649,727,805], "points_1": [648,757], "points_2": [649,708]}';
    expect(encode(answer)).toHaveLength(32);
  });

  it('renders the Qwen2-VL chat with the image block and tokenises it with one id per marker', () => {
    const query = 'the red circle';
    const prompt = buildUserPrompt(query);
    const text = tokenizer.apply_chat_template(buildChatMessages(query), {
      tokenize: false,
      add_generation_prompt: true,
    });
    expect(text).toBe(
      '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' +
        `<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>${prompt}<|im_end|>\n` +
        '<|im_start|>assistant\n',
    );
    const ids = tokenizer.apply_chat_template(buildChatMessages(query), {
      add_generation_prompt: true,
      return_tensor: false,
      return_dict: false,
    });
    const [start, end] = [idOf('<|im_start|>'), idOf('<|im_end|>')];
    expect(ids).toEqual([
      start,
      ...encode('system\nYou are a helpful assistant.'),
      end,
      ...encode('\n'),
      start,
      ...encode('user\n'),
      idOf('<|vision_start|>'),
      idOf('<|image_pad|>'),
      idOf('<|vision_end|>'),
      ...encode(prompt),
      end,
      ...encode('\n'),
      start,
      ...encode('assistant\n'),
    ]);
  });

  it('adds the default system turn and takes plain string content', () => {
    const text = tokenizer.apply_chat_template([{ role: 'user', content: 'hi' }], { tokenize: false });
    expect(text).toBe(
      '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n',
    );
  });

  it('reports its size, tokens per reference and encode speed', () => {
    const mean = (items: string[]) => items.reduce((sum, t) => sum + encode(t).length, 0) / items.length;
    const all = [...texts.prompts, ...texts.long, ...texts.short];
    const chars = all.reduce((sum, t) => sum + t.length, 0);
    const start = performance.now();
    const tokens = all.reduce((sum, t) => sum + encode(t).length, 0);
    const seconds = (performance.now() - start) / 1000;
    const bytes = statSync(`${MODELS_DIR}${MODEL_ID}/tokenizer.json`).size;
    const stats = {
      vocab: VOCAB_SIZE,
      tokenizerJsonBytes: bytes,
      meanLong: mean(texts.long),
      meanShort: mean(texts.short),
      meanPrompt: mean(texts.prompts),
      charsPerToken: chars / tokens,
      charsPerSecond: chars / seconds,
    };
    console.info(JSON.stringify(stats));
    // Every word and number is one token, so a long reference costs about as many tokens as it has pre-tokens.
    expect(stats.meanLong).toBeLessThan(300);
    expect(stats.charsPerToken).toBeGreaterThan(3);
  });
});

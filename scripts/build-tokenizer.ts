// CLI: trains the pixelthink-nano byte-level BPE on ShapeWorld prompts, references and answer numbers; writes its files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FRAME, formatAnswer, sample } from '../src/data/shapeworld/index';
import { createRandom } from '../src/data/shapeworld/random';
import { countWords, trainBpe } from '../src/model/tokenizer/bpe-train';
import { ADDED_TOKENS, tokenizerFiles, tokenizerVocabSize } from '../src/model/tokenizer/tokenizer-json';
import { buildUserPrompt } from '../src/rl/prompt';

const USAGE = `usage: npm run build:tokenizer -- [--out DIR]
  --out  output folder (default public/models/pixelthink-nano); gets tokenizer.json and tokenizer_config.json`;

const DEFAULT_OUT = 'public/models/pixelthink-nano';

/** Train samples whose prompt and both references go into the corpus (train indices 0..n-1). */
const TRAIN_SAMPLES = 2000;

/** Numbers per answer JSON: four for the box, two for each point. */
const ANSWER_NUMBERS = 8;

/**
 * BPE tokens (bytes + merges) plus the added tokens. This is where the corpus runs out of pairs seen twice, so every
 * corpus word is one token; the rarest required numbers are among the very last merges, so less would not do.
 */
const VOCAB_SIZE = 2342;

/** The prompt and both references of each train sample, in index order. */
function sampleTexts(): string[] {
  const texts: string[] = [];
  for (let i = 0; i < TRAIN_SAMPLES; i++) {
    const record = sample('train', i);
    texts.push(buildUserPrompt(record.query), record.references.long, record.references.short);
  }
  return texts;
}

/** The answer JSON with json.dumps spacing ("[120, 340, …]"), the form a Python-trained policy tends to print. */
function spacedAnswer(values: readonly number[]): string {
  const list = (from: number, to: number) => `[${values.slice(from, to).join(', ')}]`;
  return `{"bbox": ${list(0, 4)}, "points_1": ${list(4, 6)}, "points_2": ${list(6, 8)}}`;
}

/** The method's compact form ("[120,340,…]"), as the references print it. */
function compactAnswer(values: readonly number[]): string {
  const [x1 = 0, y1 = 0, x2 = 0, y2 = 0, px1 = 0, py1 = 0, px2 = 0, py2 = 0] = values;
  return formatAnswer({
    bbox: [x1, y1, x2, y2],
    points: [
      [px1, py1],
      [px2, py2],
    ],
  });
}

/**
 * Every integer 0..FRAME in answer JSON, in every one of the eight slots, in both the compact and the spaced form: so
 * each appears right after "[" and after ",", and also after ", " (five slots of eight). A coordinate that scenes
 * rarely produce (near 0 or 840) thus still occurs often enough to become one token in both forms.
 */
function numberTexts(): string[] {
  const order = createRandom('pixelthink-nano-tokenizer/numbers').shuffled(
    Array.from({ length: FRAME + 1 }, (_, n) => n),
  );
  // A cycle whose length is a multiple of 8, so that rotating it by one moves every number to the next slot.
  const cycle = [...order, ...order.slice(0, ANSWER_NUMBERS - (order.length % ANSWER_NUMBERS))];
  const texts: string[] = [];
  for (let shift = 0; shift < ANSWER_NUMBERS; shift++) {
    const rotated = [...cycle.slice(shift), ...cycle.slice(0, shift)];
    for (let i = 0; i < rotated.length; i += ANSWER_NUMBERS) {
      const values = rotated.slice(i, i + ANSWER_NUMBERS);
      texts.push(compactAnswer(values), spacedAnswer(values));
    }
  }
  return texts;
}

/** The added tokens are never split by BPE, so their text must not be counted as words. */
function withoutAddedTokens(text: string): string[] {
  const pattern = new RegExp(ADDED_TOKENS.map((t) => t.replace(/[|]/g, '\\|')).join('|'), 'g');
  return text.split(pattern).filter((piece) => piece.length > 0);
}

function parseOut(argv: readonly string[]): string | null {
  if (argv.length === 0) return DEFAULT_OUT;
  if (argv.length === 2 && argv[0] === '--out' && argv[1]) return argv[1];
  return null;
}

function main(argv: readonly string[]): number {
  const out = parseOut(argv);
  if (out === null) {
    console.error(USAGE);
    return 2;
  }
  const start = performance.now();
  const texts = [...sampleTexts(), ...numberTexts()].flatMap(withoutAddedTokens);
  const corpusChars = texts.reduce((sum, text) => sum + text.length, 0);
  const corpusDone = performance.now();
  const model = trainBpe(countWords(texts), { vocabSize: VOCAB_SIZE - ADDED_TOKENS.length });
  const trainDone = performance.now();
  if (tokenizerVocabSize(model) !== VOCAB_SIZE) {
    console.error(
      `the corpus ran out of pairs at ${tokenizerVocabSize(model)} tokens (wanted ${VOCAB_SIZE})`,
    );
    return 1;
  }
  mkdirSync(resolve(out), { recursive: true });
  for (const [name, text] of Object.entries(tokenizerFiles(model))) {
    writeFileSync(join(out, name), text);
    console.error(`wrote ${join(out, name)} (${Buffer.byteLength(text)} bytes)`);
  }
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  console.error(
    `vocab ${VOCAB_SIZE} (${model.merges.length} merges); corpus ${texts.length} texts, ${corpusChars} chars ` +
      `in ${seconds(corpusDone - start)} s; trained in ${seconds(trainDone - corpusDone)} s`,
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));

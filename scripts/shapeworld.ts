// CLI: writes a ShapeWorld-Reason split to disk as PNG images, PNG target masks and one JSONL record per sample.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeMaskPng, encodeRgbaPng } from '../src/data/png';
import { encodeRle } from '../src/data/rle';
import {
  MAX_RENDER_SIZE,
  SPLIT_SIZES,
  SPLITS,
  isSplit,
  objectMask,
  renderScene,
  sample,
  type Level,
  type Split,
} from '../src/data/shapeworld/index';

const USAGE = `usage: npm run shapeworld -- --split train|val|test --out DIR [--n N] [--start I] [--size PX] [--mask-bits 1|8]
  --split      which split to write (val has ${SPLIT_SIZES.val} samples, test ${SPLIT_SIZES.test}, train is endless)
  --out        output folder; gets images/, masks/ and <split>.jsonl
  --n          number of samples (default: the whole split; required for train)
  --start      first index (default 0)
  --size       image and mask side in pixels, 1..${MAX_RENDER_SIZE} (default 840); ground truth stays in the 840 frame
  --mask-bits  1 (default) or 8 bits per mask pixel`;

interface Options {
  split: Split;
  out: string;
  start: number;
  n: number;
  size: number;
  maskBits: 1 | 8;
}

class UsageError extends Error {}

function integerOption(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max)
    throw new UsageError(`--${name} must be an integer in ${min}..${max}, got "${text}"`);
  return value;
}

/** Reads `--key value` and `--key=value` pairs; every option takes a value. */
function readPairs(argv: readonly string[]): Map<string, string> {
  const pairs = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const [key, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${key} needs a value`);
    if (pairs.has(key)) throw new UsageError(`--${key} given twice`);
    pairs.set(key, value);
  }
  return pairs;
}

function parseOptions(argv: readonly string[]): Options {
  const pairs = readPairs(argv);
  const known = new Set(['split', 'out', 'n', 'start', 'size', 'mask-bits']);
  for (const key of pairs.keys()) if (!known.has(key)) throw new UsageError(`unknown option --${key}`);
  const split = pairs.get('split');
  if (!split) throw new UsageError('--split is required');
  if (!isSplit(split)) throw new UsageError(`--split must be one of ${SPLITS.join(', ')}, got "${split}"`);
  const out = pairs.get('out');
  if (!out) throw new UsageError('--out is required');
  const splitSize = SPLIT_SIZES[split];
  const limit = Number.isFinite(splitSize) ? splitSize : Number.MAX_SAFE_INTEGER;
  const start = pairs.has('start') ? integerOption('start', pairs.get('start') as string, 0, limit - 1) : 0;
  if (!pairs.has('n') && !Number.isFinite(splitSize))
    throw new UsageError('the train split is endless: pass --n to say how many samples to write');
  const n = pairs.has('n') ? integerOption('n', pairs.get('n') as string, 1, limit - start) : limit - start;
  const size = pairs.has('size')
    ? integerOption('size', pairs.get('size') as string, 1, MAX_RENDER_SIZE)
    : 840;
  const bits = pairs.get('mask-bits') ?? '1';
  if (bits !== '1' && bits !== '8') throw new UsageError(`--mask-bits must be 1 or 8, got "${bits}"`);
  return { split, out: resolve(out), start, n, size, maskBits: bits === '1' ? 1 : 8 };
}

function progress(done: number, total: number, startedAt: number): void {
  const rate = done / ((performance.now() - startedAt) / 1000);
  const line = `${done}/${total} samples (${rate.toFixed(1)}/s)`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
  else if (done === total || done % Math.max(1, Math.round(total / 10)) === 0)
    process.stderr.write(`${line}\n`);
}

function write(options: Options): void {
  const { split, out, start, n, size, maskBits } = options;
  mkdirSync(join(out, 'images'), { recursive: true });
  mkdirSync(join(out, 'masks'), { recursive: true });
  const jsonl = openSync(join(out, `${split}.jsonl`), 'w');
  const levels: Record<Level, number> = { easy: 0, medium: 0, hard: 0 };
  const kinds = new Map<string, number>();
  let difficultySum = 0;
  let bytes = 0;
  const startedAt = performance.now();
  try {
    for (let k = 0; k < n; k++) {
      const record = sample(split, start + k);
      const rendered = renderScene(record, size);
      const mask = objectMask(rendered, record.target);
      const image = encodeRgbaPng(rendered.rgba, size, size);
      const maskPng = encodeMaskPng(mask, size, size, maskBits);
      writeFileSync(join(out, 'images', `${record.id}.png`), image);
      writeFileSync(join(out, 'masks', `${record.id}.png`), maskPng);
      const line = {
        ...record,
        image: `images/${record.id}.png`,
        mask: `masks/${record.id}.png`,
        width: size,
        height: size,
        mask_rle: encodeRle(mask, size, size),
      };
      writeSync(jsonl, JSON.stringify(line) + '\n');
      bytes += image.length + maskPng.length;
      levels[record.level]++;
      kinds.set(record.kind, (kinds.get(record.kind) ?? 0) + 1);
      difficultySum += record.difficulty;
      progress(k + 1, n, startedAt);
    }
  } finally {
    closeSync(jsonl);
  }
  const seconds = (performance.now() - startedAt) / 1000;
  const share = (count: number) => `${count} (${((100 * count) / n).toFixed(1)}%)`;
  console.log(
    `wrote ${n} ${split} samples (indices ${start}..${start + n - 1}) at ${size}×${size} to ${out}`,
  );
  console.log(
    `  levels: easy ${share(levels.easy)}, medium ${share(levels.medium)}, hard ${share(levels.hard)}`,
  );
  console.log(`  kinds: ${[...kinds].map(([kind, count]) => `${kind} ${share(count)}`).join(', ')}`);
  console.log(
    `  mean difficulty ${(difficultySum / n).toFixed(2)}; PNG bytes ${(bytes / 1e6).toFixed(1)} MB`,
  );
  console.log(`  ${seconds.toFixed(1)} s, ${(n / seconds).toFixed(1)} samples/s`);
}

function main(argv: readonly string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let options: Options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`shapeworld: ${error.message}\n${USAGE}`);
    return 2;
  }
  write(options);
  return 0;
}

process.exitCode = main(process.argv.slice(2));

// Number tokens that know their order: a fixed sinusoidal code of a coordinate's value added to its tokens' embeddings.
//
// Each coordinate 0..840 is a token of its own, twice ("603" after a bracket, " 607" after a comma), and the embeddings
// start as unrelated vectors: nothing tells the decoder that 410 < 607, so a sort or "the one furthest to the top"
// cannot become a comparison. With sin/cos features of the value added to both forms, a query·key product is a
// smooth function of the difference of two values (as RoPE's is of positions): "the smallest y above the last one"
// becomes something one attention head can score (docs/models.md, pilot log, run 7).
import { FRAME } from '../../data/shapeworld/index';
import { EMBED_TOKENS } from '../transformer/names';
import type { SftOptions } from './sft';
import { decodeEntry, readSafetensors, writeSafetensors, type TensorToWrite } from '../../webgpu/safetensors';

/** Shortest and longest period of the code, in frame pixels: objects sit ≥ 16 px apart; 4·840 stays monotone over the frame. */
const SHORTEST_PERIOD = 16;
const LONGEST_PERIOD = 4 * FRAME;

export class ValueCodeError extends Error {
  override readonly name = 'ValueCodeError';
}

/** Token id → the number it spells ("603" and " 603" alike), for every token that is an integer in 0..FRAME. */
export function numberTokenValues(vocabSize: number, tokenText: (id: number) => string): Map<number, number> {
  const values = new Map<number, number>();
  for (let id = 0; id < vocabSize; id++) {
    const text = tokenText(id);
    if (!/^ ?\d{1,3}$/.test(text)) continue;
    const value = Number(text);
    if (value <= FRAME) values.set(id, value);
  }
  return values;
}

/** The unit-norm code of `value` in `dim` (even) dimensions: sin/cos pairs at periods spaced geometrically. */
export function valueCode(value: number, dim: number): Float32Array {
  if (dim < 2 || dim % 2 !== 0)
    throw new ValueCodeError(`the value code needs an even dimension ≥ 2, got ${dim}`);
  const pairs = dim / 2;
  const code = new Float32Array(dim);
  for (let k = 0; k < pairs; k++) {
    const period =
      SHORTEST_PERIOD * (LONGEST_PERIOD / SHORTEST_PERIOD) ** (pairs === 1 ? 1 : k / (pairs - 1));
    const angle = (2 * Math.PI * value) / period;
    code[2 * k] = Math.sin(angle) / Math.sqrt(pairs);
    code[2 * k + 1] = Math.cos(angle) / Math.sqrt(pairs);
  }
  return code;
}

/**
 * Adds `scale` × (the mean norm of the number tokens' rows) × valueCode(value) to each number token's row of a
 * [vocab, dim] embedding, in place; a scale of 1 makes the code as large as a typical number embedding.
 */
export function addValueCode(
  embedding: Float32Array,
  dim: number,
  values: ReadonlyMap<number, number>,
  scale: number,
): void {
  if (values.size === 0) throw new ValueCodeError('no number tokens to code');
  const row = (id: number) => embedding.subarray(id * dim, (id + 1) * dim);
  let norms = 0;
  for (const id of values.keys()) norms += Math.hypot(...row(id));
  const size = (scale * norms) / values.size;
  for (const [id, value] of values) {
    const target = row(id);
    valueCode(value, dim).forEach((c, i) => (target[i] = (target[i] as number) + size * c));
  }
}

/**
 * The SFT checkpoint with the value code added to its (tied) token embeddings; everything else, the AdamW moments
 * included, is kept. Recorded in its options as `valueCode` (so every later checkpoint keeps the record), and refused
 * a second time; the schedule restarts at the checkpoint's step.
 */
export function checkpointWithValueCode(
  bytes: Uint8Array,
  values: ReadonlyMap<number, number>,
  scale: number,
): Uint8Array {
  const { entries, metadata } = readSafetensors(bytes);
  const options = JSON.parse(metadata.options ?? 'null') as SftOptions | null;
  if (!options) throw new ValueCodeError('not an SFT checkpoint: its metadata has no options');
  if (options.valueCode)
    throw new ValueCodeError(`this checkpoint has had the value code since step ${options.valueCode.step}`);
  const embedding = entries.get(EMBED_TOKENS);
  if (!embedding || embedding.shape.length !== 2)
    throw new ValueCodeError(`the checkpoint has no 2-D ${EMBED_TOKENS}`);
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, entry] of entries)
    tensors[name] = { dtype: 'F32', shape: entry.shape, data: Float32Array.from(decodeEntry(entry)) };
  addValueCode(tensors[EMBED_TOKENS]!.data as Float32Array, embedding.shape[1] as number, values, scale);
  const valueCode = { step: Number(metadata.step), scale, tokens: values.size };
  // The warm-up and cosine restart where the code was added: the embeddings moved, and the old cosine had ended.
  const edited = { ...options, valueCode, startStep: valueCode.step };
  return writeSafetensors(tensors, { ...metadata, options: JSON.stringify(edited) });
}

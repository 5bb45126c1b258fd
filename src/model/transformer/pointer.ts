// Pointer decoding: the next-token log-probabilities mix the LM head with one attention head's look at earlier tokens.
import {
  add,
  addScalar,
  cast,
  fromArray,
  less,
  linear,
  log,
  matmul,
  mul,
  permute,
  reshape,
  scale,
  scatterRows,
  sigmoid,
  slice,
  softmax,
} from '../../webgpu';
import type { Backend, Tensor } from '../../webgpu';
import type { PointerConfig, TransformerConfig } from './config';

/** Keeps log(p) finite where neither the LM head nor the pointer gives a token any mass. */
const FLOOR = 1e-9;

/** The pointer layer's rotated queries (this call's tokens) and every key so far, as the attention sees them. */
export interface PointerLook {
  /** [batch, seq, heads, headDim]. */
  q: Tensor;
  /** [batch, ≥ keyCount, kvHeads, headDim]; rows past keyCount are cache room, never attended. */
  keys: Tensor;
  keyCount: number;
}

/**
 * Additive causal mask [rows, keys]: row r is the query at absolute position firstRow + r and may look at keys
 * 0..firstRow + r; later keys get −1e9.
 */
export function causalMask(rows: number, firstRow: number, keys: number, backend: Backend): Tensor {
  const mask = new Float32Array(rows * keys);
  for (let r = 0; r < rows; r++) mask.fill(-1e9, r * keys + Math.min(keys, firstRow + r + 1), (r + 1) * keys);
  return fromArray(mask, [rows, keys], { backend });
}

/**
 * One query head's attention scores [batch, rows, keyCount] for the last `rows` queries of this call (rows = seq −
 * from), scaled and causally masked, before the softmax: the same numbers the fused attention kernel uses for it.
 */
export function headScores(config: TransformerConfig, head: number, look: PointerLook, from: number): Tensor {
  const { headDim, heads, kvHeads } = config;
  const [batch, seq] = look.q.shape as [number, number];
  const rows = seq - from;
  const kvHead = Math.floor(head / (heads / kvHeads));
  const q = reshape(slice(look.q, [0, from, head, 0], [batch, rows, 1, headDim]), [batch, rows, headDim]);
  const k = reshape(slice(look.keys, [0, 0, kvHead, 0], [batch, look.keyCount, 1, headDim]), [
    batch,
    look.keyCount,
    headDim,
  ]);
  // This call's queries are the last `seq` of the keyCount positions (the cached ones come first).
  const firstRow = look.keyCount - seq + from;
  return add(
    scale(matmul(q, k, { transB: true }), 1 / Math.sqrt(headDim)),
    causalMask(rows, firstRow, look.keyCount, q.backend),
  );
}

/** The pointer head's attention [batch, rows, keyCount] (softmax of its scores). */
export function pointerAttention(
  config: TransformerConfig,
  pointer: PointerConfig,
  look: PointerLook,
  from: number,
): Tensor {
  return softmax(headScores(config, pointer.head, look, from));
}

/**
 * log(g · softmax(logits) + (1 − g) · Σ_s A[·, s] · onehot(ids[s])) [batch, rows, vocab], with g the gate of the
 * final hidden state. `ids` [batch, keyCount] f32 holds every attended position's token (−1: none, e.g. a vision
 * prefix, which the pointer cannot copy). Already normalised, so log-softmax (cross-entropy, sampling, margins,
 * GRPO's log-probs) leaves it unchanged: every consumer of logits reads the mixture as it is.
 */
export function pointerLogProbs(
  logits: Tensor,
  hidden: Tensor,
  attention: Tensor,
  ids: Tensor,
  gate: { weight: Tensor; bias: Tensor },
): Tensor {
  const g = sigmoid(linear(hidden, gate.weight, gate.bias));
  const generated = mul(softmax(logits), g);
  const pointed = mul(
    attentionOnTokens(attention, ids, logits.shape[2] as number),
    addScalar(scale(g, -1), 1),
  );
  return log(addScalar(add(generated, pointed), FLOOR));
}

/**
 * Σ_s A[b, r, s] · onehot(ids[b, s]) [batch, rows, vocab] as one row scatter-add over the keys: O(keys · rows)
 * instead of the O(keys · rows · vocab) of a one-hot matmul, which made every decode step as costly as a layer.
 * Each batch row gets vocab + 1 slots; id −1 lands in the last one, dropped after the scatter.
 */
function attentionOnTokens(attention: Tensor, ids: Tensor, vocab: number): Tensor {
  const [batch, keyCount] = ids.shape as [number, number];
  const rows = attention.shape[1] as number;
  const slots = vocab + 1;
  const backend = ids.backend;
  const noToken = less(ids, fromArray([0], [1], { backend }));
  const offsets = fromArray(
    Float32Array.from({ length: batch }, (_, b) => b * slots),
    [batch, 1],
    { backend },
  );
  const slotIds = cast(add(add(ids, mul(noToken, slots)), offsets), 'i32');
  const sources = reshape(permute(attention, [0, 2, 1]), [batch * keyCount, rows]);
  const scattered = reshape(scatterRows(reshape(slotIds, [batch * keyCount]), sources, batch * slots), [
    batch,
    slots,
    rows,
  ]);
  return permute(slice(scattered, [0, 0, 0], [batch, vocab, rows]), [0, 2, 1]);
}

// Reference fused attention (causal, grouped KV heads, additive mask, KV-cache offset), forward and backward.
import type { AttentionSpec } from '../../backend';
import type { FloatArray } from './arrays';
import { at } from './arrays';

/** Flat offset of (batch, position, head) in a [batch, seq, heads, d] tensor. */
function rowOffset(b: number, t: number, h: number, seq: number, heads: number, d: number): number {
  return ((b * seq + t) * heads + h) * d;
}

/** Scaled, masked scores of one query row against all keys; -Infinity where hidden. */
function scoresOf(
  q: FloatArray,
  k: FloatArray,
  mask: FloatArray | null,
  spec: AttentionSpec,
  b: number,
  h: number,
  i: number,
  scores: Float64Array,
): void {
  const { tq, tk, hq, hkv, d } = spec;
  const kvHead = Math.floor(h / (hq / hkv));
  const qOffset = rowOffset(b, i, h, tq, hq, d);
  const maskOffset = mask
    ? (((spec.maskBatch === 1 ? 0 : b) * spec.maskHeads + (spec.maskHeads === 1 ? 0 : h)) * tq + i) * tk
    : 0;
  for (let j = 0; j < tk; j++) {
    if (spec.causal && j > spec.queryOffset + i) {
      scores[j] = -Infinity;
      continue;
    }
    const kOffset = rowOffset(b, j, kvHead, spec.kvRows, hkv, d);
    let dot = 0;
    for (let c = 0; c < d; c++) dot += at(q, qOffset + c) * at(k, kOffset + c);
    scores[j] = dot * spec.scale + (mask ? at(mask, maskOffset + j) : 0);
  }
}

function logSumExp(scores: Float64Array): number {
  let max = -Infinity;
  for (const s of scores) max = Math.max(max, s);
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (const s of scores) sum += Math.exp(s - max);
  return max + Math.log(sum);
}

export function attentionKernel(
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  mask: FloatArray | null,
  out: FloatArray,
  lseOut: FloatArray,
  spec: AttentionSpec,
): void {
  const { batch, tq, tk, hq, hkv, d } = spec;
  const scores = new Float64Array(tk);
  const acc = new Float64Array(d);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < hq; h++) {
      const kvHead = Math.floor(h / (hq / hkv));
      for (let i = 0; i < tq; i++) {
        scoresOf(q, k, mask, spec, b, h, i, scores);
        const lse = logSumExp(scores);
        lseOut[(b * hq + h) * tq + i] = lse;
        acc.fill(0);
        if (lse !== -Infinity) {
          for (let j = 0; j < tk; j++) {
            const p = Math.exp(at(scores, j) - lse);
            if (p === 0) continue;
            const vOffset = rowOffset(b, j, kvHead, spec.kvRows, hkv, d);
            for (let c = 0; c < d; c++) acc[c] = at(acc, c) + p * at(v, vOffset + c);
          }
        }
        const oOffset = rowOffset(b, i, h, tq, hq, d);
        for (let c = 0; c < d; c++) out[oOffset + c] = at(acc, c);
      }
    }
  }
}

/**
 * With p = softmax(s): dv_j += p_j dO; dp_j = dO . v_j; ds_j = p_j (dp_j - dO . O); dq += scale ds_j k_j;
 * dk_j += scale ds_j q. The saved log-sum-exp rebuilds p without a second max/sum pass.
 */
export function attentionBackwardKernel(
  q: FloatArray,
  k: FloatArray,
  v: FloatArray,
  mask: FloatArray | null,
  out: FloatArray,
  lseIn: FloatArray,
  dOut: FloatArray,
  dq: FloatArray,
  dk: Float64Array,
  dv: Float64Array,
  spec: AttentionSpec,
): void {
  const { batch, tq, tk, hq, hkv, d } = spec;
  const scores = new Float64Array(tk);
  const dqRow = new Float64Array(d);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < hq; h++) {
      const kvHead = Math.floor(h / (hq / hkv));
      for (let i = 0; i < tq; i++) {
        const qOffset = rowOffset(b, i, h, tq, hq, d);
        const lse = at(lseIn, (b * hq + h) * tq + i);
        dqRow.fill(0);
        if (lse !== -Infinity) {
          scoresOf(q, k, mask, spec, b, h, i, scores);
          let outDotDOut = 0;
          for (let c = 0; c < d; c++) outDotDOut += at(out, qOffset + c) * at(dOut, qOffset + c);
          for (let j = 0; j < tk; j++) {
            const p = Math.exp(at(scores, j) - lse);
            if (p === 0) continue;
            const kvOffset = rowOffset(b, j, kvHead, spec.kvRows, hkv, d);
            let dp = 0;
            for (let c = 0; c < d; c++) {
              dp += at(dOut, qOffset + c) * at(v, kvOffset + c);
              dv[kvOffset + c] = at(dv, kvOffset + c) + p * at(dOut, qOffset + c);
            }
            const ds = p * (dp - outDotDOut) * spec.scale;
            for (let c = 0; c < d; c++) {
              dqRow[c] = at(dqRow, c) + ds * at(k, kvOffset + c);
              dk[kvOffset + c] = at(dk, kvOffset + c) + ds * at(q, qOffset + c);
            }
          }
        }
        for (let c = 0; c < d; c++) dq[qOffset + c] = at(dqRow, c);
      }
    }
  }
}

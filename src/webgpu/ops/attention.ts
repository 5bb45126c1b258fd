// Fused scaled-dot-product attention (causal, grouped KV heads, additive mask, KV-cache offset) with backward.
import { isRecording, recordOp } from '../autograd';
import type { AttentionSpec } from '../backend';
import { ShapeError, fmtShape } from '../errors';
import type { Tensor } from '../tensor';
import { backendOf, expectDType, expectRank, wrap } from './common';

export interface AttentionOptions {
  causal?: boolean;
  /** Score scale; default 1/sqrt(headDim). */
  scale?: number;
  /** Additive f32 mask [batch|1, heads|1, tq, tk]; -Infinity hides a key (padding). Not differentiated. */
  mask?: Tensor | null;
  /** Absolute position of the first query among the keys; default tk - tq (queries are the newest tokens). */
  queryOffset?: number;
  /**
   * Attend to the first kvLength rows of k/v only (default: all): a preallocated KV cache passes its filled length,
   * so tk = kvLength for the mask shape and the default queryOffset; the other rows get zero gradients.
   */
  kvLength?: number;
}

function specOf(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions): AttentionSpec {
  for (const [t, role] of [
    [q, 'q'],
    [k, 'k'],
    [v, 'v'],
  ] as const) {
    expectDType('attention', t, 'f32', role);
    expectRank('attention', t, 4, role);
  }
  const [batch, tq, hq, d] = q.shape as [number, number, number, number];
  const [kBatch, kvRows, hkv, kd] = k.shape as [number, number, number, number];
  const shapesAgree = kBatch === batch && kd === d && v.shape.every((dim, i) => dim === k.shape[i]);
  if (!shapesAgree || hq % hkv !== 0) {
    throw new ShapeError(
      'attention',
      `q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)}, v ${fmtShape(v.shape)} (want [b,t,h,d], q heads a multiple of kv heads)`,
    );
  }
  const tk = options.kvLength ?? kvRows;
  if (!Number.isInteger(tk) || tk < 0 || tk > kvRows) {
    throw new ShapeError('attention', `kvLength ${tk} is not within the ${kvRows} rows of k and v`);
  }
  const mask = options.mask ?? null;
  let maskBatch = 1;
  let maskHeads = 1;
  if (mask) {
    expectDType('attention', mask, 'f32', 'mask');
    [maskBatch, maskHeads] = mask.shape as [number, number];
    const fits =
      mask.rank === 4 &&
      (maskBatch === 1 || maskBatch === batch) &&
      (maskHeads === 1 || maskHeads === hq) &&
      mask.shape[2] === tq &&
      mask.shape[3] === tk;
    if (!fits)
      throw new ShapeError(
        'attention',
        `mask ${fmtShape(mask.shape)} does not fit [${batch}|1, ${hq}|1, ${tq}, ${tk}]`,
      );
  }
  return {
    batch,
    tq,
    tk,
    kvRows,
    hq,
    hkv,
    d,
    scale: options.scale ?? 1 / Math.sqrt(d),
    causal: options.causal ?? false,
    queryOffset: options.queryOffset ?? tk - tq,
    maskBatch,
    maskHeads,
  };
}

/** softmax(q k^T * scale + mask) v per head; q [b, tq, hq, d], k/v [b, kvRows, hkv, d] → [b, tq, hq, d]. */
export function attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Tensor {
  const spec = specOf(q, k, v, options);
  const mask = options.mask ?? null;
  const backend = backendOf('attention', q, k, v, mask);
  const result = backend.attention(q.storage, k.storage, v.storage, mask?.storage ?? null, spec);
  const out = wrap(backend, result.out, q.shape);
  const logSumExp = wrap(backend, result.logSumExp, [spec.batch, spec.hq, spec.tq]);
  if (!isRecording([q, k, v])) {
    logSumExp.dispose();
    return out;
  }
  const saved = mask ? [q, k, v, out, logSumExp, mask] : [q, k, v, out, logSumExp];
  recordOp('attention', [q, k, v], [out], saved, ([dOut], [sq, sk, sv, sOut, sLse, sMask], needs) => {
    if (!dOut || !sq || !sk || !sv || !sOut || !sLse) return [null, null, null];
    const grads = backend.attentionBackward(
      sq.storage,
      sk.storage,
      sv.storage,
      sMask?.storage ?? null,
      sOut.storage,
      sLse.storage,
      dOut.storage,
      spec,
    );
    const all = [
      wrap(backend, grads.dq, q.shape),
      wrap(backend, grads.dk, k.shape),
      wrap(backend, grads.dv, v.shape),
    ];
    return all.map((g, i) => (needs[i] ? g : null));
  });
  logSumExp.dispose();
  return out;
}

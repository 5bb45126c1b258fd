// Attention on the SIMD matmul: per (batch, head), scores and products are strided GEMMs; softmax and dS rows run in TS.
import type { AttentionGrads, AttentionOutput, AttentionSpec, Storage } from '../../backend';
import type { WasmKernels } from '../../wasm/kernels';
import { attentionBackwardKernel, attentionKernel } from '../reference/attention';
import type { WasmMemory } from './memory';

/** Heap pointers of one (batch, head) slice; rows of q/out/dOut are hq·d apart, rows of k/v hkv·d apart. */
interface Head {
  b: number;
  h: number;
  /** Offset (elements) of row 0 of this head in q-shaped [batch, tq, hq, d] tensors. */
  qOffset: number;
  /** Offset of row 0 of its kv head in [batch, kvRows, hkv, d] tensors. */
  kvOffset: number;
}

function forEachHead(spec: AttentionSpec, visit: (head: Head) => void): void {
  const { batch, tq, kvRows, hq, hkv, d } = spec;
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < hq; h++) {
      const kvHead = Math.floor(h / (hq / hkv));
      visit({ b, h, qOffset: (b * tq * hq + h) * d, kvOffset: (b * kvRows * hkv + kvHead) * d });
    }
  }
}

/** Shapes the GEMM path does not need to special-case (empty contractions) go to the reference kernels. */
function degenerate(spec: AttentionSpec): boolean {
  return spec.tk === 0 || spec.d === 0 || spec.tq === 0;
}

/** scores[i, :] = scale · q_i·k + mask, -Infinity where causality or the mask hides a key. */
function maskScores(scores: Float32Array, mask: Float32Array | null, spec: AttentionSpec, head: Head): void {
  const { tq, tk } = spec;
  const maskHead = (spec.maskBatch === 1 ? 0 : head.b) * spec.maskHeads + (spec.maskHeads === 1 ? 0 : head.h);
  for (let i = 0; i < tq; i++) {
    const row = i * tk;
    const maskRow = maskHead * tq * tk + row;
    const visible = spec.causal ? Math.min(tk, spec.queryOffset + i + 1) : tk;
    for (let j = 0; j < visible; j++) {
      scores[row + j] = (scores[row + j] as number) * spec.scale + (mask ? (mask[maskRow + j] as number) : 0);
    }
    scores.fill(-Infinity, row + Math.max(0, visible), row + tk);
  }
}

/** In place: scores → probabilities per row; writes each row's log-sum-exp (-Infinity and zeros when all hidden). */
function softmaxScores(scores: Float32Array, lse: Float32Array, lseStart: number, spec: AttentionSpec): void {
  const { tq, tk } = spec;
  for (let i = 0; i < tq; i++) {
    const row = i * tk;
    let max = -Infinity;
    for (let j = 0; j < tk; j++) max = Math.max(max, scores[row + j] as number);
    if (max === -Infinity) {
      scores.fill(0, row, row + tk);
      lse[lseStart + i] = -Infinity;
      continue;
    }
    let sum = 0;
    for (let j = 0; j < tk; j++) {
      const e = Math.exp((scores[row + j] as number) - max);
      scores[row + j] = e;
      sum += e;
    }
    for (let j = 0; j < tk; j++) scores[row + j] = (scores[row + j] as number) / sum;
    lse[lseStart + i] = max + Math.log(sum);
  }
}

/** In place: scores → probabilities from the saved log-sum-exp (no max/sum pass). */
function probabilitiesFromLse(
  scores: Float32Array,
  lse: Float32Array,
  lseStart: number,
  spec: AttentionSpec,
): void {
  const { tq, tk } = spec;
  for (let i = 0; i < tq; i++) {
    const rowLse = lse[lseStart + i] as number;
    const row = i * tk;
    if (rowLse === -Infinity) scores.fill(0, row, row + tk);
    else for (let j = 0; j < tk; j++) scores[row + j] = Math.exp((scores[row + j] as number) - rowLse);
  }
}

/** In place: dP → dS = scale · P ⊙ (dP − dO_i·O_i). */
function scoreGrads(
  grads: Float32Array,
  probs: Float32Array,
  out: Float32Array,
  dOut: Float32Array,
  spec: AttentionSpec,
  head: Head,
): void {
  const { tq, tk, hq, d } = spec;
  for (let i = 0; i < tq; i++) {
    const o = head.qOffset + i * hq * d;
    let rowDot = 0;
    for (let c = 0; c < d; c++) rowDot += (out[o + c] as number) * (dOut[o + c] as number);
    const row = i * tk;
    for (let j = 0; j < tk; j++) {
      grads[row + j] = spec.scale * (probs[row + j] as number) * ((grads[row + j] as number) - rowDot);
    }
  }
}

/** S = Q_h · K_hᵀ into `scores` (a [tq, tk] region). */
function scoresGemm(
  kernels: WasmKernels,
  spec: AttentionSpec,
  q: number,
  k: number,
  scores: number,
  head: Head,
): void {
  const { tq, tk, hq, hkv, d } = spec;
  const a = q + 4 * head.qOffset;
  const b = k + 4 * head.kvOffset;
  kernels.matmul({ a, lda: hq * d, b, ldb: hkv * d, transB: true, c: scores, m: tq, n: tk, k: d });
}

export function attention(
  kernels: WasmKernels,
  mem: WasmMemory,
  q: Storage,
  k: Storage,
  v: Storage,
  mask: Storage | null,
  spec: AttentionSpec,
): AttentionOutput {
  const { tq, tk, hq, hkv, d } = spec;
  const out = mem.alloc('f32', q.size);
  const logSumExp = mem.alloc('f32', spec.batch * hq * tq);
  const probs = mem.alloc('f32', degenerate(spec) ? 0 : tq * tk);
  const [outView, lseView, probsView, qs, ks, vs] = mem.floats(out, logSumExp, probs, q, k, v);
  const maskView = mask ? mem.float(mask) : null;
  if (degenerate(spec)) attentionKernel(qs, ks, vs, maskView, outView, lseView, spec);
  else {
    forEachHead(spec, (head) => {
      scoresGemm(kernels, spec, mem.ptr(q), mem.ptr(k), probs.ptr, head);
      maskScores(probsView, maskView, spec, head);
      softmaxScores(probsView, lseView, (head.b * hq + head.h) * tq, spec);
      const [b, c] = [mem.ptr(v) + 4 * head.kvOffset, out.ptr + 4 * head.qOffset];
      kernels.matmul({ a: probs.ptr, b, ldb: hkv * d, c, ldc: hq * d, m: tq, n: d, k: tk });
    });
  }
  mem.free(probs);
  return { out, logSumExp };
}

/** Per head: P from the saved LSE, dP = dO·Vᵀ, dS, then dQ = dS·K, dK += dSᵀ·Q, dV += Pᵀ·dO (GQA heads accumulate). */
export function attentionBackward(
  kernels: WasmKernels,
  mem: WasmMemory,
  inputs: {
    q: Storage;
    k: Storage;
    v: Storage;
    mask: Storage | null;
    out: Storage;
    logSumExp: Storage;
    dOut: Storage;
  },
  spec: AttentionSpec,
): AttentionGrads {
  const { q, k, v, mask, out, logSumExp, dOut } = inputs;
  const { tq, tk, hq, hkv, d } = spec;
  const [dq, dk, dv] = [mem.alloc('f32', q.size), mem.alloc('f32', k.size), mem.alloc('f32', v.size)];
  const scratch = degenerate(spec) ? 0 : tq * tk;
  const [probs, grads] = [mem.alloc('f32', scratch), mem.alloc('f32', scratch)];
  const [qs, ks, vs, outs, lse, dOuts] = mem.floats(q, k, v, out, logSumExp, dOut);
  const [dqs, dks, dvs, probsView, gradsView] = mem.floats(dq, dk, dv, probs, grads);
  const maskView = mask ? mem.float(mask) : null;
  if (degenerate(spec)) {
    const [dk64, dv64] = [new Float64Array(k.size), new Float64Array(v.size)];
    attentionBackwardKernel(qs, ks, vs, maskView, outs, lse, dOuts, dqs, dk64, dv64, spec);
    dks.set(dk64);
    dvs.set(dv64);
  } else {
    dks.fill(0);
    dvs.fill(0);
    forEachHead(spec, (head) => {
      const [qp, kp, vp, dOutp] = [mem.ptr(q), mem.ptr(k), mem.ptr(v), mem.ptr(dOut)];
      const [qHead, kvHead] = [4 * head.qOffset, 4 * head.kvOffset];
      scoresGemm(kernels, spec, qp, kp, probs.ptr, head);
      maskScores(probsView, maskView, spec, head);
      probabilitiesFromLse(probsView, lse, (head.b * hq + head.h) * tq, spec);
      kernels.matmul({
        a: dOutp + qHead,
        lda: hq * d,
        b: vp + kvHead,
        ldb: hkv * d,
        transB: true,
        c: grads.ptr,
        m: tq,
        n: tk,
        k: d,
      });
      scoreGrads(gradsView, probsView, outs, dOuts, spec, head);
      kernels.matmul({
        a: grads.ptr,
        b: kp + kvHead,
        ldb: hkv * d,
        c: dq.ptr + qHead,
        ldc: hq * d,
        m: tq,
        n: d,
        k: tk,
      });
      const transposed = { transA: true, lda: tk, m: tk, n: d, k: tq, ldc: hkv * d, accumulate: true };
      kernels.matmul({ ...transposed, a: grads.ptr, b: qp + qHead, ldb: hq * d, c: dk.ptr + kvHead });
      kernels.matmul({ ...transposed, a: probs.ptr, b: dOutp + qHead, ldb: hq * d, c: dv.ptr + kvHead });
    });
  }
  mem.free(probs);
  mem.free(grads);
  return { dq, dk, dv };
}

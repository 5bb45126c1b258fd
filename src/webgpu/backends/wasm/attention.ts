// Attention on the SIMD kernels: per (batch, head), scores and products are strided GEMMs, softmax and dS rows row kernels.
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

/** The head's [tq, tk] additive mask rows (heap pointer), or null. */
function maskOf(mem: WasmMemory, mask: Storage | null, spec: AttentionSpec, head: Head): number | null {
  if (!mask) return null;
  const maskHead = (spec.maskBatch === 1 ? 0 : head.b) * spec.maskHeads + (spec.maskHeads === 1 ? 0 : head.h);
  return mem.ptr(mask) + 4 * maskHead * spec.tq * spec.tk;
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
  if (degenerate(spec)) {
    const [outView, lseView, qs, ks, vs] = mem.floats(out, logSumExp, q, k, v);
    attentionKernel(qs, ks, vs, mask ? mem.float(mask) : null, outView, lseView, spec);
  } else {
    forEachHead(spec, (head) => {
      scoresGemm(kernels, spec, mem.ptr(q), mem.ptr(k), probs.ptr, head);
      const lse = logSumExp.ptr + 4 * (head.b * hq + head.h) * tq;
      kernels.attentionRows('softmax', probs.ptr, maskOf(mem, mask, spec, head), lse, spec);
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
  const [dks, dvs] = mem.floats(dk, dv);
  if (degenerate(spec)) {
    const [qs, ks, vs, outs, lse, dOuts, dqs] = mem.floats(q, k, v, out, logSumExp, dOut, dq);
    const [dk64, dv64] = [new Float64Array(k.size), new Float64Array(v.size)];
    attentionBackwardKernel(
      qs,
      ks,
      vs,
      mask ? mem.float(mask) : null,
      outs,
      lse,
      dOuts,
      dqs,
      dk64,
      dv64,
      spec,
    );
    dks.set(dk64);
    dvs.set(dv64);
  } else {
    dks.fill(0);
    dvs.fill(0);
    forEachHead(spec, (head) => {
      const [qp, kp, vp, dOutp] = [mem.ptr(q), mem.ptr(k), mem.ptr(v), mem.ptr(dOut)];
      const [qHead, kvHead] = [4 * head.qOffset, 4 * head.kvOffset];
      scoresGemm(kernels, spec, qp, kp, probs.ptr, head);
      const lse = mem.ptr(logSumExp) + 4 * (head.b * hq + head.h) * tq;
      kernels.attentionRows('probabilities', probs.ptr, maskOf(mem, mask, spec, head), lse, spec);
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
      const rows = { out: mem.ptr(out) + qHead, dOut: dOutp + qHead, rowStride: hq * d };
      kernels.attentionScoreGradRows(grads.ptr, probs.ptr, rows, spec);
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

// Attention's per-row passes for one (batch, head): masked scaled softmax with log-sum-exp, P from a saved log-sum-exp, dS.
import { expShiftedInto, maxOf, scale } from './elementwise';
import { horizontalSum } from './vmath';

/** Keys query i sees: all tk, or under causality those up to its absolute position queryOffset + i. */
function visibleKeys(i: i32, tk: i32, causal: bool, queryOffset: i32): i32 {
  return causal ? min(tk, max(0, queryOffset + i + 1)) : tk;
}

/** row[j] = row[j] · s + mask[j] for j < visible (mask = 0: none); row[visible..tk) = 0. */
function scaleAndMask(row: usize, mask: usize, visible: i32, tk: i32, s: f32): void {
  const vs = f32x4.splat(s);
  let j = 0;
  for (; j + 4 <= visible; j += 4) {
    const o = <usize>j * 4;
    const scaled = f32x4.mul(v128.load(row + o), vs);
    v128.store(row + o, mask != 0 ? f32x4.add(scaled, v128.load(mask + o)) : scaled);
  }
  for (; j < visible; j++) {
    const o = <usize>j * 4;
    store<f32>(row + o, load<f32>(row + o) * s + (mask != 0 ? load<f32>(mask + o) : 0));
  }
  memory.fill(row + <usize>visible * 4, 0, <usize>(tk - visible) * 4);
}

/**
 * In place over a [tq, tk] score matrix: scale, mask (a [tq, tk] additive mask, 0 = none) and causality, then the
 * row softmax; lse[i] gets each row's log-sum-exp (-∞ and a zero row when no key is visible). Hidden keys among the
 * visible ones (mask -∞) get e^-87 ≈ 1e-38 instead of 0 (the exp clamp): nothing the f32 products can see.
 */
export function attentionSoftmaxRows(
  scores: usize,
  mask: usize,
  tq: i32,
  tk: i32,
  s: f32,
  causal: bool,
  queryOffset: i32,
  lse: usize,
): void {
  for (let i = 0; i < tq; i++) {
    const row = scores + <usize>i * <usize>tk * 4;
    const visible = visibleKeys(i, tk, causal, queryOffset);
    scaleAndMask(row, mask != 0 ? mask + <usize>i * <usize>tk * 4 : 0, visible, tk, s);
    const rowMax = visible > 0 ? maxOf(row, visible) : -Infinity;
    if (rowMax == -Infinity) {
      memory.fill(row, 0, <usize>visible * 4);
      store<f32>(lse + <usize>i * 4, -Infinity);
      continue;
    }
    const sum = expShiftedInto(row, row, visible, rowMax);
    scale(row, row, visible, <f32>1 / sum);
    store<f32>(lse + <usize>i * 4, rowMax + Mathf.log(sum));
  }
}

/** In place: the same scale, mask and causality, then P = e^(score − lse[i]) from the forward's log-sum-exp. */
export function attentionProbabilityRows(
  scores: usize,
  mask: usize,
  tq: i32,
  tk: i32,
  s: f32,
  causal: bool,
  queryOffset: i32,
  lse: usize,
): void {
  for (let i = 0; i < tq; i++) {
    const row = scores + <usize>i * <usize>tk * 4;
    const visible = visibleKeys(i, tk, causal, queryOffset);
    scaleAndMask(row, mask != 0 ? mask + <usize>i * <usize>tk * 4 : 0, visible, tk, s);
    const rowLse = load<f32>(lse + <usize>i * 4);
    if (rowLse == -Infinity) memory.fill(row, 0, <usize>visible * 4);
    else expShiftedInto(row, row, visible, rowLse);
  }
}

/**
 * In place: dP → dS = s · P ⊙ (dP − O_i·dO_i) over a [tq, tk] matrix; out and dOut point at the head's row 0, rows
 * rowStride elements apart, d wide.
 */
export function attentionScoreGradRows(
  grads: usize,
  probs: usize,
  out: usize,
  dOut: usize,
  tq: i32,
  tk: i32,
  d: i32,
  rowStride: i32,
  s: f32,
): void {
  const vs = f32x4.splat(s);
  for (let i = 0; i < tq; i++) {
    const o = <usize>i * <usize>rowStride * 4;
    const rowDot = dotOf(out + o, dOut + o, d);
    const vdot = f32x4.splat(rowDot);
    const g = grads + <usize>i * <usize>tk * 4;
    const p = probs + <usize>i * <usize>tk * 4;
    let j = 0;
    for (; j + 4 <= tk; j += 4) {
      const c = <usize>j * 4;
      v128.store(g + c, f32x4.mul(vs, f32x4.mul(v128.load(p + c), f32x4.sub(v128.load(g + c), vdot))));
    }
    for (; j < tk; j++) {
      const c = <usize>j * 4;
      store<f32>(g + c, s * load<f32>(p + c) * (load<f32>(g + c) - rowDot));
    }
  }
}

/** Σ a·b over n elements. */
function dotOf(a: usize, b: usize, n: i32): f32 {
  let vsum = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    vsum = f32x4.add(vsum, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  let sum = horizontalSum(vsum);
  for (; i < n; i++) sum += load<f32>(a + <usize>i * 4) * load<f32>(b + <usize>i * 4);
  return sum;
}

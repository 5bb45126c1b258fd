// In-place AdamW on f32x4 lanes: decoupled decay, then the bias-corrected Adam step on the clipped gradient.
// No objects here (nor in any kernel): the stub runtime's allocator bumps from __heap_base, where the host's heap
// puts the matmul scratch, and never frees; an object per call once crept over the pool's control block.

/**
 * param ← param·(1 − lr·wd) − lr/bc1 · m / (√(v/bc2) + eps) with m, v the updated moments of grad · gradScale, over
 * n elements in place (torch.optim.AdamW's order).
 */
export function adamwUpdate(
  param: usize,
  grad: usize,
  m: usize,
  v: usize,
  n: i32,
  gradScale: f32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weightDecay: f32,
  biasCorrection1: f32,
  biasCorrection2: f32,
): void {
  const scale = f32x4.splat(gradScale);
  const b1 = f32x4.splat(beta1);
  const oneMinusB1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2);
  const oneMinusB2 = f32x4.splat(1 - beta2);
  const decay = f32x4.splat(1 - lr * weightDecay);
  const stepSize = f32x4.splat(lr / biasCorrection1);
  const inverseCorrection2 = f32x4.splat(1 / biasCorrection2);
  const epsilon = f32x4.splat(eps);
  let i = 0;
  for (; i < n; i += 4) {
    // The tail (fewer than 4 left) runs one lane at a time through the same arithmetic.
    const lanes = n - i >= 4 ? 4 : 1;
    const o = <usize>i * 4;
    const g = f32x4.mul(loadLanes(grad + o, lanes), scale);
    const mi = f32x4.add(f32x4.mul(b1, loadLanes(m + o, lanes)), f32x4.mul(oneMinusB1, g));
    const vi = f32x4.add(f32x4.mul(b2, loadLanes(v + o, lanes)), f32x4.mul(oneMinusB2, f32x4.mul(g, g)));
    const denominator = f32x4.add(f32x4.sqrt(f32x4.mul(vi, inverseCorrection2)), epsilon);
    const update = f32x4.div(f32x4.mul(stepSize, mi), denominator);
    storeLanes(m + o, mi, lanes);
    storeLanes(v + o, vi, lanes);
    storeLanes(param + o, f32x4.sub(f32x4.mul(loadLanes(param + o, lanes), decay), update), lanes);
    if (lanes == 1) i -= 3;
  }
}

function loadLanes(at: usize, lanes: i32): v128 {
  return lanes == 4 ? v128.load(at) : f32x4.splat(load<f32>(at));
}

function storeLanes(at: usize, value: v128, lanes: i32): void {
  if (lanes == 4) v128.store(at, value);
  else store<f32>(at, f32x4.extract_lane(value, 0));
}

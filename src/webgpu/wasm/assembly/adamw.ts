// In-place AdamW on f32x4 lanes: decoupled decay, then the bias-corrected Adam step on the clipped gradient.

/** The step's constants, each splat over four lanes. */
class AdamConstants {
  constructor(
    public gradScale: v128,
    public beta1: v128,
    public oneMinusBeta1: v128,
    public beta2: v128,
    public oneMinusBeta2: v128,
    public decay: v128,
    public stepSize: v128,
    public inverseCorrection2: v128,
    public eps: v128,
  ) {}
}

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
  const k = new AdamConstants(
    f32x4.splat(gradScale),
    f32x4.splat(beta1),
    f32x4.splat(1 - beta1),
    f32x4.splat(beta2),
    f32x4.splat(1 - beta2),
    f32x4.splat(1 - lr * weightDecay),
    f32x4.splat(lr / biasCorrection1),
    f32x4.splat(1 / biasCorrection2),
    f32x4.splat(eps),
  );
  let i = 0;
  for (; i + 4 <= n; i += 4) step(param, grad, m, v, <usize>i * 4, 4, k);
  for (; i < n; i++) step(param, grad, m, v, <usize>i * 4, 1, k);
}

/** One step on `lanes` (4, or 1 for the tail) elements at byte offset o. */
function step(param: usize, grad: usize, m: usize, v: usize, o: usize, lanes: i32, k: AdamConstants): void {
  const g = f32x4.mul(loadLanes(grad + o, lanes), k.gradScale);
  const mi = f32x4.add(f32x4.mul(k.beta1, loadLanes(m + o, lanes)), f32x4.mul(k.oneMinusBeta1, g));
  const vi = f32x4.add(
    f32x4.mul(k.beta2, loadLanes(v + o, lanes)),
    f32x4.mul(k.oneMinusBeta2, f32x4.mul(g, g)),
  );
  const denominator = f32x4.add(f32x4.sqrt(f32x4.mul(vi, k.inverseCorrection2)), k.eps);
  const update = f32x4.div(f32x4.mul(k.stepSize, mi), denominator);
  storeLanes(m + o, mi, lanes);
  storeLanes(v + o, vi, lanes);
  storeLanes(param + o, f32x4.sub(f32x4.mul(loadLanes(param + o, lanes), k.decay), update), lanes);
}

function loadLanes(at: usize, lanes: i32): v128 {
  return lanes == 4 ? v128.load(at) : f32x4.splat(load<f32>(at));
}

function storeLanes(at: usize, value: v128, lanes: i32): void {
  if (lanes == 4) v128.store(at, value);
  else store<f32>(at, f32x4.extract_lane(value, 0));
}

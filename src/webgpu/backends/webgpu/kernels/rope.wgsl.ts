// WGSL for rotary position embedding (rotate-half pairs, M-RoPE sections), forward or inverse rotation.
import type { Kernel } from '../pipelines';
import { perElement } from './common.wgsl';

/**
 * Params: 0 threads (batch·seq·heads·headDim/2), 1 batch, 2 seq, 3 heads, 4 headDim, 5 direction (+1 / -1 as f32),
 * 6 sections, section ends (cumulative frequency counts) at 8. Frequencies θ^(-2i/d) / 2π (turns per position)
 * come from the host in f64 rounded once to f32. sin/cos are our own (quadrant reduction in turns + Taylor to
 * degree 10, error < 1e-8): SwiftShader's builtins are off by up to ~2e-4 even on [-π, π].
 */
export const ROPE_SECTIONS_AT = 8;

const SIN_COS = /* wgsl */ `
// (sin, cos) of 2π·turns: quarter-turn reduction, then Taylor series on [-π/4, π/4].
fn sinCosTurns(turns: f32) -> vec2<f32> {
  let quarters = (turns - round(turns)) * 4.0;
  let q = round(quarters);
  let r = (quarters - q) * 1.5707963267948966;
  let r2 = r * r;
  let s = r * (1.0 - r2 / 6.0 * (1.0 - r2 / 20.0 * (1.0 - r2 / 42.0 * (1.0 - r2 / 72.0))));
  let c = 1.0 - r2 / 2.0 * (1.0 - r2 / 12.0 * (1.0 - r2 / 30.0 * (1.0 - r2 / 56.0 * (1.0 - r2 / 90.0))));
  switch ((i32(q) + 4) % 4) {
    case 0: { return vec2<f32>(s, c); }
    case 1: { return vec2<f32>(c, -s); }
    case 2: { return vec2<f32>(-s, -c); }
    default: { return vec2<f32>(-c, s); }
  }
}`;

export const ropeKernel: Kernel = {
  key: 'rope',
  source: () =>
    perElement(
      [
        ['x', 'f32', 'read'],
        ['positions', 'i32', 'read'],
        ['freqs', 'f32', 'read'],
        ['out', 'f32', 'read_write'],
      ],
      `let half = pu(4u) / 2u;
  let f = i % half;
  let h = (i / half) % pu(3u);
  let t = (i / (half * pu(3u))) % pu(2u);
  let b = i / (half * pu(3u) * pu(2u));
  var section = 0u;
  while (section + 1u < pu(6u) && f >= pu(${ROPE_SECTIONS_AT}u + section)) { section++; }
  let position = positions[(section * pu(1u) + b) * pu(2u) + t];
  let sc = sinCosTurns(f32(position) * freqs[f]);
  let cosA = sc.y;
  let sinA = pf(5u) * sc.x;
  let base = ((b * pu(2u) + t) * pu(3u) + h) * pu(4u);
  let x1 = x[base + f];
  let x2 = x[base + f + half];
  out[base + f] = x1 * cosA - x2 * sinA;
  out[base + f + half] = x2 * cosA + x1 * sinA;`,
      SIN_COS,
    ),
};

// Rotary position embedding on [batch, seq, heads, headDim] with explicit position ids per section (1-D or M-RoPE).
import { recordOp } from '../autograd';
import type { RopeSpec } from '../backend';
import { ShapeError, fmtShape } from '../errors';
import type { Tensor } from '../tensor';
import { backendOf, expectDType, expectRank, wrap } from './common';

export interface RopeOptions {
  /** Frequency base (10000 in Llama/Qwen2; 1e6 in Qwen2.5). */
  theta?: number;
  /**
   * How the headDim/2 frequencies split between position rows; default one section (1-D RoPE). Qwen2-VL M-RoPE:
   * [16, 24, 24] with positions [3, batch, seq] (temporal, height, width).
   */
  sections?: readonly number[];
}

/** Brings positions to [sections, batch, seq]: [seq] and [batch, seq] are shared by a single section. */
function positionsFor(positions: Tensor, sections: number, batch: number, seq: number): Tensor {
  const full = [sections, batch, seq];
  const backend = positions.backend;
  if (positions.rank === 3) {
    if (positions.shape.every((d, i) => d === full[i])) return positions.view(full);
  } else if (sections === 1 && (positions.rank === 1 || positions.rank === 2)) {
    const given = positions.rank === 1 ? [1, 1, seq] : [1, ...positions.shape];
    if (given[1] === batch || given[1] === 1) {
      if (given[2] === seq) return wrap(backend, backend.broadcast(positions.storage, given, full), full);
    }
  }
  throw new ShapeError('rope', `positions ${fmtShape(positions.shape)} do not fit ${fmtShape(full)}`);
}

export function rope(x: Tensor, positions: Tensor, options: RopeOptions = {}): Tensor {
  expectDType('rope', x, 'f32', 'x');
  expectDType('rope', positions, 'i32', 'positions');
  expectRank('rope', x, 4, 'x');
  const [batch, seq, heads, headDim] = x.shape as [number, number, number, number];
  const sections = options.sections ?? [headDim / 2];
  if (headDim % 2 !== 0 || sections.reduce((n, s) => n + s, 0) !== headDim / 2) {
    throw new ShapeError('rope', `sections ${fmtShape(sections)} must sum to headDim/2 = ${headDim / 2}`);
  }
  const backend = backendOf('rope', x, positions);
  const spec: RopeSpec = { batch, seq, heads, headDim, sections, theta: options.theta ?? 10000 };
  const fullPositions = positionsFor(positions, sections.length, batch, seq);
  const y = wrap(backend, backend.rope(x.storage, fullPositions.storage, spec, false), x.shape);
  // The rotation is orthogonal: its backward is the inverse rotation of dy.
  recordOp('rope', [x], [y], [fullPositions], ([dy], [savedPositions]) => {
    if (!dy || !savedPositions) return [null];
    return [wrap(backend, backend.rope(dy.storage, savedPositions.storage, spec, true), x.shape)];
  });
  fullPositions.dispose();
  return y;
}

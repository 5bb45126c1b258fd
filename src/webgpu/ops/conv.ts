// 2-D convolution (NCHW, weights [cOut, cIn, kh, kw]) with backward, and the ViT patch embedding built on it.
import { recordOp } from '../autograd';
import type { Conv2dSpec } from '../backend';
import { ShapeError, fmtShape } from '../errors';
import type { Tensor } from '../tensor';
import { backendOf, expectDType, expectRank, wrap } from './common';
import { add } from './elementwise';
import { permute, reshape } from './shape';

export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
}

function pair(value: number | [number, number] | undefined, fallback: number): [number, number] {
  if (value === undefined) return [fallback, fallback];
  return typeof value === 'number' ? [value, value] : value;
}

function specOf(x: Tensor, weight: Tensor, options: Conv2dOptions): Conv2dSpec {
  expectRank('conv2d', x, 4, 'x');
  expectRank('conv2d', weight, 4, 'weight');
  const [batch, cIn, height, width] = x.shape as [number, number, number, number];
  const [cOut, wIn, kh, kw] = weight.shape as [number, number, number, number];
  const [strideH, strideW] = pair(options.stride, 1);
  const [padH, padW] = pair(options.padding, 0);
  const outH = Math.floor((height + 2 * padH - kh) / strideH) + 1;
  const outW = Math.floor((width + 2 * padW - kw) / strideW) + 1;
  if (wIn !== cIn || outH < 1 || outW < 1) {
    throw new ShapeError(
      'conv2d',
      `x ${fmtShape(x.shape)} (NCHW) and weight ${fmtShape(weight.shape)} do not fit`,
    );
  }
  return { batch, cIn, height, width, cOut, kh, kw, strideH, strideW, padH, padW, outH, outW };
}

/** x [b, cIn, h, w] * weight [cOut, cIn, kh, kw] → [b, cOut, outH, outW]; add bias with `add` (broadcast). */
export function conv2d(x: Tensor, weight: Tensor, options: Conv2dOptions = {}): Tensor {
  expectDType('conv2d', x, 'f32', 'x');
  expectDType('conv2d', weight, 'f32', 'weight');
  const spec = specOf(x, weight, options);
  const backend = backendOf('conv2d', x, weight);
  const y = wrap(backend, backend.conv2d(x.storage, weight.storage, spec), [
    spec.batch,
    spec.cOut,
    spec.outH,
    spec.outW,
  ]);
  recordOp('conv2d', [x, weight], [y], [x, weight], ([dy], [sx, sw], [needX, needW]) => {
    if (!dy || !sx || !sw) return [null, null];
    return [
      needX ? wrap(backend, backend.conv2dBackwardInput(dy.storage, sw.storage, spec), x.shape) : null,
      needW ? wrap(backend, backend.conv2dBackwardWeight(sx.storage, dy.storage, spec), weight.shape) : null,
    ];
  });
  return y;
}

/**
 * Vision stem: non-overlapping patches of images [b, c, h, w] projected by weight [dim, c, p, p] (+ bias [dim])
 * → tokens [b, (h/p)(w/p), dim] in row-major patch order.
 */
export function patchEmbed(images: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  const patch = weight.shape[2] as number;
  const features = conv2d(images, weight, { stride: patch });
  const [batch, dim, gridH, gridW] = features.shape as [number, number, number, number];
  const flat = reshape(features, [batch, dim, gridH * gridW]);
  const tokens = permute(flat, [0, 2, 1]);
  features.dispose();
  flat.dispose();
  if (!bias) return tokens;
  const withBias = add(tokens, bias);
  tokens.dispose();
  return withBias;
}

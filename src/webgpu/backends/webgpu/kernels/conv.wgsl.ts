// WGSL for direct NCHW 2-D convolution: forward, input gradient, weight gradient (no im2col buffers).
import type { Kernel } from '../pipelines';
import { perElement } from './common.wgsl';

/**
 * Params: 0 threads, 1 batch, 2 cIn, 3 height, 4 width, 5 cOut, 6 kh, 7 kw, 8 strideH, 9 strideW, 10 padH,
 * 11 padW, 12 outH, 13 outW. Each thread owns one output element and loops over its taps.
 */
const SPEC = `let cIn = pu(2u); let H = pu(3u); let W = pu(4u); let cOut = pu(5u);
  let KH = pu(6u); let KW = pu(7u); let sH = pu(8u); let sW = pu(9u);
  let pH = i32(pu(10u)); let pW = i32(pu(11u)); let OH = pu(12u); let OW = pu(13u);`;

export const conv2dKernel: Kernel = {
  key: 'conv2d',
  source: () =>
    perElement(
      [
        ['x', 'f32', 'read'],
        ['w', 'f32', 'read'],
        ['out', 'f32', 'read_write'],
      ],
      `${SPEC}
  let ox = i % OW;
  let oy = (i / OW) % OH;
  let o = (i / (OW * OH)) % cOut;
  let b = i / (OW * OH * cOut);
  var acc = 0.0;
  for (var c = 0u; c < cIn; c++) {
    for (var ky = 0u; ky < KH; ky++) {
      let iy = i32(oy * sH + ky) - pH;
      if (iy < 0 || iy >= i32(H)) { continue; }
      for (var kx = 0u; kx < KW; kx++) {
        let ix = i32(ox * sW + kx) - pW;
        if (ix < 0 || ix >= i32(W)) { continue; }
        acc = acc + x[((b * cIn + c) * H + u32(iy)) * W + u32(ix)] * w[((o * cIn + c) * KH + ky) * KW + kx];
      }
    }
  }
  out[i] = acc;`,
    ),
};

/** dx[b, c, iy, ix] gathers the outputs whose taps touched it: oy = (iy + padH - ky) / strideH when exact. */
export const conv2dBackwardInputKernel: Kernel = {
  key: 'conv2d-backward-input',
  source: () =>
    perElement(
      [
        ['dy', 'f32', 'read'],
        ['w', 'f32', 'read'],
        ['dx', 'f32', 'read_write'],
      ],
      `${SPEC}
  let ix = i % W;
  let iy = (i / W) % H;
  let c = (i / (W * H)) % cIn;
  let b = i / (W * H * cIn);
  var acc = 0.0;
  for (var o = 0u; o < cOut; o++) {
    for (var ky = 0u; ky < KH; ky++) {
      let ty = i32(iy) + pH - i32(ky);
      if (ty < 0 || ty % i32(sH) != 0) { continue; }
      let oy = u32(ty) / sH;
      if (oy >= OH) { continue; }
      for (var kx = 0u; kx < KW; kx++) {
        let tx = i32(ix) + pW - i32(kx);
        if (tx < 0 || tx % i32(sW) != 0) { continue; }
        let ox = u32(tx) / sW;
        if (ox >= OW) { continue; }
        acc = acc + dy[((b * cOut + o) * OH + oy) * OW + ox] * w[((o * cIn + c) * KH + ky) * KW + kx];
      }
    }
  }
  dx[i] = acc;`,
    ),
};

/** dw[o, c, ky, kx] = Σ over batch and output pixels of dy · x at the tap's input pixel. */
export const conv2dBackwardWeightKernel: Kernel = {
  key: 'conv2d-backward-weight',
  source: () =>
    perElement(
      [
        ['x', 'f32', 'read'],
        ['dy', 'f32', 'read'],
        ['dw', 'f32', 'read_write'],
      ],
      `${SPEC}
  let kx = i % KW;
  let ky = (i / KW) % KH;
  let c = (i / (KW * KH)) % cIn;
  let o = i / (KW * KH * cIn);
  var acc = 0.0;
  for (var b = 0u; b < pu(1u); b++) {
    for (var oy = 0u; oy < OH; oy++) {
      let iy = i32(oy * sH + ky) - pH;
      if (iy < 0 || iy >= i32(H)) { continue; }
      for (var ox = 0u; ox < OW; ox++) {
        let ix = i32(ox * sW + kx) - pW;
        if (ix < 0 || ix >= i32(W)) { continue; }
        acc = acc + dy[((b * cOut + o) * OH + oy) * OW + ox] * x[((b * cIn + c) * H + u32(iy)) * W + u32(ix)];
      }
    }
  }
  dw[i] = acc;`,
    ),
};

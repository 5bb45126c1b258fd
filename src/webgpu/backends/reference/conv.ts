// Reference 2-D convolution in NCHW (weights [cOut, cIn, kh, kw]): forward, input gradient, weight gradient.
import type { Conv2dSpec } from '../../backend';
import type { FloatArray } from './arrays';
import { at } from './arrays';

/** Calls visit for every (output pixel, kernel tap) pair whose input pixel lies inside the image. */
function forEachTap(
  spec: Conv2dSpec,
  visit: (b: number, o: number, c: number, outIndex: number, inIndex: number, wIndex: number) => void,
): void {
  const { batch, cIn, height, width, cOut, kh, kw, outH, outW } = spec;
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < cOut; o++) {
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          const outIndex = ((b * cOut + o) * outH + oy) * outW + ox;
          for (let c = 0; c < cIn; c++) {
            for (let ky = 0; ky < kh; ky++) {
              const iy = oy * spec.strideH - spec.padH + ky;
              if (iy < 0 || iy >= height) continue;
              for (let kx = 0; kx < kw; kx++) {
                const ix = ox * spec.strideW - spec.padW + kx;
                if (ix < 0 || ix >= width) continue;
                visit(
                  b,
                  o,
                  c,
                  outIndex,
                  ((b * cIn + c) * height + iy) * width + ix,
                  ((o * cIn + c) * kh + ky) * kw + kx,
                );
              }
            }
          }
        }
      }
    }
  }
}

export function conv2dKernel(x: FloatArray, weight: FloatArray, out: FloatArray, spec: Conv2dSpec): void {
  const acc = new Float64Array(out.length);
  forEachTap(spec, (_b, _o, _c, outIndex, inIndex, wIndex) => {
    acc[outIndex] = at(acc, outIndex) + at(x, inIndex) * at(weight, wIndex);
  });
  out.set(acc);
}

export function conv2dBackwardInputKernel(
  dy: FloatArray,
  weight: FloatArray,
  dx: FloatArray,
  spec: Conv2dSpec,
): void {
  const acc = new Float64Array(dx.length);
  forEachTap(spec, (_b, _o, _c, outIndex, inIndex, wIndex) => {
    acc[inIndex] = at(acc, inIndex) + at(dy, outIndex) * at(weight, wIndex);
  });
  dx.set(acc);
}

export function conv2dBackwardWeightKernel(
  x: FloatArray,
  dy: FloatArray,
  dw: FloatArray,
  spec: Conv2dSpec,
): void {
  const acc = new Float64Array(dw.length);
  forEachTap(spec, (_b, _o, _c, outIndex, inIndex, wIndex) => {
    acc[wIndex] = at(acc, wIndex) + at(dy, outIndex) * at(x, inIndex);
  });
  dw.set(acc);
}

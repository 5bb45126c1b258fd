// Convolution on the SIMD GEMM: each image is unfolded into a patch matrix (im2col), so conv, its input gradient and its weight gradient are matmuls.
import type { Conv2dSpec, Storage } from '../../backend';
import type { WasmKernels } from '../../wasm/kernels';
import type { WasmMemory, WasmStorage } from './memory';

/** Rows of the patch matrix (one per input channel and kernel tap) and its columns (one per output pixel). */
function patchShape(spec: Conv2dSpec): { rows: number; cols: number } {
  return { rows: spec.cIn * spec.kh * spec.kw, cols: spec.outH * spec.outW };
}

/** A 1×1 kernel with stride 1 and no padding reads the image itself as its patch matrix: no copy needed. */
function isPointwise(spec: Conv2dSpec): boolean {
  const { kh, kw, strideH, strideW, padH, padW } = spec;
  return kh === 1 && kw === 1 && strideH === 1 && strideW === 1 && padH === 0 && padW === 0;
}

/**
 * Visits every (patch row, output row) pair: for patch row r = (c, ky, kx) and output row oy, the input row iy and
 * the first column of the output row. Taps that fall in the zero padding are reported with iy = -1.
 */
function forEachPatchRow(
  spec: Conv2dSpec,
  visit: (row: number, c: number, kx: number, iy: number, outRowStart: number) => void,
): void {
  const { cIn, kh, kw, height, outH, outW, strideH, padH } = spec;
  for (let c = 0; c < cIn; c++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        const row = (c * kh + ky) * kw + kx;
        for (let oy = 0; oy < outH; oy++) {
          const iy = oy * strideH - padH + ky;
          visit(row, c, kx, iy >= 0 && iy < height ? iy : -1, oy * outW);
        }
      }
    }
  }
}

/** The output columns [first, end) whose tap kx reads inside the image row (the rest read zero padding). */
function validColumns(spec: Conv2dSpec, kx: number): [number, number] {
  const { width, outW, strideW, padW } = spec;
  const first = Math.max(0, Math.ceil((padW - kx) / strideW));
  const end = Math.min(outW, Math.floor((width - 1 + padW - kx) / strideW) + 1);
  return [first, Math.max(first, end)];
}

/** Unfolds one image [cIn, H, W] into its patch matrix [cIn·kh·kw, outH·outW] (zeros where taps hit padding). */
function im2col(image: Float32Array, patches: Float32Array, spec: Conv2dSpec): void {
  const { height, width, outW, strideW, padW } = spec;
  const { cols } = patchShape(spec);
  forEachPatchRow(spec, (row, c, kx, iy, outRowStart) => {
    const dst = row * cols + outRowStart;
    const [first, end] = iy < 0 ? [outW, outW] : validColumns(spec, kx);
    if (first > 0) patches.fill(0, dst, dst + first);
    if (end < outW) patches.fill(0, dst + end, dst + outW);
    const src = (c * height + iy) * width - padW + kx;
    // A plain loop: subarray views per row cost more in allocation than the copy itself.
    for (let ox = first; ox < end; ox++) patches[dst + ox] = image[src + ox * strideW] as number;
  });
}

/** The adjoint of im2col: adds every patch-matrix entry back onto the input pixel it was read from. */
function col2imAdd(patches: Float32Array, image: Float32Array, spec: Conv2dSpec): void {
  const { height, width, strideW, padW } = spec;
  const { cols } = patchShape(spec);
  forEachPatchRow(spec, (row, c, kx, iy, outRowStart) => {
    if (iy < 0) return;
    const [first, end] = validColumns(spec, kx);
    const src = row * cols + outRowStart;
    const dst = (c * height + iy) * width - padW + kx;
    for (let ox = first; ox < end; ox++) {
      const i = dst + ox * strideW;
      image[i] = (image[i] as number) + (patches[src + ox] as number);
    }
  });
}

/** Runs `body` with a patch-matrix buffer on the heap (or none for pointwise kernels), freeing it afterwards. */
function withPatches<T>(mem: WasmMemory, spec: Conv2dSpec, body: (patches: WasmStorage | null) => T): T {
  if (isPointwise(spec)) return body(null);
  const { rows, cols } = patchShape(spec);
  const patches = mem.alloc('f32', rows * cols);
  try {
    return body(patches);
  } finally {
    mem.free(patches);
  }
}

/** The patch matrix of image b: unfolded into `patches`, or the image itself for a pointwise kernel. */
function patchesOf(
  mem: WasmMemory,
  x: Storage,
  b: number,
  patches: WasmStorage | null,
  spec: Conv2dSpec,
): number {
  const imageSize = spec.cIn * spec.height * spec.width;
  if (patches === null) return mem.ptr(x) + 4 * b * imageSize;
  im2col(mem.float(x).subarray(b * imageSize, (b + 1) * imageSize), mem.float(patches), spec);
  return patches.ptr;
}

/** y[b] = W [cOut, K] · patches(x[b]) [K, N]. */
export function conv2d(
  kernels: WasmKernels,
  mem: WasmMemory,
  x: Storage,
  weight: Storage,
  spec: Conv2dSpec,
): Storage {
  const { rows, cols } = patchShape(spec);
  const out = mem.alloc('f32', spec.batch * spec.cOut * cols);
  if (out.size === 0) return out;
  if (rows === 0) return zeroed(mem, out);
  withPatches(mem, spec, (patches) => {
    for (let b = 0; b < spec.batch; b++) {
      const pb = patchesOf(mem, x, b, patches, spec);
      const c = out.ptr + 4 * b * spec.cOut * cols;
      kernels.matmul({ a: mem.ptr(weight), b: pb, c, m: spec.cOut, k: rows, n: cols });
    }
  });
  return out;
}

/** dx[b] = col2im(Wᵀ · dy[b]). */
export function conv2dBackwardInput(
  kernels: WasmKernels,
  mem: WasmMemory,
  dy: Storage,
  weight: Storage,
  spec: Conv2dSpec,
): Storage {
  const { rows, cols } = patchShape(spec);
  const imageSize = spec.cIn * spec.height * spec.width;
  const dx = mem.alloc('f32', spec.batch * imageSize);
  if (dx.size === 0) return dx;
  if (spec.cOut === 0 || cols === 0) return zeroed(mem, dx);
  const pointwise = isPointwise(spec);
  if (!pointwise) mem.float(dx).fill(0);
  withPatches(mem, spec, (patches) => {
    for (let b = 0; b < spec.batch; b++) {
      const target = patches?.ptr ?? dx.ptr + 4 * b * imageSize;
      const a = mem.ptr(weight);
      const pdy = mem.ptr(dy) + 4 * b * spec.cOut * cols;
      kernels.matmul({ a, b: pdy, c: target, m: rows, k: spec.cOut, n: cols, transA: true });
      if (patches !== null) col2imAdd(mem.float(patches), mem.float(dx).subarray(b * imageSize), spec);
    }
  });
  return dx;
}

/** dW = Σ_b dy[b] [cOut, N] · patches(x[b])ᵀ, accumulated image by image. */
export function conv2dBackwardWeight(
  kernels: WasmKernels,
  mem: WasmMemory,
  x: Storage,
  dy: Storage,
  spec: Conv2dSpec,
): Storage {
  const { rows, cols } = patchShape(spec);
  const dw = mem.alloc('f32', spec.cOut * rows);
  if (dw.size === 0) return dw;
  if (spec.batch === 0 || cols === 0) return zeroed(mem, dw);
  withPatches(mem, spec, (patches) => {
    for (let b = 0; b < spec.batch; b++) {
      const pb = patchesOf(mem, x, b, patches, spec);
      const pdy = mem.ptr(dy) + 4 * b * spec.cOut * cols;
      kernels.matmul({
        a: pdy,
        b: pb,
        c: dw.ptr,
        m: spec.cOut,
        k: cols,
        n: rows,
        transB: true,
        accumulate: b > 0,
      });
    }
  });
  return dw;
}

function zeroed(mem: WasmMemory, out: WasmStorage): WasmStorage {
  mem.float(out).fill(0);
  return out;
}

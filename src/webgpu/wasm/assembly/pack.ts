// Packs blocks of A and B into the zero-padded, k-major panels the microkernel streams; quantised and f16 B are decoded here.
import { MR, NR } from './microkernel';

/**
 * How B is stored: plain f32 K×N, f32 N×K (transposed), int8/int4 N×K rows with per-group f32 scales along K, or
 * IEEE halves K×N / N×K (leading dimension in halves).
 */
export const B_F32: i32 = 0;
export const B_F32_TRANSPOSED: i32 = 1;
export const B_INT8: i32 = 2;
export const B_INT4: i32 = 3;
export const B_F16: i32 = 4;
export const B_F16_TRANSPOSED: i32 = 5;

/** 2^112: scales a half's exponent and mantissa bits, shifted into f32 position, from f16's bias to f32's. */
const HALF_TO_FLOAT_SCALE: f32 = 5.192296858534828e33;
/** A half's exponent field (all ones = Infinity or NaN) shifted into f32 position. */
const HALF_EXPONENT_MASK: u32 = 0x7c00 << 13;

/**
 * The smallest normal f32. Arithmetic on subnormals takes a microcode assist on x86 (10–100× slower per operation)
 * and wasm cannot switch on flush-to-zero, so packing flushes them: 10% subnormal inputs, as a softmax over a large
 * vocabulary gives its backward pass, made a GEMM 8× slower (docs/benchmarks.md). GPUs, WebGPU's included, flush too.
 */
const MIN_NORMAL: f32 = 1.17549435e-38;

/** Lanes with |x| below the smallest normal become +0; normal numbers, ±∞ and NaN pass unchanged. */
function flushSubnormals(v: v128): v128 {
  return v128.andnot(v, f32x4.lt(f32x4.abs(v), f32x4.splat(MIN_NORMAL)));
}

/** The scalar flushSubnormals. */
function flushSubnormal(x: f32): f32 {
  return abs(x) < MIN_NORMAL ? 0 : x;
}

/** Packs rows [i0, i0+mc) × k-range [p0, p0+kc) of A into ceil(mc/MR) panels of kc × MR floats. */
export function packA(
  a: usize,
  lda: i32,
  transA: bool,
  i0: i32,
  mc: i32,
  p0: i32,
  kc: i32,
  dst: usize,
): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    const panel = dst + <usize>(ir * kc) * 4;
    if (transA) packPanelOfColumns(a, lda, p0, i0 + ir, mr, kc, MR, panel);
    else packPanelOfRows(a, lda, i0 + ir, p0, mr, kc, MR, panel);
  }
}

/**
 * Packs k-range [p0, p0+kc) × columns [j0, j0+nc) of B into ceil(nc/NR) panels of kc × NR floats; quantised and
 * N×K f16 B need NR × kc floats of dequantRows scratch.
 */
export function packB(
  kind: i32,
  b: usize,
  ldb: i32,
  scales: usize,
  ldScales: i32,
  groupSize: i32,
  p0: i32,
  kc: i32,
  j0: i32,
  nc: i32,
  dst: usize,
  dequantRows: usize,
): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const panel = dst + <usize>(jr * kc) * 4;
    const j = j0 + jr;
    if (kind == B_F32) packPanelOfColumns(b, ldb, p0, j, nr, kc, NR, panel);
    else if (kind == B_F32_TRANSPOSED) packPanelOfRows(b, ldb, j, p0, nr, kc, NR, panel);
    else if (kind == B_F16) packHalfPanelOfColumns(b, ldb, p0, j, nr, kc, panel);
    else if (kind == B_F16_TRANSPOSED) packHalfPanelOfRows(b, ldb, j, nr, p0, kc, panel, dequantRows);
    else packQuantizedPanel(kind, b, ldb, scales, ldScales, groupSize, j, nr, p0, kc, panel, dequantRows);
  }
}

/**
 * Source element (r, p) at src[(r0 + r) * ld + p0 + p] — rows contiguous along k — goes to panel[p * width + r].
 * Four rows at a time are read as f32x4 along k and transposed in registers, so both sides stay vectorised.
 */
function packPanelOfRows(
  src: usize,
  ld: i32,
  r0: i32,
  p0: i32,
  rows: i32,
  kc: i32,
  width: i32,
  panel: usize,
): void {
  if (rows < width) memory.fill(panel, 0, <usize>(kc * width) * 4);
  const rowBytes = <usize>ld * 4;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const s0 = src + (<usize>(r0 + r) * <usize>ld + <usize>p0) * 4;
    transpose4RowsInto(s0, rowBytes, kc, panel + <usize>r * 4, <usize>width * 4);
  }
  for (; r < rows; r++) {
    const s = src + (<usize>(r0 + r) * <usize>ld + <usize>p0) * 4;
    for (let p = 0; p < kc; p++)
      store<f32>(panel + <usize>(p * width + r) * 4, flushSubnormal(load<f32>(s + <usize>p * 4)));
  }
}

/** Writes four source rows (kc floats each, rowBytes apart) as kc groups of 4 floats, dstStride bytes apart. */
function transpose4RowsInto(s0: usize, rowBytes: usize, kc: i32, dst: usize, dstStride: usize): void {
  const s1 = s0 + rowBytes;
  const s2 = s1 + rowBytes;
  const s3 = s2 + rowBytes;
  let p = 0;
  let d = dst;
  for (; p + 4 <= kc; p += 4) {
    const o = <usize>p * 4;
    const r0 = flushSubnormals(v128.load(s0 + o));
    const r1 = flushSubnormals(v128.load(s1 + o));
    const r2 = flushSubnormals(v128.load(s2 + o));
    const r3 = flushSubnormals(v128.load(s3 + o));
    const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
    const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
    const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
    const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
    v128.store(d, i64x2.shuffle(t0, t1, 0, 2));
    v128.store(d + dstStride, i64x2.shuffle(t0, t1, 1, 3));
    v128.store(d + dstStride * 2, i64x2.shuffle(t2, t3, 0, 2));
    v128.store(d + dstStride * 3, i64x2.shuffle(t2, t3, 1, 3));
    d += dstStride * 4;
  }
  for (; p < kc; p++) {
    const o = <usize>p * 4;
    store<f32>(d, flushSubnormal(load<f32>(s0 + o)));
    store<f32>(d, flushSubnormal(load<f32>(s1 + o)), 4);
    store<f32>(d, flushSubnormal(load<f32>(s2 + o)), 8);
    store<f32>(d, flushSubnormal(load<f32>(s3 + o)), 12);
    d += dstStride;
  }
}

/** Source element (p, c) at src[(p0 + p) * ld + c0 + c] — k is the outer index — goes to panel[p * width + c]. */
function packPanelOfColumns(
  src: usize,
  ld: i32,
  p0: i32,
  c0: i32,
  cols: i32,
  kc: i32,
  width: i32,
  panel: usize,
): void {
  const rowBytes = <usize>ld * 4;
  let s = src + (<usize>p0 * <usize>ld + <usize>c0) * 4;
  let d = panel;
  const widthBytes = <usize>width * 4;
  if (cols == 8 && width == 8) {
    for (let p = 0; p < kc; p++) {
      v128.store(d, flushSubnormals(v128.load(s)));
      v128.store(d, flushSubnormals(v128.load(s, 16)), 16);
      s += rowBytes;
      d += widthBytes;
    }
    return;
  }
  for (let p = 0; p < kc; p++) {
    for (let c = 0; c < width; c++)
      store<f32>(d + <usize>c * 4, c < cols ? flushSubnormal(load<f32>(s + <usize>c * 4)) : 0);
    s += rowBytes;
    d += widthBytes;
  }
}

/**
 * Dequantises weight rows [j, j+nr) × k-range [p0, p0+kc) into one NR-wide panel. Weights are N×K rows of
 * int8 (ldb bytes apart) or int4 nibbles (low nibble = even k, value q-8), scaled per group of groupSize along k;
 * scales are f32 rows ldScales apart. Rows are first expanded contiguously into `rows` (NR × kc floats, all SIMD
 * stores), then transposed into the panel four rows at a time: two vector passes beat one pass of lane stores.
 */
function packQuantizedPanel(
  kind: i32,
  w: usize,
  ldb: i32,
  scales: usize,
  ldScales: i32,
  groupSize: i32,
  j: i32,
  nr: i32,
  p0: i32,
  kc: i32,
  panel: usize,
  rows: usize,
): void {
  for (let r = 0; r < nr; r++) {
    const row = w + <usize>(j + r) * <usize>ldb;
    const scaleRow = scales + <usize>(j + r) * <usize>ldScales * 4;
    dequantRow(kind, row, scaleRow, groupSize, p0, kc, rows + <usize>(r * kc) * 4);
  }
  packPanelOfRows(rows, kc, 0, 0, nr, kc, NR, panel);
}

/** Weights [p0, p0+kc) of one row, group by group, as contiguous f32. */
function dequantRow(
  kind: i32,
  row: usize,
  scaleRow: usize,
  groupSize: i32,
  p0: i32,
  kc: i32,
  dst: usize,
): void {
  let p = p0;
  const end = p0 + kc;
  while (p < end) {
    const group = p / groupSize;
    const groupEnd = min(end, (group + 1) * groupSize);
    const scale = load<f32>(scaleRow + <usize>group * 4);
    const out = dst + <usize>(p - p0) * 4;
    if (kind == B_INT8) dequantInt8Run(row, p, groupEnd - p, scale, out);
    else dequantInt4Run(row, p, groupEnd - p, scale, out);
    p = groupEnd;
  }
}

/** count int8 weights from row[p…] times scale, as contiguous f32 at dst. */
function dequantInt8Run(row: usize, p: i32, count: i32, scale: f32, dst: usize): void {
  let src = row + <usize>p;
  let d = dst;
  let i = 0;
  const vscale = f32x4.splat(scale);
  for (; i + 16 <= count; i += 16) {
    storeSixteen(v128.load(src), vscale, d);
    src += 16;
    d += 64;
  }
  for (; i < count; i++) {
    store<f32>(d, <f32>load<i8>(src) * scale);
    src += 1;
    d += 4;
  }
}

/** count int4 weights starting at k = p (two per byte, low nibble first) minus the zero point 8, times scale. */
function dequantInt4Run(row: usize, p: i32, count: i32, scale: f32, dst: usize): void {
  let d = dst;
  let q = p;
  const end = p + count;
  if (q & 1 && q < end) {
    store<f32>(d, <f32>(<i32>(load<u8>(row + <usize>(q >> 1)) >> 4) - 8) * scale);
    q++;
    d += 4;
  }
  const vscale = f32x4.splat(scale);
  const lowNibbles = i8x16.splat(15);
  const eight = i8x16.splat(8);
  for (; q + 16 <= end; q += 16) {
    // Eight bytes hold sixteen weights: split nibbles, interleave them back into k order, recentre on zero.
    const bytes = v128.load64_zero(row + <usize>(q >> 1));
    const low = v128.and(bytes, lowNibbles);
    const high = i8x16.shr_u(bytes, 4);
    const ordered = i8x16.shuffle(low, high, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    storeSixteen(i8x16.sub(ordered, eight), vscale, d);
    d += 64;
  }
  for (; q < end; q++) {
    const byte = <i32>load<u8>(row + <usize>(q >> 1));
    const nibble = q & 1 ? byte >> 4 : byte & 15;
    store<f32>(d, <f32>(nibble - 8) * scale);
    d += 4;
  }
}

/** Sixteen signed bytes → sixteen f32 times scale, stored contiguously. */
function storeSixteen(bytes: v128, vscale: v128, d: usize): void {
  const lowWords = i16x8.extend_low_i8x16_s(bytes);
  const highWords = i16x8.extend_high_i8x16_s(bytes);
  v128.store(d, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lowWords)), vscale));
  v128.store(d, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lowWords)), vscale), 16);
  v128.store(d, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(highWords)), vscale), 32);
  v128.store(d, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(highWords)), vscale), 48);
}

/**
 * f16 B stored K×N: half (p, c) at src[(p0 + p) * ld + c0 + c] goes to panel[p * NR + c] as f32. A full panel
 * row is eight halves, one 16-byte load widened into two f32x4 stores.
 */
function packHalfPanelOfColumns(
  src: usize,
  ld: i32,
  p0: i32,
  c0: i32,
  cols: i32,
  kc: i32,
  panel: usize,
): void {
  const rowBytes = <usize>ld * 2;
  let s = src + (<usize>p0 * <usize>ld + <usize>c0) * 2;
  let d = panel;
  if (cols == NR) {
    for (let p = 0; p < kc; p++) {
      const halves = v128.load(s);
      v128.store(d, halvesToFloats(i32x4.extend_low_i16x8_u(halves)));
      v128.store(d, halvesToFloats(i32x4.extend_high_i16x8_u(halves)), 16);
      s += rowBytes;
      d += <usize>NR * 4;
    }
    return;
  }
  for (let p = 0; p < kc; p++) {
    for (let c = 0; c < NR; c++) {
      store<f32>(d + <usize>c * 4, c < cols ? halfToFloat(<u32>load<u16>(s + <usize>c * 2)) : 0);
    }
    s += rowBytes;
    d += <usize>NR * 4;
  }
}

/**
 * f16 B stored N×K (weight rows, ld halves apart): rows [j, j+nr) × k-range [p0, p0+kc) are widened contiguously
 * into `rows` (NR × kc floats), then transposed into the panel four rows at a time, as for quantised weights.
 */
function packHalfPanelOfRows(
  w: usize,
  ld: i32,
  j: i32,
  nr: i32,
  p0: i32,
  kc: i32,
  panel: usize,
  rows: usize,
): void {
  for (let r = 0; r < nr; r++) {
    const src = w + (<usize>(j + r) * <usize>ld + <usize>p0) * 2;
    widenHalves(src, kc, rows + <usize>(r * kc) * 4);
  }
  packPanelOfRows(rows, kc, 0, 0, nr, kc, NR, panel);
}

/** count consecutive halves at src as f32 at dst, eight per vector step. */
function widenHalves(src: usize, count: i32, dst: usize): void {
  let s = src;
  let d = dst;
  let i = 0;
  for (; i + 8 <= count; i += 8) {
    const halves = v128.load(s);
    v128.store(d, halvesToFloats(i32x4.extend_low_i16x8_u(halves)));
    v128.store(d, halvesToFloats(i32x4.extend_high_i16x8_u(halves)), 16);
    s += 16;
    d += 32;
  }
  for (; i < count; i++) {
    store<f32>(d, halfToFloat(<u32>load<u16>(s)));
    s += 2;
    d += 4;
  }
}

/**
 * Four halves (zero-extended into u32 lanes) → four f32, exactly. Exponent and mantissa shifted into f32 position
 * read as a float 2^112 too small, for normals and subnormals alike (wasm keeps subnormals), so one multiply fixes
 * them; an all-ones exponent (Infinity, NaN) instead gets f32's all-ones exponent; the sign moves to bit 31.
 */
function halvesToFloats(h: v128): v128 {
  const magnitude = i32x4.shl(v128.and(h, i32x4.splat(0x7fff)), 13);
  const scaled = f32x4.mul(magnitude, f32x4.splat(HALF_TO_FLOAT_SCALE));
  const special = i32x4.ge_u(magnitude, i32x4.splat(HALF_EXPONENT_MASK));
  const infOrNan = v128.or(magnitude, i32x4.splat(0x7f800000));
  const sign = i32x4.shl(v128.and(h, i32x4.splat(0x8000)), 16);
  return v128.or(v128.bitselect(infOrNan, scaled, special), sign);
}

/** One half → f32, the scalar form of halvesToFloats for row tails and panel edges. */
function halfToFloat(h: u32): f32 {
  const magnitude = (h & 0x7fff) << 13;
  const value =
    magnitude >= HALF_EXPONENT_MASK
      ? reinterpret<f32>(magnitude | 0x7f800000)
      : reinterpret<f32>(magnitude) * HALF_TO_FLOAT_SCALE;
  return reinterpret<f32>(reinterpret<u32>(value) | ((h & 0x8000) << 16));
}

// The register-blocked 4×8 f32 SIMD microkernel every matmul variant ends in: C tile += packed A panel · packed B panel.

/**
 * Rows of C one microkernel call produces. 4×8 = 8 accumulators + 2 B vectors + splat + product temp = 12 of x64's
 * 16 vector registers; measured here 6×8 and 5×8 spill under V8 and ran 25–40 % slower, k-unrolling ×4 did not help.
 */
export const MR: i32 = 4;
/** Columns of C one microkernel call produces: two f32x4 vectors. */
export const NR: i32 = 8;

/**
 * C[0..4, 0..8] = (accumulate ? C : 0) + Σ_p Apanel[p][0..4] ⊗ Bpanel[p][0..8].
 * A panel is k-major with 4 floats per step, B panel k-major with 8 floats per step (both zero-padded by packing),
 * so the loop has no edge cases; partial tiles are handled by the caller through a scratch tile.
 */
export function kernel4x8(
  kc: i32,
  aPanel: usize,
  bPanel: usize,
  c: usize,
  ldcBytes: usize,
  accumulate: bool,
): void {
  let c00 = f32x4.splat(0),
    c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0),
    c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0),
    c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0),
    c31 = f32x4.splat(0);
  let ap = aPanel;
  let bp = bPanel;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    ap += 16;
    bp += 32;
  }
  let row = c;
  storeRow(row, c00, c01, accumulate);
  row += ldcBytes;
  storeRow(row, c10, c11, accumulate);
  row += ldcBytes;
  storeRow(row, c20, c21, accumulate);
  row += ldcBytes;
  storeRow(row, c30, c31, accumulate);
}

function storeRow(row: usize, lo: v128, hi: v128, accumulate: bool): void {
  if (accumulate) {
    lo = f32x4.add(lo, v128.load(row));
    hi = f32x4.add(hi, v128.load(row, 16));
  }
  v128.store(row, lo);
  v128.store(row, hi, 16);
}

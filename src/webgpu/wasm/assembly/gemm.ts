// The blocked GEMM driver (GotoBLAS loop order): packs B blocks once, A blocks per B block, and tiles C with the microkernel.
import { MR, NR, kernel4x8 } from './microkernel';
import { packA, packB } from './pack';

/** k-block: a B micro-panel (KC × NR floats = 8 KiB) stays in L1 while the A block streams past it. */
const KC: i32 = 256;
/** m-block: the packed A block (MC × KC floats = 128 KiB) stays in L2. */
const MC: i32 = 128;
/** n-block: the packed B block (KC × NC floats = 1 MiB) lives in L2/L3 and is reused by every A block. */
const NC: i32 = 1024;

const PACKED_A_BYTES: usize = <usize>(MC * KC) * 4;
const PACKED_B_BYTES: usize = <usize>(KC * NC) * 4;
const TILE_BYTES: usize = <usize>(MR * NR) * 4;
const DEQUANT_BYTES: usize = <usize>(NR * KC) * 4;

/** Bytes of scratch one gemm call needs (packed A, packed B, an edge tile, dequantised rows); one per thread. */
export function gemmScratchBytes(): usize {
  return PACKED_A_BYTES + PACKED_B_BYTES + TILE_BYTES + DEQUANT_BYTES;
}

/**
 * C[m×n] = op(A)[m×k] · op(B)[k×n] (+ C when accumulate). Leading dimensions are in elements (bytes for quantised B,
 * halves for f16 B).
 * bKind selects how B is read (see pack.ts); scales/ldScales/groupSize only matter for quantised B.
 */
export function gemm(
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  lda: i32,
  transA: bool,
  bKind: i32,
  b: usize,
  ldb: i32,
  scales: usize,
  ldScales: i32,
  groupSize: i32,
  c: usize,
  ldc: i32,
  accumulate: bool,
  scratch: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) zeroMatrix(c, ldc, m, n);
    return;
  }
  const packedA = scratch;
  const packedB = scratch + PACKED_A_BYTES;
  const tile = packedB + PACKED_B_BYTES;
  const dequantRows = tile + TILE_BYTES;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB(bKind, b, ldb, scales, ldScales, groupSize, pc, kc, jc, nc, packedB, dequantRows);
      // Later k-blocks add onto what the earlier ones wrote.
      const addToC = accumulate || pc > 0;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(a, lda, transA, ic, mc, pc, kc, packedA);
        const cBlock = c + (<usize>ic * <usize>ldc + <usize>jc) * 4;
        multiplyPackedBlock(mc, nc, kc, packedA, packedB, cBlock, ldc, addToC, tile);
      }
    }
  }
}

/** Runs the microkernel over every MR×NR tile of one mc×nc block of C. */
function multiplyPackedBlock(
  mc: i32,
  nc: i32,
  kc: i32,
  packedA: usize,
  packedB: usize,
  c: usize,
  ldc: i32,
  addToC: bool,
  tile: usize,
): void {
  const ldcBytes = <usize>ldc * 4;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const bPanel = packedB + <usize>(jr * kc) * 4;
    for (let ir = 0; ir < mc; ir += MR) {
      const mr = min(MR, mc - ir);
      const aPanel = packedA + <usize>(ir * kc) * 4;
      const cTile = c + (<usize>ir * <usize>ldc + <usize>jr) * 4;
      if (mr == MR && nr == NR) kernel4x8(kc, aPanel, bPanel, cTile, ldcBytes, addToC);
      else edgeTile(mr, nr, kc, aPanel, bPanel, cTile, ldcBytes, addToC, tile);
    }
  }
}

/** A partial tile goes through a full-size scratch tile so the microkernel never writes outside C. */
function edgeTile(
  mr: i32,
  nr: i32,
  kc: i32,
  aPanel: usize,
  bPanel: usize,
  cTile: usize,
  ldcBytes: usize,
  addToC: bool,
  tile: usize,
): void {
  const tileLd: usize = <usize>NR * 4;
  kernel4x8(kc, aPanel, bPanel, tile, tileLd, false);
  for (let i = 0; i < mr; i++) {
    const src = tile + <usize>i * tileLd;
    const dst = cTile + <usize>i * ldcBytes;
    for (let j = 0; j < nr; j++) {
      const o = <usize>j * 4;
      const value = load<f32>(src + o);
      store<f32>(dst + o, addToC ? load<f32>(dst + o) + value : value);
    }
  }
}

function zeroMatrix(c: usize, ldc: i32, m: i32, n: i32): void {
  for (let i = 0; i < m; i++) memory.fill(c + <usize>i * <usize>ldc * 4, 0, <usize>n * 4);
}

// The plain-JavaScript peer: C = A·B as an ikj triple loop over Float32Arrays (what the engine would do without wasm).

export function jsMatmul(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
): void {
  c.fill(0);
  for (let i = 0; i < m; i++) {
    const rowC = i * n;
    for (let p = 0; p < k; p++) {
      const aValue = a[i * k + p]!;
      const rowB = p * n;
      for (let j = 0; j < n; j++) c[rowC + j]! += aValue * b[rowB + j]!;
    }
  }
}

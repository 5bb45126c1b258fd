// WGSL shared by every kernel: the parameter uniform, buffer declarations and the per-element kernel template.

/** Threads per workgroup for per-element and per-row kernels. */
export const WG = 64;

/**
 * Parameters live in one 256-byte uniform slot as u32 words (f32 / i32 are bitcast): one layout for all kernels, so
 * the recorder can pack every dispatch of a batch into one arena. Workgroups may be spread over x/y/z (large
 * dispatches): flatWorkgroup rebuilds the linear id.
 */
export const PRELUDE = /* wgsl */ `
struct Params { w: array<vec4<u32>, 16> }
@group(0) @binding(0) var<uniform> params: Params;
fn pu(i: u32) -> u32 { return params.w[i >> 2u][i & 3u]; }
fn pi(i: u32) -> i32 { return bitcast<i32>(pu(i)); }
fn pf(i: u32) -> f32 { return bitcast<f32>(pu(i)); }
fn flatWorkgroup(wid: vec3<u32>, nwg: vec3<u32>) -> u32 { return (wid.z * nwg.y + wid.y) * nwg.x + wid.x; }
`;

export type Access = 'read' | 'read_write';
/** A storage binding: name, WGSL element type, access. Bindings are numbered from 1 in list order. */
export type Binding = [name: string, type: string, access: Access];

export function declare(bindings: readonly Binding[]): string {
  return bindings
    .map(
      ([name, type, access], i) =>
        `@group(0) @binding(${i + 1}) var<storage, ${access}> ${name}: array<${type}>;`,
    )
    .join('\n');
}

/** One thread per element: `i` is the element index; params word 0 holds the element count. */
export function perElement(bindings: readonly Binding[], body: string, helpers = ''): string {
  return `${PRELUDE}
${declare(bindings)}
${helpers}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flatWorkgroup(wid, nwg) * ${WG}u + lid;
  if (i >= pu(0u)) { return; }
  ${body}
}`;
}

/**
 * One workgroup per row with tree reductions in workgroup memory. `row`, `lid` are in scope; params word 0 holds
 * the row count. wgSum / wgMax must be called from uniform control flow (they contain barriers).
 */
export function perRow(bindings: readonly Binding[], body: string, helpers = ''): string {
  return `${PRELUDE}
${declare(bindings)}
var<workgroup> red: array<f32, ${WG}>;
fn wgSum(v: f32, lid: u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
fn wgMax(v: f32, lid: u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { red[lid] = max(red[lid], red[lid + s]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
${helpers}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = flatWorkgroup(wid, nwg);
  if (row >= pu(0u)) { return; }
  ${body}
}`;
}

/** Decodes flat index `flat` over a shape at params[shapeAt..] into offsets with the given stride slots. */
export function stridedOffsets(rankSlot: number, shapeAt: number, strideSlots: readonly number[]): string {
  const vars = strideSlots.map((_, s) => `var off${s} = 0u;`).join(' ');
  const adds = strideSlots.map((at, s) => `off${s} = off${s} + c * pu(${at}u + d);`).join(' ');
  return `${vars}
  var rem = flat;
  for (var k = 0u; k < pu(${rankSlot}u); k++) {
    let d = pu(${rankSlot}u) - 1u - k;
    let dim = pu(${shapeAt}u + d);
    let c = rem % dim;
    rem = rem / dim;
    ${adds}
  }`;
}

// Splits a workgroup count over x/y/z so no dimension exceeds maxComputeWorkgroupsPerDimension.

export type Grid = [number, number, number];

/** A linear count of workgroups as an (x, y, z) grid; kernels rebuild the linear id and skip ids past the count. */
export function linearGrid(workgroups: number, maxPerDimension: number): Grid {
  const x = Math.max(1, Math.min(workgroups, maxPerDimension));
  const rest = Math.ceil(workgroups / x);
  const y = Math.min(rest, maxPerDimension);
  const z = Math.ceil(rest / y);
  if (z > maxPerDimension) throw new RangeError(`dispatch of ${workgroups} workgroups is too large`);
  return [x, y, z];
}

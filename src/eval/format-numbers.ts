// Number formatting shared by the table and the progress line: fixed decimals, percentages, and a mark for "no value".

/** Shown where a mean has no samples (e.g. a level with n = 0, or a policy without uncertainty). */
export const NO_VALUE = '—';

export function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined ? NO_VALUE : value.toFixed(digits);
}

/** 0..1 as a percentage with two decimals, the way the paper reports gIoU and cIoU. */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? NO_VALUE : (100 * value).toFixed(2);
}

/** Seconds with one decimal from milliseconds. */
export function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

// The sam suite's figures: median and quartiles per stage, time ratios against the baselines, score agreement, table.
import { formatTable, median } from '../harness';
import type { StageResults, StageSamples } from './timing';

export interface Summary {
  median: number;
  q1: number;
  q3: number;
  n: number;
}

/** One contender's row: where it ran, its stage summaries, and how it compares to the baselines. */
export interface SamRow {
  name: string;
  where: 'Node' | 'Chromium';
  encode: Summary;
  decode: Summary;
  postprocess: Summary | null;
  /** Median time over the baseline's median time, per baseline (> 1 = slower than the baseline). */
  encodeRatio: Record<string, number>;
  decodeRatio: Record<string, number>;
  /** Largest |IoU score − the first baseline's| over the scenes: the same weights give the same scores. */
  scoreDifference: number;
}

export interface ContenderGroup {
  where: SamRow['where'];
  results: StageResults;
}

/** Linear-interpolated quantile of unsorted values. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const [low, high] = [Math.floor(position), Math.ceil(position)];
  const [a, b] = [sorted[low] ?? NaN, sorted[high] ?? NaN];
  return a + (b - a) * (position - low);
}

function summarise(values: number[]): Summary {
  return { median: median(values), q1: quantile(values, 0.25), q3: quantile(values, 0.75), n: values.length };
}

function largestDifference(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((scores, scene) =>
    scores.forEach((s, k) => (worst = Math.max(worst, Math.abs(s - (b[scene]?.[k] ?? NaN))))),
  );
  return worst;
}

/** Rows in group order; `baselines` name contenders (the first one also anchors the score agreement). */
export function samRows(groups: ContenderGroup[], baselines: string[]): SamRow[] {
  const all = new Map<string, StageSamples>(groups.flatMap((g) => Object.entries(g.results)));
  const present = baselines.filter((b) => all.has(b));
  const ratios = (samples: StageSamples, stage: 'encode' | 'decode') =>
    Object.fromEntries(
      present.map((b) => [b, median(samples[stage]) / median((all.get(b) as StageSamples)[stage])]),
    );
  return groups.flatMap(({ where, results }) =>
    Object.entries(results).map(([name, samples]) => ({
      name,
      where,
      encode: summarise(samples.encode),
      decode: summarise(samples.decode),
      postprocess: samples.postprocess.length ? summarise(samples.postprocess) : null,
      encodeRatio: ratios(samples, 'encode'),
      decodeRatio: ratios(samples, 'decode'),
      scoreDifference: largestDifference(samples.scores, all.get(present[0] ?? '')?.scores ?? []),
    })),
  );
}

/** Milliseconds with 3 significant-ish digits. */
export function formatMs(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

function spread(summary: Summary | null): string {
  return summary ? `${formatMs(summary.median)} [${formatMs(summary.q1)}–${formatMs(summary.q3)}]` : '–';
}

function ratio(value: number | undefined): string {
  return value === undefined ? '' : `${value.toFixed(2)}×`;
}

/** ms as "median [q1–q3]"; ratio columns are time ratios against each baseline. */
export function formatSamTable(rows: SamRow[], baselines: string[]): string {
  const header = [
    'contender',
    'where',
    'encode / image',
    'decode / prompt',
    'post-process',
    ...baselines.flatMap((b) => [`encode ÷ ${b}`, `decode ÷ ${b}`]),
    `|Δscore| vs ${baselines[0] ?? ''}`,
  ];
  const body = rows.map((row) => [
    row.name,
    row.where,
    spread(row.encode),
    spread(row.decode),
    spread(row.postprocess),
    ...baselines.flatMap((b) => [ratio(row.encodeRatio[b]), ratio(row.decodeRatio[b])]),
    row.scoreDifference.toExponential(1),
  ]);
  return formatTable(header, body);
}

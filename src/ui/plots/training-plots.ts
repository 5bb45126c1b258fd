// The Training panel's live charts (Observable Plot) over a run's step records: reward mean ± std and accuracy, words
// per level, length factor, KL and clip fraction, step time, tokens/s.
import * as Plot from '@observablehq/plot';
import { DIFFICULTY_LEVELS } from '../../rl';
import type { StepRecord } from '../../workers/protocol';
import { PLOT_STYLE } from './theme';

const SMALL = { height: 150, marginLeft: 44, marginBottom: 30, style: PLOT_STYLE };

interface Point {
  step: number;
  value: number;
  series: string;
}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** One line's points: the steps where `pick` gives a finite value. */
export function seriesOf(
  records: readonly StepRecord[],
  series: string,
  pick: (r: StepRecord) => number | null | undefined,
): Point[] {
  return records.flatMap((r) => {
    const value = pick(r);
    return finite(value) ? [{ step: r.step, value, series }] : [];
  });
}

function frame(records: readonly StepRecord[]) {
  const last = Math.max(1, ...records.map((r) => r.step));
  return { x: { domain: [0, last], label: 'step →' } };
}

function linesPlot(
  records: readonly StepRecord[],
  lines: Point[][],
  width: number,
  label: string,
  options: { y?: Plot.ScaleOptions; legend?: boolean } = {},
): SVGSVGElement | HTMLElement {
  const points = lines.flat();
  return Plot.plot({
    ...SMALL,
    width,
    ...frame(records),
    y: { label, grid: true, ...options.y },
    color: { legend: options.legend ?? lines.length > 1 },
    marks: [
      Plot.line(points, { x: 'step', y: 'value', stroke: 'series', strokeWidth: 2 }),
      Plot.dot(points, {
        x: 'step',
        y: 'value',
        fill: 'series',
        r: 2.5,
        title: (p: Point) => `${p.series} ${p.value.toPrecision(3)}`,
      }),
    ],
  });
}

/** Reward mean with its ± std band, and the mean accuracy reward R_acc (0..5). */
export function rewardChart(records: readonly StepRecord[], width: number): SVGSVGElement | HTMLElement {
  const band = records.filter((r) => finite(r.rewardMean) && finite(r.rewardStd));
  const mean = seriesOf(records, 'reward', (r) => r.rewardMean);
  const accuracy = seriesOf(records, 'R_acc', (r) => r.overall.accuracy);
  return Plot.plot({
    ...SMALL,
    width,
    ...frame(records),
    y: { domain: [0, 5], label: '↑ reward', grid: true },
    color: { legend: true, domain: ['reward', 'R_acc'] },
    marks: [
      Plot.areaY(band, {
        x: 'step',
        y1: (r: StepRecord) => Math.max(0, r.rewardMean - r.rewardStd),
        y2: (r: StepRecord) => r.rewardMean + r.rewardStd,
        fill: 'currentColor',
        fillOpacity: 0.15,
        className: 'reward-band',
      }),
      Plot.line([...mean, ...accuracy], { x: 'step', y: 'value', stroke: 'series', strokeWidth: 2 }),
      Plot.dot(mean, { x: 'step', y: 'value', fill: 'series', r: 2.5, className: 'reward-point' }),
    ],
  });
}

/** Mean words of the responses per difficulty level. */
export function lengthChart(records: readonly StepRecord[], width: number): SVGSVGElement | HTMLElement {
  const lines = DIFFICULTY_LEVELS.map((level) => seriesOf(records, level, (r) => r.byLevel[level].words));
  return linesPlot(records, lines, width, '↑ words', { legend: true });
}

export function factorChart(records: readonly StepRecord[], width: number): SVGSVGElement | HTMLElement {
  return linesPlot(
    records,
    [seriesOf(records, 'length factor', (r) => r.overall.lengthFactor)],
    width,
    '↑ factor',
    {
      y: { domain: [0, 1.05] },
    },
  );
}

export function klChart(records: readonly StepRecord[], width: number): SVGSVGElement | HTMLElement {
  return linesPlot(
    records,
    [seriesOf(records, 'KL', (r) => r.kl), seriesOf(records, 'clip fraction', (r) => r.clipFraction)],
    width,
    '↑ KL, clip fraction',
  );
}

export function timeChart(records: readonly StepRecord[], width: number): SVGSVGElement | HTMLElement {
  return linesPlot(
    records,
    [seriesOf(records, 'step', (r) => r.ms / 1000), seriesOf(records, 'rollout', (r) => r.rolloutMs / 1000)],
    width,
    '↑ seconds',
  );
}

export function speedChart(records: readonly StepRecord[], width: number): SVGSVGElement | HTMLElement {
  return linesPlot(
    records,
    [
      seriesOf(records, 'step tok/s', (r) => r.tokensPerSecond),
      seriesOf(records, 'rollout tok/s', (r) => r.rolloutTokensPerSecond),
    ],
    width,
    '↑ tokens/s',
  );
}

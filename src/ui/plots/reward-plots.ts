// The reward inspector's two small plots (Observable Plot): budget against difficulty, length factor against length.
import * as Plot from '@observablehq/plot';
import type { DifficultyLevel, RewardParams } from '../../rl';
import { budgetSeries, DIFFICULTY_DOMAIN, factorCurves, factorRange } from './series';
import { PLOT_STYLE, tauLines } from './theme';

const SMALL = { height: 150, marginLeft: 40, marginBottom: 32, style: PLOT_STYLE };

/** Budget B against (effective) difficulty: L_low when easy, none when medium, L_base..L_base+α when hard. */
export function budgetPlot(params: RewardParams, width: number): SVGSVGElement | HTMLElement {
  const series = budgetSeries(params);
  const levelLine = (level: DifficultyLevel) =>
    Plot.line(
      series.filter((s) => s.level === level),
      {
        x: 'x',
        y: 'atZero',
        stroke: 'currentColor',
        strokeWidth: 2,
        className: `budget-line level ${level}`,
      },
    );
  const hard = series.filter((s) => s.level === 'hard');
  const none = series.filter((s) => s.atZero === null);
  const top = Math.max(10, ...series.map((s) => s.atOne ?? 0)) * 1.15;
  return Plot.plot({
    ...SMALL,
    width,
    x: { domain: DIFFICULTY_DOMAIN, label: params.gamma < 1 ? 'effective difficulty →' : 'difficulty →' },
    y: { domain: [0, top], label: '↑ budget', grid: true },
    marks: [
      Plot.areaY(hard, {
        x: 'x',
        y1: 'atZero',
        y2: 'atOne',
        fill: 'currentColor',
        fillOpacity: 0.3,
        className: 'level hard',
        title: () => 'hard: L_base + α·u for u from 0 to 1',
      }),
      levelLine('easy'),
      levelLine('hard'),
      ...tauLines(params),
      Plot.text(none.length ? [none[Math.floor(none.length / 2)]!] : [], {
        x: 'x',
        y: top / 2,
        text: () => (params.preset === 'seg-zero' ? 'Seg-Zero: no budget' : 'no budget'),
        fill: 'currentColor',
        className: 'muted',
      }),
    ],
  });
}

/** Length factor s against length L for each branch's budget, and the chosen response's own (L, s). */
export function factorPlot(
  params: RewardParams,
  current: { length: number; factor: number; level: DifficultyLevel } | null,
  width: number,
): SVGSVGElement | HTMLElement {
  const curves = factorCurves(params, factorRange(params, current?.length ?? 0));
  return Plot.plot({
    ...SMALL,
    width,
    x: { label: `length (${params.lengthMode === 'words' ? 'words' : 'reasoning tokens'}) →` },
    y: { domain: [0, 1.05], label: '↑ factor', grid: true },
    marks: [
      ...curves.map((curve) =>
        Plot.line(curve.points, {
          x: 'length',
          y: 'factor',
          stroke: 'currentColor',
          strokeWidth: curve.level === 'medium' ? 1 : 2,
          strokeDasharray: curve.label.endsWith('u = 1') ? '5 3' : undefined,
          className: `factor-line level ${curve.level}`,
          title: () => `${curve.label}: budget ${curve.budget === null ? 'none' : curve.budget.toFixed(0)}`,
        }),
      ),
      Plot.dot(current ? [current] : [], {
        x: 'length',
        y: 'factor',
        r: 4,
        fill: 'currentColor',
        stroke: 'var(--text)',
        className: `factor-current level ${current?.level ?? ''}`,
        title: () => `this response: L = ${current?.length}, factor ${current?.factor.toFixed(3)}`,
      }),
    ],
  });
}

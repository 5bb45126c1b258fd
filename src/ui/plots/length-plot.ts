// The length-vs-difficulty scatter (Observable Plot): one dot per result, τ lines, and the budget bands.
import * as Plot from '@observablehq/plot';
import type { RewardParams } from '../../rl';
import { budgetBands, DIFFICULTY_DOMAIN, sameUnit, type LengthPoint, type LengthUnit } from './series';
import { PLOT_STYLE, tauLines } from './theme';

/** Tags each dot with its result, level class, filled/hollow look and whether it is open; dots are drawn in index order. */
function tagPoints(points: LengthPoint[], openId: number | null): Plot.RenderFunction {
  return (index, scales, values, dimensions, context, next) => {
    const group = next!(index, scales, values, dimensions, context)!;
    index.forEach((i, k) => {
      const element = group.children[k];
      const point = points[i];
      if (!element || !point) return;
      const correct = point.correct === null ? 'unknown' : point.correct ? 'yes' : 'no';
      element.setAttribute('class', `result-point level ${point.level}`);
      element.setAttribute('data-result-id', String(point.id));
      element.setAttribute('data-correct', correct);
      element.setAttribute('fill', point.correct ? 'currentColor' : 'none');
      if (point.correct === null) element.setAttribute('stroke-dasharray', '2 2');
      element.setAttribute('tabindex', '0');
      element.setAttribute('role', 'button');
      element.setAttribute('aria-label', `Open result ${point.id}: ${point.query}`);
      if (point.id === openId) element.setAttribute('aria-current', 'true');
    });
    return group;
  };
}

export function lengthPlot(
  points: LengthPoint[],
  params: RewardParams,
  unit: LengthUnit,
  openId: number | null,
  width: number,
): SVGSVGElement | HTMLElement {
  const bands = sameUnit(unit, params) ? budgetBands(params) : [];
  const top = Math.max(10, ...points.map((p) => p.y), ...bands.map((b) => b.y2)) * 1.08;
  return Plot.plot({
    width,
    height: 300,
    marginLeft: 48,
    style: PLOT_STYLE,
    x: {
      domain: DIFFICULTY_DOMAIN,
      label: params.gamma < 1 ? 'effective difficulty d_eff →' : 'difficulty →',
    },
    y: {
      domain: [0, top],
      label: unit === 'words' ? '↑ length (words of the response)' : '↑ reasoning length (tokens in <think>)',
      grid: true,
    },
    marks: [
      ...bands.map((band) =>
        Plot.rect([band], {
          x1: 'x1',
          x2: 'x2',
          y1: 'y1',
          y2: 'y2',
          fill: 'currentColor',
          fillOpacity: band.level === 'easy' ? 0.12 : 0.3,
          className: `budget-band budget-${band.level} level ${band.level}`,
        }),
      ),
      ...tauLines(params),
      Plot.dot(points, {
        x: 'x',
        y: 'y',
        r: 5,
        stroke: 'currentColor',
        strokeWidth: 2,
        fill: 'none',
        title: 'title',
        render: tagPoints(points, openId),
      }),
    ],
  });
}

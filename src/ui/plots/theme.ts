// What every plot shares: the dark theme's text and background, and the τ1/τ2 lines coloured by the level they start.
import * as Plot from '@observablehq/plot';
import type { RewardParams } from '../../rl';

export const PLOT_STYLE = { background: 'transparent', color: 'var(--text)', fontSize: '11px' };

/** Vertical τ2 (medium from) and τ1 (hard from) lines; the classes let tests and styles find them. */
export function tauLines(params: RewardParams): Plot.Markish[] {
  return [
    Plot.ruleX([params.tau2], {
      stroke: 'currentColor',
      strokeDasharray: '4 3',
      className: 'tau-line tau2-line level medium',
      title: () => `τ2 = ${params.tau2}`,
    }),
    Plot.ruleX([params.tau1], {
      stroke: 'currentColor',
      strokeDasharray: '4 3',
      className: 'tau-line tau1-line level hard',
      title: () => `τ1 = ${params.tau1}`,
    }),
  ];
}

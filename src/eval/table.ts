// The per-level results table as plain text: one row per difficulty level and one overall, plus what the run was.
import { DIFFICULTY_LEVELS } from '../rl/index';
import type { RewardParams } from '../rl/index';
import { fixed, percent, seconds } from './format-numbers';
import { STAGES } from './timing';
import type { EvalSummary, LevelReport } from './types';

interface Column {
  header: string;
  cell: (report: LevelReport) => string;
}

/** The harness's stages first, in pipeline order, then whatever else the runners reported. */
function stageNames(summary: EvalSummary): string[] {
  const reported = new Set(Object.keys(summary.overall.meanTimingsMs));
  const known: string[] = [STAGES.render, STAGES.generate, STAGES.segment].filter((s) => reported.has(s));
  const others = [...reported].filter((stage) => !known.includes(stage)).sort();
  return [...known, ...others];
}

function columns(summary: EvalSummary): Column[] {
  const stages = stageNames(summary).map((stage): Column => ({
    header: `${stage} ms`,
    cell: (r) => fixed(r.meanTimingsMs[stage], 2),
  }));
  return [
    { header: 'n', cell: (r) => String(r.count) },
    { header: 'gIoU', cell: (r) => percent(r.gIoU) },
    { header: 'cIoU', cell: (r) => percent(r.cIoU) },
    { header: 'reward', cell: (r) => fixed(r.meanReward, 3) },
    { header: 'R_acc', cell: (r) => fixed(r.meanAccuracy, 3) },
    { header: 'words', cell: (r) => fixed(r.meanWords, 1) },
    { header: 'tokens', cell: (r) => fixed(r.meanTokens, 1) },
    { header: 'think tok', cell: (r) => fixed(r.meanReasoningTokens, 1) },
    { header: 'u', cell: (r) => fixed(r.meanUncertainty, 3) },
    { header: 'unparsed', cell: (r) => String(r.unparsed) },
    ...stages,
    { header: 'tok/s', cell: (r) => fixed(r.tokensPerSecond, 0) },
  ];
}

function alignRows(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => row[c]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))),
    )
    .map((row) => row.join('  ').trimEnd())
    .join('\n');
}

export function describeReward(params: RewardParams): string {
  const length = params.lengthMode === 'words' ? 'whitespace words of the response' : 'reasoning tokens';
  if (params.preset === 'seg-zero') return 'reward: seg-zero preset (accuracy only, no length factor)';
  return (
    `reward: pixelthink preset, τ1 ${params.tau1}, τ2 ${params.tau2}, γ ${params.gamma}, ` +
    `L_low ${params.lowBudget}, L_base ${params.baseBudget}, α ${params.alpha}, β ${params.beta}; L = ${length}`
  );
}

function describeRun(summary: EvalSummary): string[] {
  const last = summary.offset + summary.count - 1;
  return [
    `policy ${summary.policy.id} (${summary.policy.renderSize} px) × segmenter ${summary.segmenter.id} ` +
      `(${summary.segmenter.renderSize} px) on ${summary.split} [${summary.offset}..${last}]: ` +
      `${summary.count} samples in ${seconds(summary.wallMs)} s`,
    describeReward(summary.rewardParams),
    `tokens: ${summary.policy.tokenCounting}`,
    'gIoU, cIoU in %; reward, R_acc (0..5), words, tokens, think tok (tokens inside <think>), u and stage ' +
      'times (ms) are means per sample; tok/s = Σ tokens / Σ generate time',
  ];
}

/** The run description, a blank line, then the table. */
export function formatSummaryTable(summary: EvalSummary): string {
  const cols = columns(summary);
  const header = ['level', ...cols.map((c) => c.header)];
  const levelRows = DIFFICULTY_LEVELS.map((level) => [
    level,
    ...cols.map((c) => c.cell(summary.byLevel[level])),
  ]);
  const overall = ['overall', ...cols.map((c) => c.cell(summary.overall))];
  return [...describeRun(summary), '', alignRows([header, ...levelRows, overall])].join('\n');
}

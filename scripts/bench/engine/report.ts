// Prints the engine suite's tables (GFLOP/s for matmul, ms for the rest, speed-ups of our wasm backend over each peer, weight formats).
import { formatTable } from '../harness';
import type { EngineRow } from './results';

/** Speed-up of `ours` over `peer` (peer ms / our ms), blank when either is missing. */
function ratio(row: EngineRow, ours: string, peer: string): string {
  const [a, b] = [row.ms[ours], row.ms[peer]];
  return a !== undefined && b !== undefined ? `${(b / a).toFixed(2)}×` : '';
}

function cell(row: EngineRow, name: string, rate: boolean): string {
  const value = rate ? row.gflops[name] : row.ms[name];
  if (value === undefined) return '';
  return rate ? value.toFixed(2) : value < 10 ? value.toFixed(2) : value.toFixed(0);
}

/** One table per section; `names` are the contender columns in order, the first two being our 1-thread and N-thread wasm. */
export function formatSection(rows: EngineRow[], names: string[], rate: boolean): string {
  const peers = names.filter((n) => rows.some((r) => r.ms[n] !== undefined));
  const [one, all] = [peers[0] ?? '', peers[1] ?? ''];
  const others = peers.slice(2);
  const header = [
    rate ? 'case (GFLOP/s)' : 'case (ms)',
    ...peers,
    `${all} vs 1t`,
    ...others.map((p) => `1t vs ${p}`),
    ...others.map((p) => `${all.replace('wasm ', '')} vs ${p}`),
  ];
  const body = rows.map((row) => [
    row.label,
    ...peers.map((name) => cell(row, name, rate)),
    ratio(row, all, one),
    ...others.map((p) => ratio(row, one, p)),
    ...others.map((p) => ratio(row, all, p)),
  ]);
  return formatTable(header, body);
}

/** GFLOP/s and ms of our WebGPU backend against one peer, with the speed-up. */
export function formatGpuSection(rows: EngineRow[], ours: string, peer: string): string {
  const header = [
    'case (browser, SwiftShader)',
    `${ours} ms`,
    `${peer} ms`,
    `${ours} GFLOP/s`,
    `${peer} GFLOP/s`,
    `${ours} vs ${peer}`,
  ];
  const body = rows.map((row) => [
    row.label,
    cell(row, ours, false),
    cell(row, peer, false),
    cell(row, ours, true),
    cell(row, peer, true),
    ratio(row, ours, peer),
  ]);
  return formatTable(header, body);
}

/**
 * Packed weights against f32 per shape and backend: matmul rows labelled `<shape> <dtype>` regrouped by shape, each
 * cell a time ratio (< 1 = faster than the denominator). Shapes without packed rows are left out.
 */
export function formatWeightFormats(rows: EngineRow[], names: string[]): string {
  const byShape = new Map<string, Map<string, EngineRow>>();
  for (const row of rows) {
    const split = row.label.lastIndexOf(' ');
    const [shape, dtype] = [row.label.slice(0, split), row.label.slice(split + 1)];
    byShape.set(shape, (byShape.get(shape) ?? new Map<string, EngineRow>()).set(dtype, row));
  }
  const pairs = [
    ['int8', 'f32'],
    ['f16', 'f32'],
    ['f16', 'int8'],
  ] as const;
  const backends = names.filter((name) => rows.some((r) => r.ms[name] !== undefined));
  const header = ['case (time ratio)', ...backends.flatMap((b) => pairs.map(([x, y]) => `${b} ${x}/${y}`))];
  const body = [...byShape]
    .filter(([, dtypes]) => dtypes.has('f16'))
    .map(([shape, dtypes]) => [
      shape,
      ...backends.flatMap((backend) =>
        pairs.map(([x, y]) => {
          const [a, b] = [dtypes.get(x)?.ms[backend], dtypes.get(y)?.ms[backend]];
          return a !== undefined && b !== undefined ? (a / b).toFixed(2) : '';
        }),
      ),
    ]);
  return formatTable(header, body);
}

// Prints the engine suite's tables (GFLOP/s for matmul, ms for the rest, speed-ups of our wasm backend over each peer).
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

// Node side of the WebGPU figures: serves webgpu-page.html with Vite, opens it in Chromium (playwright-core), collects.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from '../../../tests/chromium';
import { rowOf, type EngineRow } from './results';
import type { GpuPageResult } from './webgpu-cases';

const VITE = './node_modules/.bin/vite';
const PAGE = 'scripts/bench/engine/webgpu-page.html';
const PAGE_TIMEOUT_MS = 600_000;

export interface WebGpuFigures {
  adapter: string;
  rows: EngineRow[];
  error?: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitForServer(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`vite exited with code ${child.exitCode}`);
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`vite did not answer at ${url}`);
}

/** Runs the page in Chromium's WebGPU (SwiftShader here) and converts its medians into suite rows. */
export async function benchWebGpu(): Promise<WebGpuFigures> {
  const port = await freePort();
  // Started directly (not through npx) so that killing this pid stops the server.
  const server = spawn(VITE, ['--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const browser = await chromium.launch({ headless: true, ...chromiumLaunchOptions() });
  try {
    const url = `http://127.0.0.1:${port}/${PAGE}`;
    await waitForServer(url, server);
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => window.engineBench !== undefined, undefined, {
      timeout: PAGE_TIMEOUT_MS,
    });
    const result = (await page.evaluate(() => window.engineBench)) as GpuPageResult;
    const rows = result.cases.map((c) => rowOf('webgpu', c.label, c.flops, new Map(Object.entries(c.ms))));
    return { adapter: result.adapter, rows, ...(result.error ? { error: result.error } : {}) };
  } finally {
    await browser.close();
    server.kill('SIGTERM');
  }
}

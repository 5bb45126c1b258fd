// Node side of the sam suite's browser half: serves page.html with Vite's dev server, runs it in Chromium, collects.
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { chromiumLaunchOptions } from '../../../tests/chromium';
import type { SamPageResult } from './timing';

const PAGE = 'scripts/bench/sam/page.html';
const PAGE_TIMEOUT_MS = 900_000;

/** The page's samples for `scenes` test scenes × `passes`; a failure to start becomes the result's error. */
export async function benchBrowser(scenes: number, passes: number): Promise<SamPageResult> {
  const server = await createServer({ logLevel: 'warn', server: { host: '127.0.0.1' } });
  const browser = await chromium.launch({ headless: true, ...chromiumLaunchOptions() });
  try {
    await server.listen();
    const base = server.resolvedUrls?.local[0];
    if (!base) throw new Error('vite did not report its address');
    const page = await browser.newPage();
    await page.goto(`${base}${PAGE}?scenes=${scenes}&passes=${passes}`);
    await page.waitForFunction(() => window.samBench !== undefined, undefined, {
      timeout: PAGE_TIMEOUT_MS,
    });
    return (await page.evaluate(() => window.samBench)) as SamPageResult;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { adapter: 'none', wasmThreads: 0, results: {}, errors: { browser: reason } };
  } finally {
    await browser.close();
    await server.close();
  }
}

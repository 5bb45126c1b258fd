// Runs a suite's benchmark page in Debian's Chromium (served by Vite's dev server) and returns what it leaves on window.
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { chromiumLaunchOptions } from '../../tests/chromium';

const PAGE_TIMEOUT_MS = 900_000;

/**
 * Opens `page` (a path from the repository root) with `search`, waits until the page sets `window[resultKey]`, and
 * returns it; the page reports its own failures there, and a failure to start rejects.
 */
export async function runBenchPage<T>(page: string, search: URLSearchParams, resultKey: string): Promise<T> {
  const server = await createServer({ logLevel: 'warn', server: { host: '127.0.0.1' } });
  const browser = await chromium.launch({ headless: true, ...chromiumLaunchOptions() });
  try {
    await server.listen();
    const base = server.resolvedUrls?.local[0];
    if (!base) throw new Error('vite did not report its address');
    const tab = await browser.newPage();
    await tab.goto(`${base}${page}?${search}`);
    await tab.waitForFunction((key) => key in window, resultKey, { timeout: PAGE_TIMEOUT_MS });
    return (await tab.evaluate((key) => (window as unknown as Record<string, unknown>)[key], resultKey)) as T;
  } finally {
    await browser.close();
    await server.close();
  }
}

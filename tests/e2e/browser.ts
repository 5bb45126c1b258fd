// Helpers for end-to-end tests: launch Debian's Chromium through playwright-core and watch the console.
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumLaunchOptions } from '../chromium';

export const SCREENSHOTS = 'test-results/e2e';

export async function launch(opts: { webgpu?: boolean } = {}): Promise<Browser> {
  return chromium.launch({ headless: true, ...chromiumLaunchOptions(opts) });
}

/** Opens a page that records console errors and uncaught exceptions, which the tests assert are none. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(url);
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

/** Types a value into a reward slider's number box and commits it, as a keyboard user would. */
export async function setSlider(page: Page, testid: string, value: number): Promise<void> {
  const box = page.getByTestId(`${testid}-number`);
  await box.fill(String(value));
  await box.press('Enter');
}

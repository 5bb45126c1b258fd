// End-to-end test of keyboard use: every control has a name, Tab reaches the query box, Enter runs, arrows move sliders.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launch, openPage, screenshot } from './browser';

const baseUrl = inject('baseUrl');

/** Controls (visible, enabled or not) whose accessible name is empty: a label, aria-label, title or own text. */
function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const controls = [
      ...document.querySelectorAll<HTMLElement>('button, input, select, textarea, [role="button"]'),
    ];
    return controls
      .filter((el) => el.offsetParent !== null)
      .filter((el) => {
        const labels = (el as HTMLInputElement).labels;
        const labelled = labels && [...labels].some((l) => l.textContent?.trim());
        const byId = el.getAttribute('aria-labelledby');
        const named =
          labelled ||
          (byId && document.getElementById(byId)?.textContent?.trim()) ||
          el.getAttribute('aria-label')?.trim() ||
          el.getAttribute('title')?.trim() ||
          (el.tagName === 'BUTTON' && el.textContent?.trim());
        return !named;
      })
      .map((el) => el.outerHTML.slice(0, 120));
  });
}

/** Presses Tab until the element with `testid` has focus (at most `limit` presses). */
async function tabTo(page: Page, testid: string, limit = 120): Promise<number> {
  for (let presses = 1; presses <= limit; presses++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((id) => document.activeElement?.getAttribute('data-testid') === id, testid))
      return presses;
  }
  throw new Error(`${testid} not reached in ${limit} Tab presses`);
}

describe('keyboard and labels', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('names every control, and runs a query and moves a slider from the keyboard alone', async () => {
    const { page, errors } = await openPage(browser, baseUrl);
    await expect
      .poll(() => page.getByTestId('policy-status').textContent(), { timeout: 90_000 })
      .toMatch(/loaded/);
    await expect.poll(() => page.getByTestId('gallery-item').count(), { timeout: 30_000 }).toBe(12);
    expect(await unnamedControls(page)).toEqual([]);

    // A gallery sample opened with Enter, its query run with Enter.
    await tabTo(page, 'gallery-item');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('sample-info').count(), { timeout: 30_000 }).toBe(1);
    await tabTo(page, 'query-input');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('reasoning-text').textContent(), { timeout: 60_000 })
      .not.toBe('');

    // τ1 moved with the arrow keys: the slider's value and its number box follow.
    const before = Number(await page.getByTestId('slider-tau1').inputValue());
    await tabTo(page, 'slider-tau1');
    await page.keyboard.press('ArrowRight');
    await expect
      .poll(async () => Number(await page.getByTestId('slider-tau1').inputValue()))
      .toBeGreaterThan(before);
    await expect
      .poll(async () => Number(await page.getByTestId('slider-tau1-number').inputValue()))
      .toBeGreaterThan(before);
    await screenshot(page, 'keyboard');
    expect(await unnamedControls(page)).toEqual([]);
    expect(errors).toEqual([]);
  }, 300_000);
});

// End-to-end test of the reward sliders: moving them rescores the sample's chains at once, bad values are refused.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DB_NAME } from '../../src/data/store';
import { launch, openPage, screenshot, setSlider } from './browser';

const baseUrl = inject('baseUrl');

/** The preset the app has stored in its database (settings store, key 'reward.params'). */
const storedPreset = (page: Page) =>
  page.evaluate(
    (name) =>
      new Promise<unknown>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('settings').objectStore('settings').get('reward.params');
          get.onerror = () => reject(get.error);
          get.onsuccess = () => {
            open.result.close();
            resolve(get.result?.preset);
          };
        };
      }),
    DB_NAME,
  );

const rewardOf = async (page: Page, kind: 'long' | 'short') =>
  Number(await page.getByTestId(`reference-${kind}-reward`).textContent());

describe('reward inspector', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('rescores the chains live as the sliders move, and keeps the settings after a reload', async () => {
    const { page, errors } = await openPage(browser, baseUrl);
    await expect.poll(() => page.getByTestId('gallery-item').count(), { timeout: 30_000 }).toBe(12);
    await page.getByTestId('gallery-item').first().click();
    await expect.poll(() => page.getByTestId('reference-long').count(), { timeout: 30_000 }).toBe(1);
    // The breakdown shows the chosen chain (long by default) and agrees with its row.
    expect(await page.getByTestId('reward-total').textContent()).toBe(
      await page.getByTestId('reference-long-reward').textContent(),
    );
    const tau1InBudgetPlot = () =>
      page.locator('[data-testid="budget-plot"] .tau1-line line').first().getAttribute('x1').then(Number);
    const easyFactorLine = () =>
      page.locator('[data-testid="factor-plot"] .factor-line.easy path').first().getAttribute('d');
    const [tau1Before, easyBefore] = [await tau1InBudgetPlot(), await easyFactorLine()];

    // Every sample becomes easy with a tiny budget: the long chain pays for its length, the short one less.
    await setSlider(page, 'slider-tau2', 10);
    await setSlider(page, 'slider-tau1', 10);
    await setSlider(page, 'slider-low-budget', 5);
    await setSlider(page, 'slider-beta', 0.02);
    await expect.poll(() => page.getByTestId('sample-level').textContent()).toBe('easy');
    const longPenalised = await rewardOf(page, 'long');
    expect(longPenalised).toBeLessThan(await rewardOf(page, 'short'));
    expect(longPenalised).toBeLessThan(5);
    expect(Number(await page.getByTestId('reward-total').textContent())).toBe(longPenalised);
    expect(await page.getByTestId('reward-budget').textContent()).toBe('5.0');
    // The small plots follow: τ1 moved right in the budget plot, the easy factor curve drops sooner.
    expect(await tau1InBudgetPlot()).toBeGreaterThan(tau1Before);
    expect(await easyFactorLine()).not.toBe(easyBefore);
    await page.getByTestId('reference-short-choose').check();
    await expect
      .poll(() => page.getByTestId('reward-total').textContent())
      .toBe(await page.getByTestId('reference-short-reward').textContent());
    await screenshot(page, 'reward-easy-budget');

    // Seg-Zero ignores length: both chains are correct, so both earn the full accuracy reward.
    await page.getByTestId('reward-preset').selectOption('seg-zero');
    await expect.poll(() => rewardOf(page, 'long')).toBe(5);
    expect(await rewardOf(page, 'short')).toBe(5);
    await screenshot(page, 'reward-seg-zero');

    await page.getByTestId('reward-preset').selectOption('pixelthink');
    // The settings are written asynchronously: a reload must not race the write.
    await expect.poll(() => storedPreset(page)).toBe('pixelthink');
    await page.reload();
    await expect
      .poll(() => page.getByTestId('slider-low-budget-number').inputValue(), { timeout: 10_000 })
      .toBe('5');
    await expect.poll(() => rewardOf(page, 'long'), { timeout: 10_000 }).toBe(longPenalised);
    expect(errors).toEqual([]);
  });

  it('refuses τ2 above τ1 with the reason and keeps scoring with the last valid settings', async () => {
    const { page } = await openPage(browser, baseUrl);
    await expect.poll(() => page.getByTestId('gallery-item').count(), { timeout: 30_000 }).toBe(12);
    await page.getByTestId('gallery-item').nth(1).click();
    await expect.poll(() => page.getByTestId('reference-short').count(), { timeout: 30_000 }).toBe(1);
    const before = await rewardOf(page, 'long');
    await setSlider(page, 'slider-tau2', 9);
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/tau1.*must be >= tau2/);
    expect(await rewardOf(page, 'long')).toBe(before);
    await screenshot(page, 'reward-invalid');
    await page.getByTestId('reward-reset').click();
    await expect.poll(() => page.getByTestId('slider-tau2-number').inputValue()).toBe('3.5');
  });
});

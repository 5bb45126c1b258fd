// End-to-end test of the reward sliders: moving them rescores the sample's chains at once, bad values are refused.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launch, openPage, screenshot } from './browser';

const baseUrl = inject('baseUrl');

async function setSlider(page: Page, testid: string, value: number) {
  const box = page.getByTestId(`${testid}-number`);
  await box.fill(String(value));
  await box.press('Enter');
}

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

    // Every sample becomes easy with a tiny budget: the long chain pays for its length, the short one less.
    await setSlider(page, 'slider-tau2', 10);
    await setSlider(page, 'slider-tau1', 10);
    await setSlider(page, 'slider-low-budget', 5);
    await setSlider(page, 'slider-beta', 0.02);
    await expect.poll(() => page.getByTestId('sample-level').textContent()).toBe('easy');
    const longPenalised = await rewardOf(page, 'long');
    expect(longPenalised).toBeLessThan(await rewardOf(page, 'short'));
    expect(longPenalised).toBeLessThan(5);

    // Seg-Zero ignores length: both chains are correct, so both earn the full accuracy reward.
    await page.getByTestId('reward-preset').selectOption('seg-zero');
    await expect.poll(() => rewardOf(page, 'long')).toBe(5);
    expect(await rewardOf(page, 'short')).toBe(5);
    await screenshot(page, 'reward-seg-zero');

    await page.getByTestId('reward-preset').selectOption('pixelthink');
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

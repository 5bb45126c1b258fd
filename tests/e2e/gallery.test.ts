// End-to-end test of the ShapeWorld gallery: a click loads a sample with its query, difficulty and ground truth.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch, openPage, screenshot } from './browser';

const baseUrl = inject('baseUrl');

describe('ShapeWorld gallery', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('loads a sample onto the stage with its ground truth, and keeps it after a reload', async () => {
    const { page, errors } = await openPage(browser, baseUrl);
    const items = page.getByTestId('gallery-item');
    await expect.poll(() => items.count(), { timeout: 30_000 }).toBe(12);
    // Thumbnails are drawn: the canvas is not one flat colour.
    const distinctPixels = await items
      .first()
      .locator('canvas')
      .evaluate((c: HTMLCanvasElement) => {
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        return new Set(
          Array.from(
            { length: data.length / 4 },
            (_, i) => data[i * 4]! * 65536 + data[i * 4 + 1]! * 256 + data[i * 4 + 2]!,
          ),
        ).size;
      });
    expect(distinctPixels).toBeGreaterThan(2);

    const third = items.nth(2);
    const id = await third.getAttribute('data-sample-id');
    const query = await third.locator('.query').textContent();
    await third.click();
    await expect
      .poll(() => page.getByTestId('image-meta').textContent(), { timeout: 30_000 })
      .toContain(`${id}.png · 840×840`);
    expect(await page.getByTestId('sample-query').textContent()).toBe(query);
    expect(await page.getByTestId('sample-difficulty').textContent()).toMatch(/^\d+\.\d$/);
    expect(await page.getByTestId('sample-info').textContent()).toMatch(
      /ShapeWorld score.*ground truth box \[\d+, \d+, \d+, \d+\]/,
    );
    await screenshot(page, 'gallery-sample');

    await page.reload();
    await expect.poll(() => page.getByTestId('sample-query').textContent(), { timeout: 10_000 }).toBe(query);
    expect(errors).toEqual([]);
  });
});

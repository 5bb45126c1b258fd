// End-to-end test of asking the policy: a gallery sample, its query, the chain streaming in, the answer (or what is wrong with it), history, Stop.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { sample } from '../../src/data/shapeworld/index';
import { renderScene } from '../../src/data/shapeworld/raster';
import { encodeRgbaPng } from '../../src/data/png';
import { launch, openPage, screenshot } from './browser';

const baseUrl = inject('baseUrl');

/** Opens the app with the policy loaded and the first gallery sample on the stage, its query in the box. */
async function sampleOnStage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const opened = await openPage(browser, baseUrl);
  const { page } = opened;
  await expect
    .poll(() => page.getByTestId('policy-status').textContent(), { timeout: 90_000 })
    .toMatch(/pixelthink-nano on (webgpu|wasm), loaded/);
  await expect.poll(() => page.getByTestId('gallery-item').count(), { timeout: 30_000 }).toBe(12);
  await page.getByTestId('gallery-item').first().click();
  await expect.poll(() => page.getByTestId('sample-info').count(), { timeout: 30_000 }).toBe(1);
  await expect.poll(() => page.getByTestId('query-input').inputValue()).not.toBe('');
  return opened;
}

describe('asking the policy', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('streams the chain, shows the answer or what is wrong with it, and stores the result', async () => {
    const { page, errors } = await sampleOnStage(browser);
    await expect
      .poll(() => page.getByTestId('segmenter-status').textContent(), { timeout: 60_000 })
      .toMatch(/loaded/);
    await page.getByTestId('max-tokens-input').fill('48');
    await page.getByTestId('max-tokens-input').dispatchEvent('change');
    const started = Date.now();
    await page.getByTestId('query-input').press('Enter');
    await expect
      .poll(() => page.getByTestId('reasoning-text').textContent(), { timeout: 60_000 })
      .not.toBe('');
    await expect
      .poll(() => page.locator('[data-testid="answer-json"], [data-testid="answer-error"]').count(), {
        timeout: 120_000,
      })
      .toBe(1);
    const runMs = Date.now() - started;
    const tokens = Number(await page.getByTestId('stat-tokens').textContent());
    expect(tokens).toBeGreaterThan(0);
    expect(tokens).toBeLessThanOrEqual(48);
    if (await page.getByTestId('answer-json').count()) {
      const overlay = page.getByTestId('mask-overlay');
      await expect.poll(() => overlay.getAttribute('data-mask-pixels'), { timeout: 60_000 }).not.toBe('0');
    } else {
      await expect(page.getByTestId('answer-error').locator('li').count()).resolves.toBeGreaterThan(0);
      expect(await page.getByTestId('mask-overlay').getAttribute('data-mask-pixels')).toBe('0');
    }
    await expect.poll(() => page.getByTestId('history-item').count(), { timeout: 30_000 }).toBe(1);
    await screenshot(page, 'run-answer');
    console.info(`e2e run: ${tokens} tokens in ${runMs} ms`);

    await page.reload();
    await expect.poll(() => page.getByTestId('history-item').count(), { timeout: 30_000 }).toBe(1);
    expect(errors).toEqual([]);
  }, 300_000);

  it('turns a whole chain into a parsed answer, its mask on the stage and a stored result with its IoU', async () => {
    const { page, errors } = await sampleOnStage(browser);
    await expect
      .poll(() => page.getByTestId('segmenter-status').textContent(), { timeout: 60_000 })
      .toMatch(/loaded/);
    await page.getByTestId('max-tokens-input').fill('600');
    await page.getByTestId('max-tokens-input').dispatchEvent('change');
    const started = Date.now();
    await page.getByTestId('run-button').click();
    await expect.poll(() => page.getByTestId('answer-json').count(), { timeout: 180_000 }).toBe(1);
    const answer = JSON.parse((await page.getByTestId('answer-json').textContent()) ?? '{}') as {
      bbox?: number[];
    };
    expect(answer.bbox).toHaveLength(4);
    const overlay = page.getByTestId('mask-overlay');
    await expect.poll(() => overlay.getAttribute('data-mask-pixels'), { timeout: 60_000 }).not.toBe('0');
    await expect.poll(() => page.getByTestId('history-item').count(), { timeout: 30_000 }).toBe(1);
    await expect(page.getByTestId('history-item').first().textContent()).resolves.toMatch(/IoU \d/);
    // The answer as a file: the policy's frame as written, and scaled to the 840×840 sample image.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-answer').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/-answer\.json$/);
    const path = await download.path();
    const exported = JSON.parse(readFileSync(path, 'utf8')) as {
      frame: { answer: { bbox: number[] } };
      image: { width: number; answer: { bbox: number[] } };
    };
    expect(exported.frame.answer.bbox).toEqual(answer.bbox);
    expect(exported.image.width).toBe(840);
    expect(exported.image.answer.bbox).toEqual(answer.bbox);
    await screenshot(page, 'run-mask');
    console.info(`e2e run to mask: ${Date.now() - started} ms`);
    expect(errors).toEqual([]);
  }, 300_000);

  it('runs on an uploaded PNG of another size and shows the mask at that size', async () => {
    const record = sample('val', 0); // the first gallery sample, here as a 512 px upload
    const scene = renderScene({ background: record.background, objects: record.objects }, 512);
    const png = encodeRgbaPng(new Uint8Array(scene.rgba.buffer), 512, 512);
    const { page, errors } = await openPage(browser, baseUrl);
    await expect
      .poll(() => page.getByTestId('policy-status').textContent(), { timeout: 90_000 })
      .toMatch(/loaded/);
    await expect
      .poll(() => page.getByTestId('segmenter-status').textContent(), { timeout: 60_000 })
      .toMatch(/loaded/);
    await page
      .getByTestId('image-input')
      .setInputFiles({ name: 'scene.png', mimeType: 'image/png', buffer: Buffer.from(png) });
    await expect.poll(() => page.getByTestId('image-meta').textContent()).toContain('scene.png · 512×512');
    await page.getByTestId('query-input').fill(record.query);
    await page.getByTestId('max-tokens-input').fill('600');
    await page.getByTestId('max-tokens-input').dispatchEvent('change');
    await page.getByTestId('run-button').click();
    await expect.poll(() => page.getByTestId('answer-json').count(), { timeout: 180_000 }).toBe(1);
    const overlay = page.getByTestId('mask-overlay');
    await expect.poll(() => overlay.getAttribute('data-mask-pixels'), { timeout: 60_000 }).not.toBe('0');
    // The mask is drawn at the uploaded image's own size, not the model's.
    const size = await overlay.evaluate((el) =>
      el instanceof HTMLCanvasElement
        ? [el.width, el.height]
        : [el.getAttribute('width'), el.getAttribute('height')],
    );
    expect(size.map(Number)).toEqual([512, 512]);
    await screenshot(page, 'run-upload-mask');
    expect(errors).toEqual([]);
  }, 300_000);

  it('stops a running chain: the partial chain stays, marked stopped, and nothing is stored', async () => {
    const { page, errors } = await sampleOnStage(browser);
    await page.getByTestId('max-tokens-input').fill('2000');
    await page.getByTestId('max-tokens-input').dispatchEvent('change');
    await page.getByTestId('run-button').click();
    await expect
      .poll(async () => ((await page.getByTestId('reasoning-text').textContent()) ?? '').length, {
        timeout: 60_000,
      })
      .toBeGreaterThan(0);
    await page.getByTestId('stop-button').click();
    await expect.poll(() => page.getByTestId('run-stopped').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('reasoning-text').textContent()).not.toBe('');
    expect(Number(await page.getByTestId('stat-tokens').textContent())).toBeLessThan(2000);
    await expect(page.getByTestId('run-button').isEnabled()).resolves.toBe(true);
    expect(await page.getByTestId('history-item').count()).toBe(0);
    await screenshot(page, 'run-stopped');
    expect(errors).toEqual([]);
  }, 300_000);
});

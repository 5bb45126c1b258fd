// End-to-end tests of the built app in Chromium: loads cleanly, names the adapter, keeps an image across a reload.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch, openPage, screenshot } from './browser';
import { gradientPng } from './fixtures';

const baseUrl = inject('baseUrl');

describe('app shell with WebGPU', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch({ webgpu: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('loads with no console errors and names the adapter', async () => {
    // SwiftShader is a software adapter, which the app leaves for wasm unless WebGPU is asked for.
    const { page, errors } = await openPage(browser, `${baseUrl}/?backend=webgpu`);
    await expect
      .poll(() => page.getByTestId('backend-policy').textContent(), { timeout: 30_000 })
      .toContain('WebGPU');
    await expect
      .poll(() => page.getByTestId('backend-segmenter').textContent(), { timeout: 30_000 })
      .toContain('WebGPU');
    const adapter = await page.getByTestId('adapter-name').textContent();
    expect(adapter?.toLowerCase()).toMatch(/google|swiftshader/);
    expect(await page.getByTestId('device-info').textContent()).toMatch(/shader-f16/);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await screenshot(page, 'shell-webgpu');
    expect(errors).toEqual([]);
  });

  it('leaves a software WebGPU adapter for wasm by default, and says why', async () => {
    const { page, errors } = await openPage(browser, baseUrl);
    await expect
      .poll(() => page.getByTestId('backend-segmenter').textContent(), { timeout: 30_000 })
      .toContain('wasm');
    expect(await page.getByTestId('fallback-reason').first().textContent()).toMatch(/software fallback/);
    await screenshot(page, 'shell-software-adapter');
    expect(errors).toEqual([]);
  });

  it('lets the page talk to its own origin only', async () => {
    const { page } = await openPage(browser, baseUrl);
    const outcome = await page.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.blockedURI));
      const external = await fetch('https://example.com/upload', { method: 'POST', body: 'x' }).then(
        () => 'sent',
        () => 'blocked',
      );
      await new Promise((r) => setTimeout(r, 50));
      return { external, violations };
    });
    expect(outcome.external).toBe('blocked');
    expect(outcome.violations.some((uri) => uri.startsWith('https://example.com'))).toBe(true);
  });

  it('shows an image opened through the picker, and still after a reload', async () => {
    const { page, errors } = await openPage(browser, baseUrl);
    await page
      .getByTestId('image-input')
      .setInputFiles({ name: 'gradient.png', mimeType: 'image/png', buffer: gradientPng(320, 200) });
    await expect.poll(() => page.getByTestId('image-meta').textContent()).toContain('gradient.png · 320×200');
    const natural = await page
      .getByTestId('stage-image')
      .evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
    expect(natural).toEqual([320, 200]);
    await screenshot(page, 'stage-image');

    await page.reload();
    await expect
      .poll(() => page.getByTestId('image-meta').textContent(), { timeout: 10_000 })
      .toContain('gradient.png · 320×200');
    await expect
      .poll(() =>
        page.getByTestId('stage-image').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth),
      )
      .toBe(320);
    await screenshot(page, 'stage-image-after-reload');
    expect(errors).toEqual([]);
  });

  it('refuses a damaged file with the reason and keeps the previous image', async () => {
    const { page } = await openPage(browser, baseUrl);
    await page
      .getByTestId('image-input')
      .setInputFiles({ name: 'keep.png', mimeType: 'image/png', buffer: gradientPng(64, 48) });
    await expect.poll(() => page.getByTestId('image-meta').textContent()).toContain('keep.png');
    await page.getByTestId('image-input').setInputFiles({
      name: 'broken.png',
      mimeType: 'image/png',
      buffer: gradientPng(64, 48).subarray(0, 60),
    });
    await expect
      .poll(() => page.getByTestId('image-error').textContent())
      .toMatch(/broken\.png.*could not be decoded/);
    expect(await page.getByTestId('image-meta').textContent()).toContain('keep.png');
    await screenshot(page, 'stage-refused');
  });

  it('takes an image dropped on the stage', async () => {
    const { page } = await openPage(browser, baseUrl);
    const bytes = [...gradientPng(90, 60)];
    await page.evaluate((data) => {
      const file = new File([new Uint8Array(data)], 'dropped.png', { type: 'image/png' });
      const transfer = new DataTransfer();
      transfer.items.add(file);
      document
        .querySelector('[data-testid="image-stage"]')!
        .dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, bytes);
    await expect.poll(() => page.getByTestId('image-meta').textContent()).toContain('dropped.png · 90×60');
  });
});

describe('app shell without WebGPU', () => {
  it('shows the wasm fallback and its reason', async () => {
    const browser = await launch({ webgpu: false });
    try {
      const { page, errors } = await openPage(browser, baseUrl);
      await expect
        .poll(() => page.getByTestId('backend-policy').textContent(), { timeout: 30_000 })
        .toContain('wasm fallback');
      expect(await page.getByTestId('fallback-reason').textContent()).toMatch(
        /Running on wasm.*(adapter|navigator\.gpu)/,
      );
      await screenshot(page, 'shell-wasm-fallback');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

// End-to-end test of segmenting in the app: the embedded nano-sam by default, then an opened SAM-layout folder (a sample's prompt, a drawn box).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { decodeMaskPng } from '../../src/data/png';
import { isSplit, objectMask, renderScene, sample, sampleId } from '../../src/data/shapeworld/index';
import { boxSamFiles } from '../../src/model/segmenter/testing/box-sam';
import { launch, openPage, screenshot } from './browser';

const baseUrl = inject('baseUrl');

/** Writes the test model (it segments exactly its prompt box) to a folder, as a user would have it on disk. */
async function writeModelFolder(): Promise<string> {
  const folder = join(mkdtempSync(join(tmpdir(), 'sam-')), 'box-sam');
  for (const [path, blob] of boxSamFiles({ size: 64, maskSize: 64, withBoxInput: false })) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), new Uint8Array(await blob.arrayBuffer()));
  }
  return folder;
}

/** Pixels of a ShapeWorld sample's target mask, drawn at `size` px as the gallery puts it on the stage. */
function groundTruthArea(id: string, size: number): number {
  const [, split = '', index = ''] = /^sw\d+-(\w+)-(\d+)$/.exec(id) ?? [];
  if (!isSplit(split) || sampleId(split, Number(index)) !== id) throw new Error(`not a sample id: ${id}`);
  const record = sample(split, Number(index));
  return objectMask(renderScene(record, size), record.target).reduce((n, v) => n + v, 0);
}

describe('segmenting on the stage', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('loads the embedded nano-sam by default and segments a gallery sample like its ground truth', async () => {
    const { page, errors } = await openPage(browser, baseUrl);
    await expect
      .poll(() => page.getByTestId('segmenter-status').textContent(), { timeout: 60_000 })
      .toMatch(/nano-sam \(embedded\) on (webgpu|wasm), loaded/);
    await expect.poll(() => page.getByTestId('gallery-item').count(), { timeout: 30_000 }).toBe(12);
    const item = page.getByTestId('gallery-item').first();
    const id = (await item.getAttribute('data-sample-id'))!;
    await item.click();
    await expect
      .poll(() => page.getByTestId('image-meta').textContent(), { timeout: 30_000 })
      .toContain(`${id}.png`);
    const [width, height] = (await page.getByTestId('image-meta').textContent())!
      .match(/(\d+)×(\d+)/)!
      .slice(1)
      .map(Number) as [number, number];
    expect(width).toBe(height);

    await page.getByTestId('segment-gt-button').click();
    const overlay = page.getByTestId('mask-overlay');
    await expect.poll(() => overlay.getAttribute('data-mask-pixels'), { timeout: 60_000 }).not.toBe('0');
    const maskPixels = Number(await overlay.getAttribute('data-mask-pixels'));
    const truth = groundTruthArea(id, width);
    expect(Math.abs(maskPixels - truth) / truth).toBeLessThan(0.1);
    await screenshot(page, 'segment-nano-sam-default');
    expect(errors).toEqual([]);
  });

  it('segments the ground-truth prompt of a sample and a box drawn by hand', async () => {
    const { page, errors } = await openPage(browser, baseUrl);
    await expect.poll(() => page.getByTestId('gallery-item').count(), { timeout: 30_000 }).toBe(12);
    await page.getByTestId('gallery-item').first().click();
    await expect.poll(() => page.getByTestId('sample-info').count(), { timeout: 30_000 }).toBe(1);

    // The embedded default may still be loading: the worker keeps the latest load, the opened folder.
    await page.getByTestId('segmenter-folder-input').setInputFiles(await writeModelFolder());
    await expect
      .poll(() => page.getByTestId('segmenter-status').textContent(), { timeout: 60_000 })
      .toMatch(/box-sam on (webgpu|wasm), loaded/);

    const [x1, y1, x2, y2] = (await page.getByTestId('sample-info').textContent())!
      .match(/\[(\d+), (\d+), (\d+), (\d+)\]/)!
      .slice(1)
      .map(Number) as [number, number, number, number];
    await page.getByTestId('segment-gt-button').click();
    const overlay = page.getByTestId('mask-overlay');
    await expect.poll(() => overlay.getAttribute('data-mask-pixels'), { timeout: 60_000 }).not.toBe('0');
    const boxArea = (x2 - x1 + 1) * (y2 - y1 + 1);
    const maskPixels = Number(await overlay.getAttribute('data-mask-pixels'));
    // The test model's mask is the prompt box, up to its 64-cell grid (13 px cells at 840 px).
    expect(Math.abs(maskPixels - boxArea) / boxArea).toBeLessThan(0.25);
    await screenshot(page, 'segment-ground-truth');

    // The exported PNG is the mask at full size.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-mask').click(),
    ]);
    const exported = decodeMaskPng(new Uint8Array(readFileSync((await download.path())!)));
    expect([exported.width, exported.height]).toEqual([840, 840]);
    expect(exported.mask.reduce((sum, v) => sum + (v ? 1 : 0), 0)).toBe(maskPixels);

    // Drag a box over the top-left quarter of the displayed image.
    const rect = (await overlay.boundingBox())!;
    await page.mouse.move(rect.x + rect.width * 0.05, rect.y + rect.height * 0.05);
    await page.mouse.down();
    await page.mouse.move(rect.x + rect.width * 0.3, rect.y + rect.height * 0.2, { steps: 5 });
    await page.mouse.up();
    await expect
      .poll(async () => Number(await overlay.getAttribute('data-mask-pixels')), { timeout: 60_000 })
      .not.toBe(maskPixels);
    const drawn = Number(await overlay.getAttribute('data-mask-pixels'));
    const expected = 0.25 * 840 * 0.15 * 840;
    expect(Math.abs(drawn - expected) / expected).toBeLessThan(0.3);
    await screenshot(page, 'segment-drawn-box');
    expect(errors).toEqual([]);
  });

  it('refuses a folder that is not a model, with the reason', async () => {
    const { page } = await openPage(browser, baseUrl);
    const folder = join(mkdtempSync(join(tmpdir(), 'notmodel-')), 'photos');
    mkdirSync(folder);
    writeFileSync(join(folder, 'readme.txt'), 'hello');
    await page.getByTestId('segmenter-folder-input').setInputFiles(folder);
    await expect.poll(() => page.getByTestId('segmenter-error').textContent()).toMatch(/no config\.json/);
  });
});

// End-to-end test of the dataset as a user works it: label an image, list, edit, export (ours and RefCOCOg-840), delete, import, refuse corrupt zips.
import { readFileSync } from 'node:fs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { decodePng } from '../../src/data/png';
import type { RefcocoRecord } from '../../src/data/dataset';
import { launch, openPage, screenshot } from './browser';
import { gradientPng } from './fixtures';

const baseUrl = inject('baseUrl');

/** The element's box in the viewport, scrolled into view first (the panel's buttons sit below the stage). */
async function boxOf(page: Page, testid: string) {
  await page.getByTestId(testid).scrollIntoViewIfNeeded();
  return (await page.getByTestId(testid).boundingBox())!;
}

/** Presses at (fx0, fy0) and releases at (fx1, fy1), as fractions of the element's box. */
async function dragOver(page: Page, testid: string, [fx0, fy0, fx1, fy1]: [number, number, number, number]) {
  const rect = await boxOf(page, testid);
  await page.mouse.move(rect.x + rect.width * fx0, rect.y + rect.height * fy0);
  await page.mouse.down();
  await page.mouse.move(rect.x + rect.width * fx1, rect.y + rect.height * fy1, { steps: 5 });
  await page.mouse.up();
}

async function clickAt(page: Page, testid: string, fx: number, fy: number) {
  const rect = await boxOf(page, testid);
  await page.mouse.click(rect.x + rect.width * fx, rect.y + rect.height * fy);
}

async function download(
  page: Page,
  testid: string,
): Promise<{ path: string; files: Record<string, Uint8Array> }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  const path = (await file.path())!;
  return { path, files: unzipSync(new Uint8Array(readFileSync(path))) };
}

const items = (page: Page) => page.getByTestId('dataset-item');
const queries = (page: Page) => page.getByTestId('dataset-item-query').allTextContents();

describe('the dataset panel', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('labels an image, lists, edits, exports, deletes and imports it back, and refuses corrupt zips', async () => {
    const { page, errors } = await openPage(browser, baseUrl);
    await page
      .getByTestId('image-input')
      .setInputFiles({ name: 'scene.png', mimeType: 'image/png', buffer: gradientPng(420, 280) });
    await expect
      .poll(() => page.getByTestId('image-meta').textContent(), { timeout: 30_000 })
      .toContain('scene.png');
    await expect.poll(() => page.getByTestId('dataset-empty').count(), { timeout: 10_000 }).toBe(1);

    // A box around the disc in the middle (a quarter of the way in from each side), then two points inside it.
    await page.getByTestId('label-mode-box').click();
    await dragOver(page, 'label-overlay', [0.25, 0.25, 0.75, 0.75]);
    await expect.poll(() => page.getByTestId('label-box').count()).toBe(1);
    const box = (await page.getByTestId('label-readout').textContent())!.match(
      /box \[(\d+), (\d+), (\d+), (\d+)\]/,
    )!;
    box
      .slice(1)
      .forEach((v, i) => expect(Math.abs(Number(v) - [210, 210, 630, 630][i]!)).toBeLessThanOrEqual(3));
    await page.getByTestId('label-mode-points').click();
    await clickAt(page, 'label-overlay', 0.4, 0.5);
    await clickAt(page, 'label-overlay', 0.6, 0.5);
    expect(await page.getByTestId('label-point').count()).toBe(2);
    await page.getByTestId('label-query').fill('the red disc in the middle');
    await page.getByTestId('label-difficulty').fill('7.5');
    expect(await page.getByTestId('label-difficulty-value').textContent()).toBe('7.5');
    await screenshot(page, 'dataset-label');
    await page.getByTestId('label-save').click();

    await expect.poll(() => items(page).count()).toBe(1);
    expect(await page.getByTestId('dataset-count').textContent()).toBe('1 samples');
    expect(await queries(page)).toEqual(['the red disc in the middle']);
    expect(await items(page).first().textContent()).toContain('d 7.5 · by hand');
    // The form is empty again for the next label.
    expect(await page.getByTestId('label-query').inputValue()).toBe('');

    // Edit: the query and the difficulty change, the sample keeps its id.
    const id = await items(page).first().getAttribute('data-sample-id');
    await page.getByTestId('dataset-item-edit').click();
    await expect.poll(() => page.getByTestId('label-editing').count()).toBe(1);
    expect(await page.getByTestId('label-query').inputValue()).toBe('the red disc in the middle');
    await page.getByTestId('label-query').fill('the red disc');
    await page.getByTestId('label-no-difficulty').check();
    await page.getByTestId('label-save').click();
    await expect.poll(() => queries(page)).toEqual(['the red disc']);
    expect(await items(page).first().getAttribute('data-sample-id')).toBe(id);
    expect(await items(page).first().textContent()).toContain('no difficulty (counts as 3.0)');
    await screenshot(page, 'dataset-listed');

    // Our zip: manifest, records and the image by its id.
    const ours = await download(page, 'dataset-export');
    expect(JSON.parse(strFromU8(ours.files['manifest.json']!))).toMatchObject({ samples: 1, images: 1 });
    const records = JSON.parse(strFromU8(ours.files['samples.json']!));
    expect(records.samples[0]).toMatchObject({ id, query: 'the red disc', difficulty: null });
    expect(Object.keys(ours.files).filter((name) => name.startsWith('images/'))).toHaveLength(1);

    // The released trainer's layout: the image stretched to 840×840 and the solution string it parses.
    const refcoco = await download(page, 'dataset-export-refcoco');
    const row = JSON.parse(
      strFromU8(refcoco.files['refcocog-840/data/train/metadata.jsonl']!),
    ) as RefcocoRecord;
    expect(row).toMatchObject({ id, problem: 'the red disc', img_width: 420, img_height: 280 });
    expect(row.solution).toMatch(
      /^<box>\(\d+,\d+\),\(\d+,\d+\)<\/box><points>\(\d+,\d+\),\(\d+,\d+\)<\/points>$/,
    );
    const png = decodePng(refcoco.files[`refcocog-840/data/train/${row.file_name}`]!);
    expect([png.width, png.height]).toEqual([840, 840]);
    expect(JSON.parse(strFromU8(refcoco.files['refcocog-840/difficulty.json']!))).toEqual([
      { image_id: id, difficulty_score_model: 3 },
    ]);

    // Delete asks first, in the page.
    await page.getByTestId('dataset-item-delete').click();
    await expect
      .poll(() => page.getByTestId('dataset-confirm').evaluate((d: HTMLDialogElement) => d.open))
      .toBe(true);
    await page.getByTestId('dataset-confirm-confirm').click();
    await expect.poll(() => page.getByTestId('dataset-empty').count()).toBe(1);

    // Import the zip back: the sample returns as it was.
    await page.getByTestId('dataset-import').setInputFiles(ours.path);
    await expect.poll(() => queries(page), { timeout: 10_000 }).toEqual(['the red disc']);
    expect(await page.getByTestId('dataset-message').textContent()).toContain(
      'Imported 1 samples and 1 images',
    );

    // A file that is no zip, and a zip whose record is out of the frame: refused with the reason, nothing changes.
    await page.getByTestId('dataset-import').setInputFiles({
      name: 'broken.zip',
      mimeType: 'application/zip',
      buffer: Buffer.from('this is not a zip file at all, just some text'),
    });
    await expect
      .poll(() => page.getByTestId('dataset-import-error').textContent())
      .toMatch(/broken\.zip was not imported: The file is not a readable zip/);
    records.samples[0].gt.bbox = [0, 0, 900, 10];
    const tampered = zipSync({ ...ours.files, 'samples.json': strToU8(JSON.stringify(records)) });
    await page.getByTestId('dataset-import').setInputFiles({
      name: 'tampered.zip',
      mimeType: 'application/zip',
      buffer: Buffer.from(tampered),
    });
    await expect
      .poll(() => page.getByTestId('dataset-import-error').textContent())
      .toMatch(
        /tampered\.zip was not imported: samples\.json: samples\[0\] \(".+"\): gt: the box must be 4 integers/,
      );
    expect(await queries(page)).toEqual(['the red disc']);
    await screenshot(page, 'dataset-import-refused');

    await page.reload();
    await expect.poll(() => queries(page), { timeout: 10_000 }).toEqual(['the red disc']);
    expect(errors).toEqual([]);
  });

  it('adds ShapeWorld samples in bulk and labels from the segmenter mask', async () => {
    const { page, errors } = await openPage(browser, baseUrl);
    await page.getByTestId('dataset-shapeworld-count').fill('2');
    await page.getByTestId('dataset-add-shapeworld').click();
    await expect
      .poll(() => page.getByTestId('dataset-message').textContent(), { timeout: 60_000 })
      .toBe('Added 2 ShapeWorld train samples.');
    const ids = await items(page).evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.sampleId));
    expect(ids.filter((i) => i?.startsWith('sw1-train-'))).toEqual(['sw1-train-000000', 'sw1-train-000001']);

    // Edit one: its image comes onto the stage, and its ShapeWorld score is the estimate on offer.
    await page.locator('[data-sample-id="sw1-train-000001"] [data-testid="dataset-item-edit"]').click();
    await expect
      .poll(() => page.getByTestId('image-meta').textContent(), { timeout: 30_000 })
      .toContain('sw1-train-000001');
    await expect.poll(() => page.getByTestId('label-estimate').count()).toBe(1);

    // Segment with a dragged box (no label mode), then take box and points from the mask.
    await expect
      .poll(() => page.getByTestId('segmenter-status').textContent(), { timeout: 90_000 })
      .toMatch(/nano-sam \(embedded\) on (webgpu|wasm), loaded/);
    await page.getByTestId('label-cancel').click();
    await dragOver(page, 'mask-overlay', [0.05, 0.05, 0.95, 0.95]);
    await expect
      .poll(() => page.getByTestId('mask-overlay').getAttribute('data-mask-pixels'), { timeout: 60_000 })
      .not.toBe('0');
    await page.getByTestId('label-from-mask').click();
    await expect.poll(() => page.getByTestId('label-point').count()).toBe(2);
    expect(await page.getByTestId('label-readout').textContent()).toMatch(/box \[\d+, \d+, \d+, \d+\]/);
    await page.getByTestId('label-estimate').click();
    await page.getByTestId('label-query').fill('the object nano-sam found');
    await screenshot(page, 'dataset-from-mask');
    await page.getByTestId('label-save').click();
    await expect.poll(() => queries(page)).toContain('the object nano-sam found');
    expect(await page.getByTestId('dataset-count').textContent()).toBe(`${ids.length + 1} samples`);
    expect(errors).toEqual([]);
  });
});

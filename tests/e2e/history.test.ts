// End-to-end test of stored results: the length plot live with the sliders, opening, deleting and clearing the history.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { countWords } from '../../src/rl';
import { DB_NAME, type ResultGroundTruth, type StoredResult } from '../../src/data/store';
import { launch, openPage, screenshot, setSlider } from './browser';

const baseUrl = inject('baseUrl');

interface StagedSample {
  imageId: string;
  sampleId: string;
  gt: ResultGroundTruth;
}

/** Runs one request against the app's own database with the plain IndexedDB API, as any page script could. */
async function inDatabase<T>(page: Page, work: { op: 'stage' } | { op: 'add'; records: StoredResult[] }) {
  return page.evaluate(
    async ({ name, work }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const done = <R>(request: IDBRequest<R>) =>
        new Promise<R>((resolve, reject) => {
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
      try {
        if (work.op === 'add') {
          const store = db.transaction('results', 'readwrite').objectStore('results');
          const ids: number[] = [];
          for (const record of work.records) ids.push((await done(store.add(record))) as number);
          return ids;
        }
        const settings = db.transaction('settings').objectStore('settings');
        const imageId = (await done(settings.get('stage.currentImageId'))) as string;
        const sampleId = (await done(settings.get('stage.currentSampleId'))) as string;
        const sample = await done(db.transaction('samples').objectStore('samples').get(sampleId));
        return { imageId, sampleId, gt: { bbox: sample.gt.bbox, points: sample.gt.points } };
      } finally {
        db.close();
      }
    },
    { name: DB_NAME, work },
  ) as Promise<T>;
}

async function loadGallerySample(page: Page, index: number): Promise<StagedSample> {
  const item = page.getByTestId('gallery-item').nth(index);
  const id = await item.getAttribute('data-sample-id');
  await item.click();
  await expect
    .poll(() => page.getByTestId('image-meta').textContent(), { timeout: 30_000 })
    .toContain(`${id}.png`);
  return inDatabase<StagedSample>(page, { op: 'stage' });
}

const answerOf = (gt: ResultGroundTruth) =>
  JSON.stringify({ bbox: gt.bbox, points_1: gt.points[0], points_2: gt.points[1] });
const responseOf = (words: number, answer: string) =>
  `<think>${Array.from({ length: words - 1 }, (_, i) => `step${i}`).join(' ')}</think><answer>${answer}</answer>`;

/** A result as the app would store it; `words` is what the response really has. */
function result(
  staged: StagedSample,
  fields: Partial<StoredResult> & { words: number; difficulty: number; createdAt: number },
  answer = answerOf(staged.gt),
): StoredResult {
  const response = fields.response ?? responseOf(fields.words, answer);
  return {
    imageId: staged.imageId,
    sampleId: staged.sampleId,
    query: `query made at ${fields.createdAt}`,
    modelId: 'crafted-policy',
    segmenterId: 'crafted-segmenter',
    tokens: Math.round(fields.words * 1.3),
    uncertainty: 0.2,
    entropy: 1.1,
    difficultySource: 'user',
    groundTruth: staged.gt,
    iou: 0.8,
    timingsMs: { generate: 1200, segment: 80 },
    ...fields,
    response,
    words: countWords(response),
  };
}

const point = (page: Page, id: number) =>
  page.locator(`[data-testid="length-plot"] [data-result-id="${id}"]`);
const plotPoints = (page: Page) => page.locator('[data-testid="length-plot"] [data-result-id]');
const tau1X = (page: Page) =>
  page.locator('[data-testid="length-plot"] .tau1-line line').first().getAttribute('x1').then(Number);
const total = async (page: Page) => page.getByTestId('reward-total').textContent();

describe('stored results: length plot and history', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('plots, opens, rescores live, deletes and clears stored results, and the clearing outlives a reload', async () => {
    const { page, errors } = await openPage(browser, baseUrl);
    await expect.poll(() => page.getByTestId('gallery-item').count(), { timeout: 30_000 }).toBe(12);
    await expect.poll(() => page.getByTestId('history-empty').count(), { timeout: 10_000 }).toBe(1);
    const first = await loadGallerySample(page, 0);
    const second = await loadGallerySample(page, 1);

    // Varied difficulty and length; C refers to its sample for ground truth, D has none; E's answer JSON is broken.
    const records = {
      A: result(first, { words: 30, difficulty: 2.0, createdAt: 1000, iou: 0.9 }),
      B: result(second, { words: 150, difficulty: 4.0, createdAt: 2000, iou: 0.3 }),
      C: result(first, { words: 320, difficulty: 4.8, createdAt: 3000, groundTruth: null, iou: 0.85 }),
      D: result(second, {
        words: 200,
        difficulty: 7.0,
        createdAt: 4000,
        iou: null,
        groundTruth: null,
        sampleId: null,
      }),
      E: result(first, { words: 60, difficulty: 8.5, createdAt: 5000, iou: 0 }, '{"bbox": [1, 2, 3 4]}'),
    };
    delete records.C.groundTruth;
    const [a, b, c, d, e] = await inDatabase<number[]>(page, { op: 'add', records: Object.values(records) });
    await page.reload();

    // One dot per result, coloured by level under the default τ1 = 5, τ2 = 3.5; the history is newest first.
    await expect.poll(() => plotPoints(page).count(), { timeout: 10_000 }).toBe(5);
    const levels = { [a!]: 'easy', [b!]: 'medium', [c!]: 'medium', [d!]: 'hard', [e!]: 'hard' };
    for (const [id, level] of Object.entries(levels))
      expect(await point(page, Number(id)).getAttribute('class')).toBe(`result-point level ${level}`);
    expect(await point(page, a!).getAttribute('data-correct')).toBe('yes');
    expect(await point(page, b!).getAttribute('data-correct')).toBe('no');
    expect(await point(page, d!).getAttribute('data-correct')).toBe('unknown');
    const history = page.getByTestId('history-item');
    expect(await history.evaluateAll((items) => items.map((i) => Number(i.dataset.resultId)))).toEqual([
      e,
      d,
      c,
      b,
      a,
    ]);
    expect(await history.first().locator('img').count()).toBe(1);

    // A click on C's dot opens it with its image and its sample's ground truth: all five terms, no budget.
    await point(page, c!).click();
    await expect.poll(() => page.getByTestId('result-view').getAttribute('data-result-id')).toBe(String(c));
    expect(await page.getByTestId('image-meta').textContent()).toContain(first.sampleId);
    expect(await total(page)).toBe('5.000');
    expect(await page.getByTestId('reward-budget').textContent()).toBe('none');
    // Its answer is drawn on the image (an 840×840 sample: model frame and image coincide).
    expect(await page.getByTestId('answer-box').getAttribute('x')).toBe(String(first.gt.bbox[0]));
    await screenshot(page, 'history-opened');

    // τ1 down to 4.5: C turns hard, the τ1 line moves left, and C pays for words over L_base + α·u.
    const lineBefore = await tau1X(page);
    await setSlider(page, 'slider-tau1', 4.5);
    await expect.poll(() => point(page, c!).getAttribute('class')).toBe('result-point level hard');
    expect(await point(page, b!).getAttribute('class')).toBe('result-point level medium');
    expect(await tau1X(page)).toBeLessThan(lineBefore);
    const budget = 256 + 25 * 0.2;
    expect(await total(page)).toBe((5 * (1 - (records.C.words - budget) / 500)).toFixed(3));
    expect(await page.getByTestId('result-level').textContent()).toBe('hard');
    await screenshot(page, 'history-tau1');

    // The malformed answer opens too (from the keyboard): its parse error is shown as text, and it still earns
    // the format term.
    await history.first().focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('result-view').getAttribute('data-result-id')).toBe(String(e));
    expect(await page.getByTestId('answer-error').textContent()).toContain(
      "invalid JSON at 18: Expecting ','",
    );
    expect(await page.getByTestId('result-answer').textContent()).toBe('{"bbox": [1, 2, 3 4]}');
    expect(await total(page)).toBe('1.000');
    expect(await page.getByTestId('answer-box').count()).toBe(0);
    await screenshot(page, 'history-malformed');

    // The dots are keyboard buttons too; D has no ground truth, so only its length terms are scored.
    await point(page, d!).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('result-view').getAttribute('data-result-id')).toBe(String(d));
    expect(await point(page, d!).getAttribute('aria-current')).toBe('true');
    expect(await total(page)).toBe('–');

    // Delete B: one dot and one item fewer.
    await page
      .locator(`[data-testid="history-item"][data-result-id="${b}"] + [data-testid="history-delete"]`)
      .click();
    await expect.poll(() => history.count()).toBe(4);
    expect(await plotPoints(page).count()).toBe(4);
    expect(await point(page, b!).count()).toBe(0);
    await screenshot(page, 'history-deleted');

    // Clear all asks first, in the page: cancel keeps everything, confirm empties list and plot.
    await page.getByTestId('history-clear').click();
    await expect
      .poll(() => page.getByTestId('history-confirm').evaluate((d: HTMLDialogElement) => d.open))
      .toBe(true);
    await screenshot(page, 'history-confirm');
    await page.getByTestId('history-confirm-cancel').click();
    expect(await page.getByTestId('history-confirm').evaluate((d: HTMLDialogElement) => d.open)).toBe(false);
    expect(await history.count()).toBe(4);
    await page.getByTestId('history-clear').click();
    await page.getByTestId('history-confirm-confirm').click();
    await expect.poll(() => page.getByTestId('history-empty').count()).toBe(1);
    expect(await history.count()).toBe(0);
    expect(await plotPoints(page).count()).toBe(0);
    expect(await page.getByTestId('length-plot-empty').count()).toBe(1);
    expect(await page.getByTestId('result-view').count()).toBe(0);
    await screenshot(page, 'history-cleared');

    await page.reload();
    await expect.poll(() => page.getByTestId('history-empty').count(), { timeout: 10_000 }).toBe(1);
    expect(await history.count()).toBe(0);
    expect(errors).toEqual([]);
  });
});

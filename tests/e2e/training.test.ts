// End-to-end test of in-browser GRPO on the built app: a tiny run advances and draws its charts, survives a reload
// (resumed from its checkpoint), stops with its adapter listed, exports it, and refuses a corrupt import.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launch, openPage, screenshot } from './browser';

const baseUrl = inject('baseUrl');

const stepOf = async (page: Page) => Number(await page.getByTestId('train-step').textContent());

async function fill(page: Page, testid: string, value: string | number) {
  await page.getByTestId(testid).fill(String(value));
}

/** Does the chart hold a drawn SVG with at least one line? */
async function drawn(page: Page, testid: string): Promise<boolean> {
  return page.getByTestId(testid).evaluate((host) => host.querySelectorAll('svg path').length > 0);
}

describe('the training panel', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('trains, resumes after a reload, stops, lists, exports and refuses a corrupt import', async () => {
    const { page, errors } = await openPage(browser, `${baseUrl}?backend=wasm`);
    try {
      await flow(page);
    } catch (err) {
      // What the panel said when it went wrong, and how it looked.
      const said = await page
        .getByTestId('training-panel')
        .innerText()
        .catch(() => '(no panel)');
      console.log(`training panel at the failure:\n${said}\nconsole errors: ${errors.join(' | ')}`);
      await screenshot(page, 'training-failure').catch(() => {});
      throw err;
    }
    expect(errors).toEqual([]);
  }, 900_000);
});

/** Start, watch, reload, resume, stop, export, import: what a user does with the panel. */
async function flow(page: Page): Promise<void> {
  await page.getByTestId('training-panel').scrollIntoViewIfNeeded();
  await expect.poll(() => page.getByTestId('adapter-empty').count(), { timeout: 30_000 }).toBe(1);

  // Tiny: 1 prompt × a group of 2, 16 new tokens, LoRA r 2, a checkpoint every 2 steps.
  await fill(page, 'train-name', 'e2e run');
  await fill(page, 'train-steps', 8);
  await fill(page, 'train-promptsPerStep', 1);
  await fill(page, 'train-groupSize', 2);
  await fill(page, 'train-maxNewTokens', 16);
  await fill(page, 'train-rank', 2);
  await fill(page, 'train-alpha', 4);
  await fill(page, 'train-checkpointEvery', 2);
  await page.getByTestId('train-start').click();

  const started = Date.now();
  await expect.poll(() => stepOf(page), { timeout: 300_000, interval: 500 }).toBeGreaterThanOrEqual(3);
  const perStep = (Date.now() - started) / 3;
  await expect.poll(() => drawn(page, 'train-chart-reward'), { timeout: 10_000 }).toBe(true);
  await expect.poll(() => drawn(page, 'train-chart-length'), { timeout: 10_000 }).toBe(true);
  expect(Number(await page.getByTestId('train-checkpoint').textContent())).toBeGreaterThanOrEqual(2);
  expect(await page.getByTestId('train-status').textContent()).toMatch(/Step \d+ of 8 done/);
  await page.getByTestId('training-panel').scrollIntoViewIfNeeded();
  await screenshot(page, 'training-running');
  console.log(`e2e training: ≈ ${Math.round(perStep)} ms per step (load included) on Chromium wasm`);

  // A reload mid-run: the new page offers the interrupted run from its checkpoint and goes on from there.
  await page.reload();
  await page.getByTestId('training-panel').scrollIntoViewIfNeeded();
  const offer = page.getByTestId('train-resume-offer');
  await expect.poll(() => offer.count(), { timeout: 60_000 }).toBe(1);
  const offered = Number((await offer.textContent())!.match(/checkpoint at step (\d+)/)![1]);
  expect(offered).toBeGreaterThanOrEqual(2);
  expect(offered % 2).toBe(0);
  // The series up to the checkpoint is back before the run resumes.
  await expect.poll(() => drawn(page, 'train-chart-reward'), { timeout: 10_000 }).toBe(true);
  await screenshot(page, 'training-resume-offer');
  await page.getByTestId('train-resume').click();
  await expect
    .poll(() => page.getByTestId('train-phase').textContent(), { timeout: 120_000 })
    .toBe('running');
  expect(await stepOf(page)).toBeGreaterThanOrEqual(offered);
  await expect.poll(() => stepOf(page), { timeout: 300_000, interval: 500 }).toBeGreaterThan(offered);

  await page.getByTestId('train-stop').click();
  await expect
    .poll(() => page.getByTestId('train-phase').textContent(), { timeout: 300_000 })
    .toBe('stopped');
  await expect.poll(() => page.getByTestId('adapter-item').count(), { timeout: 10_000 }).toBe(1);
  expect(await page.getByTestId('train-status').textContent()).toMatch(/Stopped at step \d+; adapter/);
  await screenshot(page, 'training-stopped');

  // Nothing was lost across the reload: the stored series has every step once, in order, up to the stop.
  const stopped = await stepOf(page);
  const steps = await page.evaluate(
    () =>
      new Promise<number[]>((resolve, reject) => {
        const open = indexedDB.open('pixelthink-playground');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('runs').objectStore('runs').getAll();
          request.onsuccess = () => {
            const [run] = request.result as { metrics: { step: number }[] }[];
            open.result.close();
            resolve(run ? run.metrics.map((m) => m.step) : []);
          };
          request.onerror = () => reject(request.error);
        };
      }),
  );
  expect(steps).toEqual(Array.from({ length: stopped }, (_, i) => i));

  // Export: safetensors with PEFT names and a JSON header naming the base model and the settings.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('adapter-export').click(),
  ]);
  const bytes = new Uint8Array(readFileSync((await download.path())!));
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  expect(header.__metadata__).toMatchObject({
    base_model_id: 'pixelthink-nano',
    peft_type: 'LORA',
    lora_rank: '2',
  });
  expect(JSON.parse(header.__metadata__.pixelthink_settings)).toMatchObject({ grpo: { groupSize: 2 } });
  const names = Object.keys(header).filter((n) => n !== '__metadata__');
  expect(names.length).toBeGreaterThan(0);
  expect(names.every((n) => /^base_model\.model\.model\.layers\.\d+\..+\.lora_[AB]\.weight$/.test(n))).toBe(
    true,
  );

  // A corrupt file (the export cut short) is refused with the reason; the list is unchanged.
  await page.getByTestId('adapter-import').setInputFiles({
    name: 'broken.safetensors',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(bytes.subarray(0, bytes.length - 100)),
  });
  await expect
    .poll(() => page.getByTestId('adapter-import-error').textContent(), { timeout: 60_000 })
    .toMatch(/broken\.safetensors was not imported: The file is not a readable safetensors file/);
  expect(await page.getByTestId('adapter-item').count()).toBe(1);
  // The good file imports back as a second adapter.
  await page.getByTestId('adapter-import').setInputFiles({
    name: 'good.safetensors',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(bytes),
  });
  await expect.poll(() => page.getByTestId('adapter-item').count(), { timeout: 30_000 }).toBe(2);

  // Activate the trained adapter for the policy, then compare it with the base on one held-out sample.
  await page.getByTestId('adapter-activate').first().click();
  await expect
    .poll(() => page.getByTestId('adapter-active').textContent(), { timeout: 30_000 })
    .toContain('e2e run · step');
  await fill(page, 'compare-n', 1);
  await fill(page, 'compare-max-tokens', 16);
  await page.getByTestId('compare-run').click();
  await expect.poll(() => page.getByTestId('compare-table').count(), { timeout: 120_000 }).toBe(1);
  const table = page.getByTestId('compare-table');
  expect(await table.locator('tbody tr').count()).toBe(4);
  expect(await table.textContent()).toMatch(/gIoU.*cIoU.*words.*tokens.*reward/s);
  expect(await table.textContent()).toContain('nano-sam');

  // The imported copy compared on the same sample: the two stored comparisons side by side.
  await page.getByTestId('compare-adapter').selectOption({ index: 1 });
  await page.getByTestId('compare-run').click();
  await expect
    .poll(() => page.getByTestId('compare-pick-a').locator('option').count(), { timeout: 120_000 })
    .toBe(2);
  await expect.poll(() => page.getByTestId('compare-run').isEnabled(), { timeout: 60_000 }).toBe(true);
  const [newest, first] = await page
    .getByTestId('compare-pick-a')
    .locator('option')
    .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
  expect(await page.getByTestId('compare-pick-a').inputValue()).toBe(newest);
  await page.getByTestId('compare-pick-b').selectOption(first!);
  const shown = (testid: string) => page.getByTestId(testid).getAttribute('data-comparison-id');
  await expect.poll(() => shown('compare-table-b'), { timeout: 10_000 }).toBe(first);
  expect(await shown('compare-table')).toBe(newest);
  expect(await page.getByTestId('compare-table-b').locator('tbody tr').count()).toBe(4);
  await screenshot(page, 'training-compare-two');
  await page.getByTestId('adapter-list').scrollIntoViewIfNeeded();
  await screenshot(page, 'training-adapters');
}

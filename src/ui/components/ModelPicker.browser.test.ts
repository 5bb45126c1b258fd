// The model picker in a real page with the real workers: a folder export's files and size before any download, the
// fit refusal, the load with per-file progress, and the loaded hub VLM taken over by the policy panel's state.
import { flushSync, mount, unmount } from 'svelte';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyQwenVlFiles } from '../../model/hub/testing/tiny-qwen-vl';
import { hub } from '../state/hub.svelte';
import { policy } from '../state/policy.svelte';
import ModelPicker from './ModelPicker.svelte';

/** A folder as the file input hands it over: File objects with their path inside the picked folder. */
function folderFiles(name: string, files: Map<string, Uint8Array | string>): File[] {
  return [...files].map(([path, data]) =>
    Object.defineProperty(new File([data as BlobPart], path.split('/').pop()!), 'webkitRelativePath', {
      value: `${name}/${path}`,
    }),
  );
}

const byTestId = (id: string) => document.querySelector(`[data-testid="${id}"]`);
const text = (id: string) => byTestId(id)?.textContent?.replace(/\s+/g, ' ') ?? null;

describe('model picker', () => {
  let component: ReturnType<typeof mount>;
  beforeAll(() => {
    component = mount(ModelPicker, { target: document.body });
  });
  afterAll(() => unmount(component));

  it('shows the catalogue, the measured size before any download, a refusal, then loads with progress', async () => {
    await expect
      .poll(() => document.querySelectorAll('[data-testid="hub-model-select"] option').length, {
        timeout: 30_000,
      })
      .toBeGreaterThan(2);
    hub.choose('policy', 'method-export-folder');
    hub.offline = true;
    flushSync();
    expect(byTestId('hub-load-button')?.hasAttribute('disabled')).toBe(true);
    await hub.openFolder(
      folderFiles('tiny-export', tinyQwenVlFiles({ family: 'qwen2_5_vl', script: '<think>ok</think>' })),
    );
    flushSync();
    expect(text('hub-folder')).toContain('tiny-export');
    expect(text('hub-plan-total')).toMatch(/kB in 8 files · 0 B to download · fp32 on (wasm|webgpu)/);

    hub.budgetGb = 0.000001;
    await hub.planSelected();
    flushSync();
    expect(text('hub-fit')).toMatch(/Does not fit this device: It needs about/);
    expect(byTestId('hub-load-button')?.hasAttribute('disabled')).toBe(true);

    hub.budgetGb = null;
    await hub.planSelected();
    flushSync();
    expect(byTestId('hub-fit')).toBeNull();
    await hub.load();
    flushSync();
    expect(hub.status).toBe('loaded');
    expect(policy.loaded).toMatchObject({ modelId: 'opened/tiny-export', tier: 'hub', frameSize: 840 });
    await expect.poll(() => hub.progress?.load.phase, { timeout: 10_000 }).toBe('ready');
    flushSync();
    const bar = byTestId('hub-progress') as HTMLProgressElement;
    expect(bar.value).toBe(bar.max);
    expect(document.querySelectorAll('[data-testid="hub-file-progress"]').length).toBe(8);
    expect(byTestId('hub-estimate-button')).not.toBeNull();
    expect(text('hub-cache')).toMatch(/Download cache: \d+ models/);
  }, 120_000);
});

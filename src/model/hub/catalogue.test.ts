// The catalogue's shape: every entry loadable (dtypes per session and device, estimates), small policies first.
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  catalogueEntry,
  CatalogueError,
  sessionsOf,
  variantFor,
  type VariantKey,
} from './catalogue';

const VARIANTS: VariantKey[] = ['webgpu-f16', 'webgpu', 'wasm'];

describe('catalogue', () => {
  it('has unique ids, dtype preferences for every session and device, and consistent estimates', () => {
    expect(new Set(CATALOGUE.map((e) => e.id)).size).toBe(CATALOGUE.length);
    for (const entry of CATALOGUE)
      for (const variant of VARIANTS) {
        for (const session of sessionsOf(entry))
          expect(entry.dtypes[variant][session]?.length).toBeGreaterThan(0);
        const estimate = entry.estimates[variant];
        expect(estimate.memoryBytes).toBeGreaterThan(estimate.downloadBytes);
        expect(estimate.largestTensorBytes).toBeLessThan(estimate.downloadBytes);
      }
  });

  it('prefers q4f16 where the adapter has shader-f16, q4 without it, and 4- or 8-bit files on wasm', () => {
    const policy = catalogueEntry('qwen3-vl-2b-instruct');
    expect(policy.dtypes['webgpu-f16'].decoder_model_merged?.[0]).toBe('q4f16');
    expect(policy.dtypes.webgpu.decoder_model_merged?.[0]).toBe('q4');
    expect(['q4', 'q8']).toContain(policy.dtypes.wasm.decoder_model_merged?.[0]);
    expect(variantFor('webgpu', true)).toBe('webgpu-f16');
    expect(variantFor('webgpu', false)).toBe('webgpu');
    expect(variantFor('cpu', true)).toBe('wasm');
  });

  it('offers policies small first, a folder entry for method exports, SAM and SAM2 segmenters', () => {
    const policies = CATALOGUE.filter((e) => e.kind === 'policy' && e.source.kind === 'hub');
    const sizes = policies.map((e) => e.estimates['webgpu-f16'].downloadBytes);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    const folder = catalogueEntry('method-export-folder');
    expect(folder).toMatchObject({
      kind: 'policy',
      source: { kind: 'folder' },
      methodTrained: true,
      answerFrame: 840,
    });
    const families = new Set(CATALOGUE.filter((e) => e.kind === 'segmenter').map((e) => e.family));
    expect(families).toEqual(new Set(['sam', 'sam2']));
    expect(() => catalogueEntry('nope')).toThrow(CatalogueError);
  });
});

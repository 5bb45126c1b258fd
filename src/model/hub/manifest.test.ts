// Model manifests: built deterministically, and every kind of damage (missing, resized, altered file) named on check.
import { describe, expect, it } from 'vitest';
import { buildManifest, ManifestError, verifyManifest, verifyShippedModel } from './manifest';

const files = new Map<string, Uint8Array | string>([
  ['onnx/model.onnx', new Uint8Array([1, 2, 3, 4])],
  ['config.json', '{"a":1}'],
]);

function reader(overrides: Record<string, Uint8Array | null> = {}) {
  return async (path: string): Promise<Uint8Array | null> => {
    if (path in overrides) return overrides[path] ?? null;
    const content = files.get(path);
    return typeof content === 'string' ? new TextEncoder().encode(content) : (content ?? null);
  };
}

describe('model manifest', () => {
  it('lists files sorted by path with sizes and SHA-256', async () => {
    const manifest = await buildManifest('m', files, { steps: 3 });
    expect(manifest.files.map((f) => f.path)).toEqual(['config.json', 'onnx/model.onnx']);
    expect(manifest.files[1]).toEqual({
      path: 'onnx/model.onnx',
      bytes: 4,
      sha256: '9f64a747e1b97f131fabb6b447296c9b6f0201e79fb3c5356e6c77e89b6a806a',
    });
    await expect(verifyManifest(manifest, reader())).resolves.toBeUndefined();
  });

  it('names a missing, a resized and an altered file', async () => {
    const manifest = await buildManifest('m', files);
    await expect(verifyManifest(manifest, reader({ 'config.json': null }))).rejects.toThrow(
      /config.json is missing/,
    );
    const longer = reader({ 'onnx/model.onnx': new Uint8Array([1, 2, 3, 4, 5]) });
    await expect(verifyManifest(manifest, longer)).rejects.toThrow(/5 bytes, expected 4/);
    const altered = reader({ 'onnx/model.onnx': new Uint8Array([1, 2, 3, 5]) });
    await expect(verifyManifest(manifest, altered)).rejects.toThrow(ManifestError);
    await expect(verifyManifest(manifest, altered)).rejects.toThrow(/model.onnx is corrupt/);
  });

  it('checks a shipped folder over fetch, and skips folders that have no manifest', async () => {
    const manifest = await buildManifest('m', files);
    const serve = (routes: Record<string, () => Response>) => async (url: string) =>
      routes[url]?.() ?? new Response('not found', { status: 404 });
    const json = (value: unknown) => () =>
      new Response(JSON.stringify(value), { headers: { 'content-type': 'application/json' } });
    const routes = {
      '/models/m/manifest.json': json(manifest),
      '/models/m/config.json': () => new Response('{"a":1}'),
      '/models/m/onnx/model.onnx': () => new Response(new Uint8Array([1, 2, 3, 4])),
    };
    await expect(verifyShippedModel('/models/', 'm', serve(routes))).resolves.toBe(true);
    await expect(verifyShippedModel('/models/', 'hub/x', serve(routes))).resolves.toBe(false);
    const spaFallback = serve({ '/models/m/manifest.json': () => new Response('<!doctype html>') });
    await expect(verifyShippedModel('/models/', 'm', spaFallback)).resolves.toBe(false);
    const damaged = serve({
      ...routes,
      '/models/m/onnx/model.onnx': () => new Response(new Uint8Array([9])),
    });
    await expect(verifyShippedModel('/models/', 'm', damaged)).rejects.toThrow(/1 bytes, expected 4/);
    const badJson = serve({
      '/models/m/manifest.json': () => new Response('{', { headers: { 'content-type': 'application/json' } }),
    });
    await expect(verifyShippedModel('/models/', 'm', badJson)).rejects.toThrow(/not valid JSON/);
  });
});

// The kernel module loader: a failed read says how to build the kernels, and is retried on the next call.
import type * as NodeFsPromises from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';

const readFile = vi.hoisted(() => vi.fn());
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof NodeFsPromises>();
  readFile.mockImplementation(actual.readFile);
  return { ...actual, readFile };
});

const { loadKernelModule } = await import('./module-loader');

describe('loadKernelModule', () => {
  it('names the build command when kernels.wasm is missing, and loads it once it is there', async () => {
    readFile.mockRejectedValueOnce(Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }));
    await expect(loadKernelModule('single')).rejects.toThrow(/npm run build:kernels/);
    const module = await loadKernelModule('single');
    expect(WebAssembly.Module.exports(module).length).toBeGreaterThan(0);
  });

  it('returns the same compiled module to every caller', async () => {
    const [a, b] = await Promise.all([loadKernelModule('single'), loadKernelModule('single')]);
    expect(a).toBe(b);
  });
});

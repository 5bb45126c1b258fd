// Loads and compiles kernels.wasm (or its shared-memory twin) in Node (fs) and in the browser (fetch of a Vite-bundled URL).

import type * as NodeFsPromises from 'node:fs/promises';

export type KernelVariant = 'single' | 'threads';

// Written as literal `new URL(..., import.meta.url)` so Vite sees and bundles both assets.
function variantUrl(variant: KernelVariant): URL {
  return variant === 'threads'
    ? new URL('./generated/kernels-threads.wasm', import.meta.url)
    : new URL('./generated/kernels.wasm', import.meta.url);
}

const compiled = new Map<KernelVariant, Promise<WebAssembly.Module>>();

/** The compiled module, cached per variant (workers receive the same Module object); a failure is not cached. */
export function loadKernelModule(variant: KernelVariant): Promise<WebAssembly.Module> {
  let module = compiled.get(variant);
  if (!module) {
    module = readBytes(variantUrl(variant)).then((bytes) => WebAssembly.compile(bytes));
    // A failed load is forgotten, so that the next call retries (after `npm run build:kernels`, a network blip).
    module.catch(() => compiled.delete(variant));
    compiled.set(variant, module);
  }
  return module;
}

async function readBytes(url: URL): Promise<ArrayBuffer> {
  if (url.protocol === 'file:') return readFileBytes(url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch ${url.href}: ${response.status}`);
  return response.arrayBuffer();
}

/** Node's fetch cannot read file: URLs; the module name is hidden from bundlers so browser builds never pull in fs. */
async function readFileBytes(url: URL): Promise<ArrayBuffer> {
  const fsModule = 'node:fs/promises';
  const { readFile } = (await import(/* @vite-ignore */ fsModule)) as typeof NodeFsPromises;
  const bytes = await readFile(url).catch((error: unknown) => {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
    throw new Error(
      `${url.pathname} is not built: run \`npm run build:kernels\` (npm install, dev, build and test do)`,
    );
  });
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

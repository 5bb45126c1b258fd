// Node-only helpers for tests: write a generated model folder to disk, and a plan prober that reads the disk.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FileProber } from '../plan';

/** Writes every file under `<root>/<modelId>/`. */
export function writeModelFolder(
  root: string,
  modelId: string,
  files: ReadonlyMap<string, Uint8Array | string>,
): void {
  for (const [path, data] of files) {
    const full = join(root, modelId, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, data);
  }
}

/** Looks at `<root>/<modelId>/` on disk, where transformers.js reads it in Node. */
export function diskProber(root: string, modelId: string): FileProber {
  const path = (file: string) => join(root, modelId, file);
  return {
    async probe(file) {
      const full = path(file);
      const exists = existsSync(full);
      return { exists, bytes: exists ? statSync(full).size : null, from: 'disk', url: full };
    },
    async readJson(file) {
      return existsSync(path(file)) ? JSON.parse(readFileSync(path(file), 'utf8')) : null;
    },
  };
}

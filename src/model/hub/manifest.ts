// The manifest.json of a shipped model folder: every file with its size and SHA-256, built at export and checked on load.

export interface ManifestEntry {
  path: string;
  bytes: number;
  sha256: string;
}

export interface ModelManifest {
  model: string;
  /** Free-form facts about how the files were made (training steps, config); not interpreted. */
  about: Record<string, unknown>;
  files: ManifestEntry[];
}

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

function toBytes(content: Uint8Array | string): Uint8Array {
  return typeof content === 'string' ? new TextEncoder().encode(content) : content;
}

/** Entries sorted by path, so the manifest of the same files is the same bytes. */
export async function buildManifest(
  model: string,
  files: ReadonlyMap<string, Uint8Array | string>,
  about: Record<string, unknown> = {},
): Promise<ModelManifest> {
  const entries: ManifestEntry[] = [];
  for (const path of [...files.keys()].sort()) {
    const bytes = toBytes(files.get(path) as Uint8Array | string);
    entries.push({ path, bytes: bytes.byteLength, sha256: await sha256Hex(bytes) });
  }
  return { model, about, files: entries };
}

/** Throws a ManifestError naming the first file that is missing, of the wrong size, or with another hash. */
export async function verifyManifest(
  manifest: ModelManifest,
  read: (path: string) => Promise<Uint8Array | null>,
): Promise<void> {
  for (const entry of manifest.files) {
    const bytes = await read(entry.path);
    if (bytes === null) throw new ManifestError(`${manifest.model}: ${entry.path} is missing`);
    if (bytes.byteLength !== entry.bytes)
      throw new ManifestError(
        `${manifest.model}: ${entry.path} has ${bytes.byteLength} bytes, expected ${entry.bytes}`,
      );
    const hash = await sha256Hex(bytes);
    if (hash !== entry.sha256)
      throw new ManifestError(
        `${manifest.model}: ${entry.path} is corrupt (SHA-256 ${hash.slice(0, 12)}…, expected ${entry.sha256.slice(0, 12)}…)`,
      );
  }
}

/**
 * Checks a shipped model folder (`<root><id>/manifest.json`) before it is loaded. Returns false when the folder has no
 * manifest (a hub model or a folder the user opened: nothing to check), true when every file matches.
 */
export async function verifyShippedModel(
  root: string,
  modelId: string,
  fetchFile: (url: string) => Promise<Response>,
): Promise<boolean> {
  const base = `${root}${modelId}/`;
  const response = await fetchFile(`${base}manifest.json`);
  // Static servers answer a missing file with 404, or with the app's index.html (SPA fallback): no manifest either way.
  const isJson = response.headers.get('content-type')?.includes('json') ?? false;
  if (response.status === 404 || (response.ok && !isJson)) return false;
  if (!response.ok) throw new ManifestError(`${modelId}: manifest.json answered HTTP ${response.status}`);
  let manifest: ModelManifest;
  try {
    manifest = (await response.json()) as ModelManifest;
  } catch {
    throw new ManifestError(`${modelId}: manifest.json is not valid JSON`);
  }
  if (!Array.isArray(manifest.files)) throw new ManifestError(`${modelId}: manifest.json lists no files`);
  await verifyManifest(manifest, async (path) => {
    const file = await fetchFile(`${base}${path}`);
    return file.ok ? new Uint8Array(await file.arrayBuffer()) : null;
  });
  return true;
}

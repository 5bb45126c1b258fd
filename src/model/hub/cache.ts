// The browser cache of downloaded hub files: what transformers.js stores (remote files only), and a view to clear it.
//
// transformers.js caches every file it reads through a Response, local ones included. Files of this app and of
// folders the user opened are on disk already, and an opened folder's files would outlive the folder under its
// address; so this cache keeps files from model hosts only (absolute http(s) URLs on another origin).

export const MODEL_CACHE_NAME = 'pixelthink-hub-models';

/** The subset of the Cache API transformers.js' `env.customCache` uses. */
export interface TransformersCache {
  match(request: string): Promise<Response | undefined>;
  put(request: string, response: Response): Promise<void>;
  delete(request: string): Promise<boolean>;
}

function isRemote(key: string, origin: string): boolean {
  try {
    const url = new URL(key);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin !== origin;
  } catch {
    return false;
  }
}

function cacheStorage(): CacheStorage | null {
  return typeof caches === 'undefined' ? null : caches;
}

/** A cache for transformers.js that stores and answers remote model files only. */
export function createHubFileCache(
  origin: string = globalThis.location?.origin ?? '',
  name: string = MODEL_CACHE_NAME,
): TransformersCache {
  const open = async () => {
    const storage = cacheStorage();
    return storage ? storage.open(name) : null;
  };
  return {
    async match(request) {
      if (!isRemote(request, origin)) return undefined;
      return (await open())?.match(request);
    },
    async put(request, response) {
      if (!isRemote(request, origin)) return;
      await (await open())?.put(request, response);
    },
    async delete(request) {
      if (!isRemote(request, origin)) return false;
      return (await (await open())?.delete(request)) ?? false;
    },
  };
}

/** A file in the cache, by the model it belongs to and its path in the model's repository. */
export interface CachedFile {
  url: string;
  path: string;
  bytes: number;
}

export interface CachedModel {
  /** Repository id, e.g. onnx-community/Qwen2-VL-2B-Instruct, or the host for URLs of another shape. */
  modelId: string;
  host: string;
  files: CachedFile[];
  bytes: number;
}

/** `<host>/<owner>/<name>/resolve/<revision>/<path>`, the hub's file address (and that of its mirrors). */
export function parseHubFileUrl(url: string): { host: string; modelId: string; path: string } {
  const parsed = new URL(url);
  const match = /^\/(.+?)\/resolve\/[^/]+\/(.+)$/.exec(parsed.pathname);
  if (!match) return { host: parsed.origin, modelId: parsed.origin, path: parsed.pathname.slice(1) };
  return {
    host: parsed.origin,
    modelId: decodeURIComponent(match[1] ?? ''),
    path: decodeURIComponent(match[2] ?? ''),
  };
}

async function sizeOf(response: Response | undefined): Promise<number> {
  if (!response) return 0;
  const header = response.headers.get('content-length');
  if (header !== null && Number.isFinite(Number(header))) return Number(header);
  return (await response.blob()).size;
}

/** Every cached model with its files and sizes, largest first. */
export async function listCachedModels(name: string = MODEL_CACHE_NAME): Promise<CachedModel[]> {
  const storage = cacheStorage();
  if (!storage || !(await storage.has(name))) return [];
  const cache = await storage.open(name);
  const models = new Map<string, CachedModel>();
  for (const request of await cache.keys()) {
    const { host, modelId, path } = parseHubFileUrl(request.url);
    const bytes = await sizeOf(await cache.match(request));
    const key = `${host} ${modelId}`;
    const model = models.get(key) ?? { modelId, host, files: [], bytes: 0 };
    model.files.push({ url: request.url, path, bytes });
    model.bytes += bytes;
    models.set(key, model);
  }
  for (const model of models.values())
    model.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return [...models.values()].sort((a, b) => b.bytes - a.bytes || a.modelId.localeCompare(b.modelId));
}

/** Deletes one model's cached files (or all cached files); returns how many entries went. */
export async function clearCachedModels(modelId?: string, name: string = MODEL_CACHE_NAME): Promise<number> {
  const storage = cacheStorage();
  if (!storage || !(await storage.has(name))) return 0;
  const cache = await storage.open(name);
  const requests = await cache.keys();
  if (modelId === undefined) {
    await storage.delete(name);
    return requests.length;
  }
  let deleted = 0;
  for (const request of requests)
    if (parseHubFileUrl(request.url).modelId === modelId && (await cache.delete(request))) deleted++;
  return deleted;
}

/** A cached file's response, or null. */
export async function cachedResponse(url: string, name: string = MODEL_CACHE_NAME): Promise<Response | null> {
  const storage = cacheStorage();
  if (!storage || !(await storage.has(name))) return null;
  return (await (await storage.open(name)).match(url)) ?? null;
}

/** Whether a remote file is in the cache (the load plan shows cached files as costing no download). */
export async function isCached(url: string, name: string = MODEL_CACHE_NAME): Promise<number | null> {
  const storage = cacheStorage();
  if (!storage || !(await storage.has(name))) return null;
  const response = await (await storage.open(name)).match(url);
  return response ? sizeOf(response) : null;
}

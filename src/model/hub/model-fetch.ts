// The only way model files are fetched: from this app, from configured model hosts, or from a folder the user opened.

export class ModelSourceError extends Error {
  override readonly name = 'ModelSourceError';
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(message);
  }
}

/** Files of a model the user opened from disk (or a test made in memory), by path inside the model folder. */
export type ModelFolder = ReadonlyMap<string, Blob>;

export interface ModelFetchConfig {
  /** Root-relative prefix under which models live, e.g. '/models/'. */
  localModelPath: string;
  /** Origins (https://host) that may serve model files, besides this app's own. */
  allowedHosts: readonly string[];
  /** The page's own origin: relative URLs resolve against it. */
  origin: string;
  /** The signal of the load in progress, if any: when it fires, requests stop (a cancelled download). */
  signal?: () => AbortSignal | null | undefined;
}

const folders = new Map<string, ModelFolder>();

/** Makes `localModelPath/<id>/<file>` answer from the given files instead of the network. */
export function registerModelFolder(id: string, files: ModelFolder): void {
  // One or two path segments (org/name), none starting with a dot, so an id cannot climb out of the folder.
  if (!/^[\w-][\w.-]*(\/[\w-][\w.-]*)?$/.test(id))
    throw new ModelSourceError(id, `"${id}" is not a valid model id.`);
  folders.set(id, files);
}

/** `webkitRelativePath` is "<folder>/<path>": models are addressed by the path inside the folder. */
export function modelFolderFiles(files: ArrayLike<File>): { folder: string; files: Map<string, Blob> } {
  const list = Array.from(files);
  const folder = list[0]?.webkitRelativePath.split('/')[0] ?? '';
  const map = new Map<string, Blob>();
  for (const file of list) map.set(file.webkitRelativePath.slice(folder.length + 1), file);
  return { folder, files: map };
}

export function isRegisteredFolder(id: string): boolean {
  return folders.has(id);
}

export function unregisterModelFolder(id: string): void {
  folders.delete(id);
}

function fromFolder(path: string, config: ModelFetchConfig): Response | null {
  if (!path.startsWith(config.localModelPath)) return null;
  const rest = decodeURIComponent(path.slice(config.localModelPath.length));
  for (const [id, files] of folders) {
    if (!rest.startsWith(`${id}/`)) continue;
    const file = files.get(rest.slice(id.length + 1));
    // Blob responses carry no length: say it, so sizes are known before anything is read.
    return file
      ? new Response(file, { status: 200, headers: { 'content-length': String(file.size) } })
      : new Response(null, { status: 404, statusText: 'Not Found' });
  }
  return null;
}

/**
 * A fetch for model loading: answers opened folders from memory, lets the app's origin and configured hosts
 * through, and refuses every other address, so a model config cannot make the page talk to anyone else.
 */
export function createModelFetch(
  config: ModelFetchConfig,
  network: typeof fetch = globalThis.fetch.bind(globalThis),
) {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input), config.origin);
    const signal = config.signal?.() ?? null;
    if (signal?.aborted) throw abortError(url.href);
    const local = url.origin === config.origin ? fromFolder(url.pathname, config) : null;
    if (local) return local;
    const allowed = url.origin === config.origin || config.allowedHosts.includes(url.origin);
    if (!allowed)
      throw new ModelSourceError(
        url.href,
        `Model files may come only from this app or a configured host, not ${url.origin}.`,
      );
    const response = await network(url, signal ? { ...init, signal } : init);
    // A static server answers a missing file under the models folder with the app's page (SPA fallback): no model
    // file is HTML, so that is a 404.
    const underModels = url.origin === config.origin && url.pathname.startsWith(config.localModelPath);
    if (underModels && response.ok && response.headers.get('content-type')?.includes('text/html')) {
      await response.body?.cancel().catch(() => {});
      return new Response(null, { status: 404, statusText: 'Not Found' });
    }
    return response;
  };
}

/** What fetch throws when its signal fires, so callers see one kind of error for a cancelled download. */
function abortError(url: string): Error {
  return new DOMException(`The download of ${url} was cancelled.`, 'AbortError');
}

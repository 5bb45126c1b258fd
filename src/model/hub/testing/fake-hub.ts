// A stand-in for the hub's file server (https://huggingface.co/<repo>/resolve/<revision>/<path>) serving generated
// folders from memory, so the remote path (ranged size probes, downloads with progress, the browser cache) runs
// offline. Pass it as configureTransformers' `network`; requests to other origins (this app) go to the real fetch.

export interface FakeHub {
  fetch: typeof fetch;
  /** Every request, as "<method> <path>[ range]", in order. */
  requests: string[];
}

export function createFakeHub(
  repos: Record<string, ReadonlyMap<string, Uint8Array | string>>,
  options: { revision?: string; host?: string } = {},
): FakeHub {
  const requests: string[] = [];
  const host = new URL(options.host ?? 'https://huggingface.co').origin;
  const prefix = `/resolve/${options.revision ?? 'main'}/`;
  const fakeFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin !== host) return globalThis.fetch(input, init);
    const range = new Headers(init?.headers).get('range');
    requests.push(`${init?.method ?? 'GET'} ${url.pathname}${range ? ` ${range}` : ''}`);
    if (init?.signal?.aborted) throw new DOMException('The request was aborted.', 'AbortError');
    const at = url.pathname.indexOf(prefix);
    const repo = at > 0 ? decodeURIComponent(url.pathname.slice(1, at)) : '';
    const content = repos[repo]?.get(decodeURIComponent(url.pathname.slice(at + prefix.length)));
    if (at <= 0 || content === undefined) return new Response('Entry not found', { status: 404 });
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    if (range === 'bytes=0-0')
      return new Response(bytes.slice(0, 1) as BlobPart, {
        status: 206,
        headers: { 'content-range': `bytes 0-0/${bytes.length}`, 'content-length': '1' },
      });
    return new Response(bytes as BlobPart, {
      status: 200,
      headers: { 'content-length': String(bytes.length) },
    });
  };
  return { fetch: fakeFetch as typeof fetch, requests };
}

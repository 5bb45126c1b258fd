// The load plan of a hub-tier model: which files (per session, the dtype whose file exists), their real sizes and
// where they come from, before anything is downloaded; then whether the model fits the device.
import { env } from '@huggingface/transformers';
import { cachedResponse, isCached } from './cache';
import {
  DTYPE_SUFFIX,
  sessionsOf,
  variantFor,
  type CatalogueEntry,
  type HubDevice,
  type HubDtype,
  type SizeEstimate,
  type VariantKey,
} from './catalogue';
import { checkFit, formatBytes, type DeviceLimits, type FitReport, type ModelNeeds } from './fit';
import { isRegisteredFolder } from './model-fetch';

/** Where a file will be read from: an opened folder, this app (public/models), the browser cache, or the hub. */
export type FileOrigin = 'folder' | 'app' | 'cache' | 'hub' | 'disk';

export interface Probe {
  exists: boolean;
  /** Null when the server did not say. */
  bytes: number | null;
  from: FileOrigin;
  url: string;
}

/** How the plan looks at a model's files without downloading them. */
export interface FileProber {
  probe(path: string): Promise<Probe>;
  /** A small JSON file's content (config.json), or null when it does not exist. */
  readJson(path: string): Promise<unknown>;
}

export interface PlannedFile {
  path: string;
  bytes: number;
  from: FileOrigin;
  url: string;
  required: boolean;
}

export interface LoadPlan {
  entryId: string;
  label: string;
  kind: CatalogueEntry['kind'];
  /** What transformers.js loads: the repository id, or the folder's id under /models/. */
  modelId: string;
  device: HubDevice;
  variant: VariantKey;
  /** The dtype chosen for every session. */
  dtype: Record<string, HubDtype>;
  files: PlannedFile[];
  /** All files, and those that will come over the network (not in this app, a folder or the cache). */
  totalBytes: number;
  downloadBytes: number;
  /** The .onnx files and their external data. */
  weightBytes: number;
  needs: ModelNeeds;
  fit: FitReport;
  /** The catalogue's estimate for this variant, for comparison. */
  estimate: SizeEstimate;
}

export class ModelFileMissingError extends Error {
  override readonly name = 'ModelFileMissingError';
  constructor(
    readonly modelId: string,
    readonly paths: string[],
    where: string,
  ) {
    super(
      `${modelId}: ${paths.join(', ')} ${paths.length === 1 ? 'is' : 'are'} missing (looked in ${where}).`,
    );
  }
}

/** Weights expand a little in memory (runtime copies, alignment). */
const WEIGHT_OVERHEAD = 1.1;

const POLICY_FILES = {
  required: ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'],
  optional: ['generation_config.json'],
};
const SEGMENTER_FILES = { required: ['config.json', 'preprocessor_config.json'], optional: [] as string[] };

type ExternalData = boolean | number | Record<string, boolean | number>;

/** transformers.js' rule: a per-file entry (full name, then base name) or one setting for all; true is one chunk. */
function externalDataChunks(setting: ExternalData | undefined, fullName: string, session: string): number {
  if (!setting) return 0;
  if (typeof setting === 'object') return Number(setting[fullName] ?? setting[session] ?? 0);
  return Number(setting);
}

function chunkNames(fullName: string, chunks: number): string[] {
  return Array.from({ length: chunks }, (_, i) => `${fullName}_data${i === 0 ? '' : `_${i}`}`);
}

async function required(prober: FileProber, modelId: string, path: string): Promise<Probe> {
  const probe = await prober.probe(path);
  if (!probe.exists) throw new ModelFileMissingError(modelId, [path], probe.url);
  return probe;
}

async function chooseSessionFiles(
  entry: CatalogueEntry,
  variant: VariantKey,
  prober: FileProber,
  modelId: string,
  externalData: ExternalData | undefined,
): Promise<{ dtype: Record<string, HubDtype>; files: PlannedFile[] }> {
  const dtype: Record<string, HubDtype> = {};
  const files: PlannedFile[] = [];
  const missing: string[] = [];
  await Promise.all(
    sessionsOf(entry).map(async (session) => {
      const preferences = entry.dtypes[variant][session] ?? ['fp32'];
      for (const candidate of preferences) {
        const fullName = `${session}${DTYPE_SUFFIX[candidate]}.onnx`;
        const probe = await prober.probe(`onnx/${fullName}`);
        if (!probe.exists) continue;
        dtype[session] = candidate;
        files.push({
          path: `onnx/${fullName}`,
          bytes: probe.bytes ?? 0,
          from: probe.from,
          url: probe.url,
          required: true,
        });
        for (const chunk of chunkNames(fullName, externalDataChunks(externalData, fullName, session))) {
          const data = await required(prober, modelId, `onnx/${chunk}`);
          files.push({
            path: `onnx/${chunk}`,
            bytes: data.bytes ?? 0,
            from: data.from,
            url: data.url,
            required: true,
          });
        }
        return;
      }
      missing.push(`onnx/${session}{${preferences.map((d) => DTYPE_SUFFIX[d] || "''").join(', ')}}.onnx`);
    }),
  );
  if (missing.length > 0)
    throw new ModelFileMissingError(modelId, missing.sort(), 'every dtype this device may use');
  return { dtype, files };
}

export interface PlanOptions {
  /** The id transformers.js loads (a folder entry's folder id); default the entry's repository. */
  modelId?: string;
  limits: DeviceLimits;
  prober?: FileProber;
}

/** The id transformers.js loads for this entry (hub repository, or the folder id the user chose). */
export function modelIdOf(entry: CatalogueEntry, folderId?: string): string {
  if (folderId) return folderId;
  if (entry.source.kind === 'hub') return entry.source.repo;
  throw new ModelFileMissingError(entry.id, ['the model folder'], 'nothing: open the folder first');
}

/** Works out the files, sizes and dtypes of `entry` on the device of `limits`, and whether it fits. */
export async function planModelLoad(entry: CatalogueEntry, options: PlanOptions): Promise<LoadPlan> {
  const modelId = options.modelId ?? modelIdOf(entry);
  const revision = entry.source.kind === 'hub' ? (entry.source.revision ?? 'main') : 'main';
  const prober = options.prober ?? createFetchProber(modelId, { revision });
  const { limits } = options;
  const variant = variantFor(limits.device, limits.shaderF16);
  const configProbe = await required(prober, modelId, 'config.json');
  const config = ((await prober.readJson('config.json')) ?? {}) as Record<string, unknown>;
  const jsConfig = (config['transformers.js_config'] ?? {}) as { use_external_data_format?: ExternalData };
  const sessions = await chooseSessionFiles(
    entry,
    variant,
    prober,
    modelId,
    jsConfig.use_external_data_format,
  );
  const lists = entry.kind === 'policy' ? POLICY_FILES : SEGMENTER_FILES;
  const others = await Promise.all(
    [...lists.required.slice(1), ...lists.optional].map(async (path) => ({
      path,
      probe: await prober.probe(path),
      required: lists.required.includes(path),
    })),
  );
  const missing = others.filter((o) => o.required && !o.probe.exists).map((o) => o.path);
  if (missing.length > 0)
    throw new ModelFileMissingError(modelId, missing, `${modelId}'s folder or repository`);
  const files: PlannedFile[] = [
    {
      path: 'config.json',
      bytes: configProbe.bytes ?? 0,
      from: configProbe.from,
      url: configProbe.url,
      required: true,
    },
    ...others
      .filter((o) => o.probe.exists)
      .map((o) => ({
        path: o.path,
        bytes: o.probe.bytes ?? 0,
        from: o.probe.from,
        url: o.probe.url,
        required: o.required,
      })),
    ...sessions.files,
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const weights = sessions.files;
  const weightBytes = weights.reduce((sum, f) => sum + f.bytes, 0);
  const largestFile = Math.max(0, ...weights.map((f) => f.bytes));
  const estimate = entry.estimates[variant];
  const needs: ModelNeeds = {
    memoryBytes: Math.round(weightBytes * WEIGHT_OVERHEAD + entry.runtimeBytes),
    largestTensorBytes: Math.min(largestFile, estimate.largestTensorBytes),
  };
  const totalBytes = files.reduce((sum, f) => sum + f.bytes, 0);
  return {
    entryId: entry.id,
    label: entry.label,
    kind: entry.kind,
    modelId,
    device: limits.device,
    variant,
    dtype: sessions.dtype,
    files,
    totalBytes,
    downloadBytes: files.filter((f) => f.from === 'hub').reduce((sum, f) => sum + f.bytes, 0),
    weightBytes,
    needs,
    fit: checkFit(needs, limits),
    estimate,
  };
}

/** One line for logs and the UI: "1.52 GB in 9 files (1.40 GB to download), q4f16 on webgpu". */
export function describePlan(plan: LoadPlan): string {
  const dtypes = [...new Set(Object.values(plan.dtype))].join('/');
  const download = plan.downloadBytes > 0 ? ` (${formatBytes(plan.downloadBytes)} to download)` : '';
  return `${formatBytes(plan.totalBytes)} in ${plan.files.length} files${download}, ${dtypes} on ${plan.device}`;
}

/** The byte count of a ranged or plain answer: content-range's total, else content-length. */
function sizeFromHeaders(response: Response): number | null {
  const range = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
  if (range) return Number(range[1]);
  const length = response.headers.get('content-length');
  return length === null ? null : Number(length);
}

/** Asks for one byte, so nothing is downloaded, and reads the size from the headers. */
async function rangeProbe(
  fetchFile: typeof fetch,
  url: string,
): Promise<{ exists: boolean; bytes: number | null }> {
  const response = await fetchFile(url, { headers: { Range: 'bytes=0-0' }, cache: 'no-store' });
  const bytes = response.ok ? sizeFromHeaders(response) : null;
  await response.body?.cancel().catch(() => {});
  if (response.ok) return { exists: true, bytes };
  if (response.status === 404 || response.status === 416) return { exists: false, bytes: null };
  throw new Error(`${url} answered HTTP ${response.status}`);
}

export interface FetchProberOptions {
  revision?: string;
  /** Default transformers.js' env: our guarded fetch, /models/, the hub host, whether remote files are allowed. */
  fetchFile?: typeof fetch;
  localModelPath?: string;
  remoteHost?: string;
  allowRemote?: boolean;
}

/**
 * Looks where transformers.js will read from, in its order: this app's /models/<id>/ (or the folder opened under
 * that id), then the browser cache, then the hub (when remote models are allowed).
 */
export function createFetchProber(modelId: string, options: FetchProberOptions = {}): FileProber {
  const fetchFile: typeof fetch =
    options.fetchFile ?? ((url, init) => env.fetch(url as string, init) as Promise<Response>);
  const localBase = `${options.localModelPath ?? env.localModelPath}${modelId}/`;
  const template = (env.remotePathTemplate ?? '{model}/resolve/{revision}/')
    .replaceAll('{model}', modelId)
    .replaceAll('{revision}', encodeURIComponent(options.revision ?? 'main'));
  const remoteBase = `${(options.remoteHost ?? env.remoteHost).replace(/\/$/, '')}/${template}`;
  const allowRemote = options.allowRemote ?? env.allowRemoteModels;
  const localOrigin: FileOrigin = isRegisteredFolder(modelId) ? 'folder' : 'app';
  return {
    async probe(path) {
      const local = `${localBase}${path}`;
      const found = await rangeProbe(fetchFile, local);
      if (found.exists) return { ...found, from: localOrigin, url: local };
      const remote = `${remoteBase}${path}`;
      const cached = await isCached(remote);
      if (cached !== null) return { exists: true, bytes: cached, from: 'cache', url: remote };
      if (!allowRemote) return { exists: false, bytes: null, from: localOrigin, url: local };
      return { ...(await rangeProbe(fetchFile, remote)), from: 'hub', url: remote };
    },
    async readJson(path) {
      const local = await fetchFile(`${localBase}${path}`);
      if (local.ok) return local.json();
      await local.body?.cancel().catch(() => {});
      const cached = await cachedResponse(`${remoteBase}${path}`);
      if (cached) return cached.json();
      if (!allowRemote) return null;
      const remote = await fetchFile(`${remoteBase}${path}`);
      if (remote.ok) return remote.json();
      await remote.body?.cancel().catch(() => {});
      return null;
    },
  };
}

// The hub tier's model catalogue: real VLM policies and SAM-class segmenters, with files, dtypes, sizes and memory.
//
// Sizes and memory are estimates written down from the exports' published file lists (marked `estimated`); before
// anything is downloaded the load plan (plan.ts) measures the real files and uses those numbers. To add a model,
// add an entry: a hub repository (or a folder the user opens), its family, the dtypes to try per device, and the
// estimates. Everything else (file names, external data, which dtype files exist) is worked out from the export.

/** Where a model runs: onnxruntime-web's WebGPU or wasm backend, or onnxruntime-node ('cpu': CLIs and tests). */
export type HubDevice = 'webgpu' | 'wasm' | 'cpu';

/** transformers.js dtypes (file suffixes: fp32 '', fp16 '_fp16', q8 '_quantized', q4 '_q4', q4f16 '_q4f16', …). */
export type HubDtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'q4f16' | 'bnb4';

export const DTYPE_SUFFIX: Readonly<Record<HubDtype, string>> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

/**
 * Which dtypes a device gets: 'webgpu-f16' is WebGPU on an adapter with shader-f16 (q4f16 and fp16 files),
 * 'webgpu' one without it (fp32 activations: q4 and fp32 files), 'wasm' the CPU fallback (q4 / 8-bit files).
 */
export type VariantKey = 'webgpu-f16' | 'webgpu' | 'wasm';

/** Per session (onnx/<session>*.onnx), the dtypes to use in order of preference: the first whose file exists wins. */
export type DtypePreferences = Readonly<Record<string, readonly HubDtype[]>>;

export interface SizeEstimate {
  /** All files of the variant. */
  downloadBytes: number;
  /** Weights in memory plus the runtime's working memory (KV cache at the longest answer, activations). */
  memoryBytes: number;
  /** The largest single weight tensor: one GPU buffer must hold it. */
  largestTensorBytes: number;
}

export type ModelSource =
  /** A repository on the hub (or a mirror), tried after /models/<repo>/ on this app (the offline copy). */
  | { kind: 'hub'; repo: string; revision?: string }
  /** A folder the user opens (or puts under public/models/<id>): exports of checkpoints that are not on the hub. */
  | { kind: 'folder' };

interface EntryBase {
  /** Catalogue key (stable, used in URLs and settings). */
  id: string;
  label: string;
  description: string;
  license: string;
  source: ModelSource;
  dtypes: Readonly<Record<VariantKey, DtypePreferences>>;
  estimates: Readonly<Record<VariantKey, SizeEstimate>>;
  /** Working memory beyond the weights (KV cache, activations), added to the measured weights in the plan. */
  runtimeBytes: number;
  /** The sizes have not been measured against the published files yet. */
  estimated: boolean;
}

export type PolicyFamily = 'qwen2_vl' | 'qwen2_5_vl' | 'qwen3_vl';

export interface PolicyEntry extends EntryBase {
  kind: 'policy';
  family: PolicyFamily;
  /** The image is resized to inputFrame × inputFrame (aspect ratio not kept) before the processor; null: as is. */
  inputFrame: number | null;
  /**
   * The square frame of the answer's coordinates: the input frame for models that answer in pixels (Qwen2.5-VL,
   * Seg-Zero, PixelThink), 1000 for those that answer in 0–1000 normalised coordinates (Qwen2-VL, Qwen3-VL).
   */
  answerFrame: number;
  /** Trained with the method's prompt and answer format (Seg-Zero, PixelThink); others answer zero-shot. */
  methodTrained: boolean;
}

export interface SegmenterEntry extends EntryBase {
  kind: 'segmenter';
  /** 'sam': SamModel (box as two corner points unless the export has input_boxes); 'sam2': Sam2Model (native boxes). */
  family: 'sam' | 'sam2';
}

export type CatalogueEntry = PolicyEntry | SegmenterEntry;

export const POLICY_SESSIONS = ['embed_tokens', 'vision_encoder', 'decoder_model_merged'] as const;
export const SEGMENTER_SESSIONS = ['vision_encoder', 'prompt_encoder_mask_decoder'] as const;

export function sessionsOf(entry: CatalogueEntry): readonly string[] {
  return entry.kind === 'policy' ? POLICY_SESSIONS : SEGMENTER_SESSIONS;
}

const MB = 1e6;
const GB = 1e9;

const POLICY_DTYPES: Record<VariantKey, DtypePreferences> = {
  'webgpu-f16': {
    embed_tokens: ['fp16', 'q4f16', 'q4', 'fp32'],
    vision_encoder: ['fp16', 'q4f16', 'q4', 'fp32'],
    decoder_model_merged: ['q4f16', 'fp16', 'q4', 'fp32'],
  },
  webgpu: {
    embed_tokens: ['q4', 'fp32', 'q8'],
    vision_encoder: ['q4', 'fp32', 'q8'],
    decoder_model_merged: ['q4', 'fp32', 'q8'],
  },
  wasm: {
    embed_tokens: ['q4', 'q8', 'int8', 'fp32'],
    vision_encoder: ['q8', 'int8', 'q4', 'fp32'],
    decoder_model_merged: ['q4', 'q8', 'int8', 'fp32'],
  },
};

const SEGMENTER_DTYPES: Record<VariantKey, DtypePreferences> = {
  'webgpu-f16': { vision_encoder: ['fp16', 'fp32'], prompt_encoder_mask_decoder: ['fp32', 'fp16'] },
  webgpu: { vision_encoder: ['fp32'], prompt_encoder_mask_decoder: ['fp32'] },
  wasm: { vision_encoder: ['q8', 'fp32'], prompt_encoder_mask_decoder: ['q8', 'fp32'] },
};

function estimate(downloadBytes: number, runtimeBytes: number, largestTensorBytes: number): SizeEstimate {
  return { downloadBytes, memoryBytes: Math.round(downloadBytes * 1.1 + runtimeBytes), largestTensorBytes };
}

/** The models the app offers, small ones first. */
export const CATALOGUE: readonly CatalogueEntry[] = [
  {
    kind: 'policy',
    id: 'qwen3-vl-2b-instruct',
    label: 'Qwen3-VL 2B Instruct',
    description:
      'The smallest capable policy: zero-shot with the method prompt (not trained on it). Answers in 0–1000 ' +
      'normalised coordinates.',
    license: 'Apache-2.0',
    source: { kind: 'hub', repo: 'onnx-community/Qwen3-VL-2B-Instruct-ONNX' },
    family: 'qwen3_vl',
    inputFrame: 840,
    answerFrame: 1000,
    methodTrained: false,
    dtypes: POLICY_DTYPES,
    runtimeBytes: 600 * MB,
    estimates: {
      'webgpu-f16': estimate(1.37 * GB, 600 * MB, 640 * MB),
      webgpu: estimate(1.53 * GB, 900 * MB, 640 * MB),
      wasm: estimate(1.53 * GB, 900 * MB, 640 * MB),
    },
    estimated: true,
  },
  {
    kind: 'policy',
    id: 'qwen2.5-vl-3b-instruct',
    label: 'Qwen2.5-VL 3B Instruct',
    description:
      'The base model family of Seg-Zero and PixelThink, zero-shot here. Answers in pixels of the 840 × 840 ' +
      'image it sees, like the released models.',
    license: 'Qwen Research License',
    source: { kind: 'hub', repo: 'onnx-community/Qwen2.5-VL-3B-Instruct-ONNX' },
    family: 'qwen2_5_vl',
    inputFrame: 840,
    answerFrame: 840,
    methodTrained: false,
    dtypes: POLICY_DTYPES,
    runtimeBytes: 800 * MB,
    estimates: {
      'webgpu-f16': estimate(2.55 * GB, 800 * MB, 630 * MB),
      webgpu: estimate(2.9 * GB, 1.2 * GB, 630 * MB),
      wasm: estimate(2.9 * GB, 1.2 * GB, 630 * MB),
    },
    estimated: true,
  },
  {
    kind: 'policy',
    id: 'qwen2-vl-2b-instruct',
    label: 'Qwen2-VL 2B Instruct',
    description:
      'Zero-shot with the method prompt. Its vision tower attends over all 3600 patches of an 840 image: heavy. ' +
      'Answers in 0–1000 normalised coordinates.',
    license: 'Apache-2.0',
    source: { kind: 'hub', repo: 'onnx-community/Qwen2-VL-2B-Instruct' },
    family: 'qwen2_vl',
    inputFrame: 840,
    answerFrame: 1000,
    methodTrained: false,
    dtypes: POLICY_DTYPES,
    runtimeBytes: 1.0 * GB,
    estimates: {
      'webgpu-f16': estimate(2.7 * GB, 1.0 * GB, 470 * MB),
      webgpu: estimate(3.3 * GB, 1.6 * GB, 470 * MB),
      wasm: estimate(2.2 * GB, 1.6 * GB, 470 * MB),
    },
    estimated: true,
  },
  {
    kind: 'policy',
    id: 'method-export-folder',
    label: 'Seg-Zero / PixelThink export (folder)',
    description:
      'A Seg-Zero or PixelThink checkpoint exported to ONNX in the onnx-community Qwen2.5-VL layout ' +
      '(onnx/embed_tokens, vision_encoder, decoder_model_merged + tokenizer and configs): open its folder, or ' +
      'put it under public/models/<id>. Trained on the method prompt; answers in the 840 frame. Estimates are ' +
      'for a 7B export (a 3B one is about half).',
    license: 'as the checkpoint',
    source: { kind: 'folder' },
    family: 'qwen2_5_vl',
    inputFrame: 840,
    answerFrame: 840,
    methodTrained: true,
    dtypes: POLICY_DTYPES,
    runtimeBytes: 1.2 * GB,
    estimates: {
      'webgpu-f16': estimate(5.5 * GB, 1.2 * GB, 1.1 * GB),
      webgpu: estimate(6.0 * GB, 1.8 * GB, 1.1 * GB),
      wasm: estimate(6.0 * GB, 1.8 * GB, 1.1 * GB),
    },
    estimated: true,
  },
  {
    kind: 'segmenter',
    id: 'slimsam-77-uniform',
    label: 'SlimSAM-77',
    description: 'SAM ViT-B pruned to 77% fewer parameters: small and fast, a little less exact.',
    license: 'Apache-2.0',
    source: { kind: 'hub', repo: 'Xenova/slimsam-77-uniform' },
    family: 'sam',
    dtypes: SEGMENTER_DTYPES,
    runtimeBytes: 150 * MB,
    estimates: {
      'webgpu-f16': estimate(40 * MB, 150 * MB, 8 * MB),
      webgpu: estimate(55 * MB, 150 * MB, 8 * MB),
      wasm: estimate(15 * MB, 150 * MB, 8 * MB),
    },
    estimated: true,
  },
  {
    kind: 'segmenter',
    id: 'sam2.1-hiera-tiny',
    label: 'SAM 2.1 Hiera Tiny',
    description: 'SAM2 image model, tiny: boxes are native prompts.',
    license: 'Apache-2.0',
    source: { kind: 'hub', repo: 'onnx-community/sam2.1-hiera-tiny-ONNX' },
    family: 'sam2',
    dtypes: SEGMENTER_DTYPES,
    runtimeBytes: 300 * MB,
    estimates: {
      'webgpu-f16': estimate(80 * MB, 300 * MB, 20 * MB),
      webgpu: estimate(155 * MB, 400 * MB, 20 * MB),
      wasm: estimate(50 * MB, 400 * MB, 20 * MB),
    },
    estimated: true,
  },
  {
    kind: 'segmenter',
    id: 'sam2.1-hiera-small',
    label: 'SAM 2.1 Hiera Small',
    description: 'SAM2 image model, small: more exact than tiny, a little slower.',
    license: 'Apache-2.0',
    source: { kind: 'hub', repo: 'onnx-community/sam2.1-hiera-small-ONNX' },
    family: 'sam2',
    dtypes: SEGMENTER_DTYPES,
    runtimeBytes: 350 * MB,
    estimates: {
      'webgpu-f16': estimate(95 * MB, 350 * MB, 20 * MB),
      webgpu: estimate(185 * MB, 450 * MB, 20 * MB),
      wasm: estimate(60 * MB, 450 * MB, 20 * MB),
    },
    estimated: true,
  },
  {
    kind: 'segmenter',
    id: 'sam-vit-base',
    label: 'SAM ViT-B',
    description:
      'The original Segment Anything, base size: the reference quality, the largest download here.',
    license: 'Apache-2.0',
    source: { kind: 'hub', repo: 'Xenova/sam-vit-base' },
    family: 'sam',
    dtypes: SEGMENTER_DTYPES,
    runtimeBytes: 400 * MB,
    estimates: {
      'webgpu-f16': estimate(200 * MB, 400 * MB, 10 * MB),
      webgpu: estimate(375 * MB, 500 * MB, 10 * MB),
      wasm: estimate(110 * MB, 500 * MB, 10 * MB),
    },
    estimated: true,
  },
];

export class CatalogueError extends Error {
  override readonly name = 'CatalogueError';
}

export function catalogueEntry(id: string, catalogue: readonly CatalogueEntry[] = CATALOGUE): CatalogueEntry {
  const entry = catalogue.find((e) => e.id === id);
  if (!entry) throw new CatalogueError(`"${id}" is not in the model catalogue.`);
  return entry;
}

/** The variant a device runs: WebGPU with or without shader-f16, or wasm (onnxruntime-node uses the wasm choice). */
export function variantFor(device: HubDevice, shaderF16: boolean): VariantKey {
  if (device === 'webgpu') return shaderF16 ? 'webgpu-f16' : 'webgpu';
  return 'wasm';
}

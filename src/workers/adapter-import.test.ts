// PEFT adapter files: export → import round trip, and every refusal reason of the import, with the store unchanged.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openPlaygroundDb, type PlaygroundDb } from '../data/store';
import { getAdapter, listAdapters } from '../data/training';
import {
  AdapterFileError,
  LoraAdapters,
  encodeAdapterFile,
  loadLora,
  loraBaseOf,
  loraTensorName,
  type AdapterFileErrorCode,
  type LoraConfig,
} from '../model/lora';
import { tinyModel } from '../model/transformer/test-support';
import { Random, ReferenceBackend } from '../webgpu';
import {
  readSafetensors,
  writeSafetensors,
  type TensorToWrite,
  type WritableDType,
} from '../webgpu/safetensors';
import { importAdapterFile } from './adapter-import';

const backend = new ReferenceBackend();
const model = tinyModel(backend);
const BASE_ID = 'tiny-test';
const base = loraBaseOf(model, BASE_ID);
const CONFIG: LoraConfig = { rank: 2, alpha: 4, targets: ['q_proj', 'v_proj'], baseModelId: BASE_ID };

/** A trained-looking adapter (B random too) exported as the app exports it. */
async function exported(): Promise<Uint8Array> {
  const fresh = LoraAdapters.create(model, CONFIG, 5);
  const rng = new Random(6);
  const values = new Map<string, ArrayLike<number>>();
  for (const [name, t] of Object.entries(fresh.parameters()))
    values.set(name, name.includes('lora_B') ? rng.normals(t.size, 0, 0.1) : await t.data());
  fresh.dispose();
  const adapters = LoraAdapters.fromValues(model, CONFIG, values);
  const bytes = await encodeAdapterFile(adapters, {
    name: 'trained',
    settings: { steps: 4, grpo: { groupSize: 2 } },
    rewardParams: { preset: 'pixelthink', tau1: 5 },
    step: 4,
    runId: 'run-1',
  });
  adapters.dispose();
  return bytes;
}

/** Rewrites a file: its tensors (as F32 values) and metadata through `change`. */
function rewrite(
  bytes: Uint8Array,
  change: (tensors: Record<string, TensorToWrite>, metadata: Record<string, string>) => void,
): Uint8Array {
  const file = readSafetensors(bytes);
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, entry] of file.entries) {
    const view = new DataView(entry.bytes.buffer, entry.bytes.byteOffset, entry.bytes.byteLength);
    const data = Array.from({ length: entry.bytes.byteLength / 4 }, (_, i) => view.getFloat32(4 * i, true));
    tensors[name] = { dtype: 'F32', shape: entry.shape, data };
  }
  const metadata = { ...file.metadata };
  change(tensors, metadata);
  return writeSafetensors(tensors, metadata);
}

const firstB = loraTensorName(model.linearPaths.find((p) => p.endsWith('q_proj')) as string, 'B');

const CORRUPT: [AdapterFileErrorCode, (good: Uint8Array) => Uint8Array, RegExp][] = [
  [
    'not-safetensors',
    () => new TextEncoder().encode('this is not a safetensors file'),
    /not a readable safetensors/,
  ],
  ['no-metadata', (g) => rewrite(g, (_t, m) => delete m.lora_rank), /lacks lora_rank/],
  ['wrong-base-model', (g) => rewrite(g, (_t, m) => (m.base_model_id = 'qwen2-vl')), /trained on "qwen2-vl"/],
  ['bad-config', (g) => rewrite(g, (_t, m) => (m.target_modules = 'q_proj,zz_proj')), /settings are invalid/],
  ['bad-settings', (g) => rewrite(g, (_t, m) => (m.pixelthink_settings = '{steps:')), /not valid JSON/],
  [
    'unexpected-tensor',
    (g) => rewrite(g, (t) => (t['extra.weight'] = { dtype: 'F32', shape: [1], data: [0] })),
    /extra\.weight/,
  ],
  ['missing-tensor', (g) => rewrite(g, (t) => delete t[firstB]), /is missing/],
  [
    'bad-dtype',
    (g) =>
      rewrite(g, (t) => {
        const b = t[firstB] as TensorToWrite;
        t[firstB] = { dtype: 'I32' as WritableDType, shape: b.shape, data: Array.from(b.data, () => 0) };
      }),
    /is I32/,
  ],
  [
    'bad-shape',
    (g) =>
      rewrite(g, (t) => {
        const b = t[firstB] as TensorToWrite;
        t[firstB] = { ...b, shape: [b.shape[1] as number, b.shape[0] as number] };
      }),
    /the base model needs/,
  ],
  [
    'non-finite',
    (g) =>
      rewrite(g, (t) => {
        const b = t[firstB] as TensorToWrite;
        t[firstB] = { ...b, data: Array.from(b.data, (v, i) => (i === 3 ? NaN : v)) };
      }),
    /non-finite value \(NaN\) at 3/,
  ],
];

async function snapshot(db: PlaygroundDb) {
  return (await listAdapters(db)).map((a) => ({ ...a, bytes: [...new Uint8Array(a.bytes)] }));
}

describe('adapter files', () => {
  it('export with PEFT names and a JSON header, and import back to the same adapter', async () => {
    const bytes = await exported();
    const file = readSafetensors(bytes);
    expect([...file.entries.keys()].every((n) => /^base_model\.model\..+\.lora_[AB]\.weight$/.test(n))).toBe(
      true,
    );
    expect(file.metadata).toMatchObject({
      base_model_id: BASE_ID,
      base_model_name_or_path: BASE_ID,
      peft_type: 'LORA',
      lora_rank: '2',
      lora_alpha: '4',
      target_modules: 'q_proj,v_proj',
      grpo_step: '4',
    });
    expect(JSON.parse(file.metadata.pixelthink_settings as string)).toEqual({
      steps: 4,
      grpo: { groupSize: 2 },
    });
    const db = await openPlaygroundDb({ name: 'adapter-import-ok' });
    const stored = await importAdapterFile(db, bytes, 'trained.safetensors', base, 'import-1');
    expect(stored).toMatchObject({
      name: 'trained',
      rank: 2,
      alpha: 4,
      step: 4,
      source: 'imported',
      runId: null,
    });
    const back = loadLora(new Uint8Array((await getAdapter(db, 'import-1'))!.bytes), model);
    const original = loadLora(bytes, model);
    for (const [name, t] of Object.entries(original.parameters()))
      expect(await back.parameters()[name]!.data()).toEqual(await t.data());
    back.dispose();
    original.dispose();
    db.close();
  });

  it('refuses every kind of corrupt file with its reason and leaves the store as it was', async () => {
    const good = await exported();
    const db = await openPlaygroundDb({ name: 'adapter-import-refusals' });
    await importAdapterFile(db, good, 'good.safetensors', base, 'kept');
    const before = await snapshot(db);
    const refusals = [...CORRUPT, ['too-large', (g: Uint8Array) => g, /may have 100/] as const];
    for (const [code, corrupt, reason] of refusals) {
      const attempt = importAdapterFile(
        db,
        corrupt(good),
        'bad.safetensors',
        base,
        `bad-${code}`,
        code === 'too-large' ? 100 : undefined,
      );
      const error = await attempt.catch((e: unknown) => e);
      expect(error, code).toBeInstanceOf(AdapterFileError);
      expect((error as AdapterFileError).code, code).toBe(code);
      expect((error as AdapterFileError).message, code).toMatch(reason);
      expect(await snapshot(db), code).toEqual(before);
    }
    db.close();
  });
});

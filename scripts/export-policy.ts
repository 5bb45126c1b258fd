// CLI: writes pixelthink-nano's decoder (SFT checkpoint), perception and selector into public/models/pixelthink-nano with the folder's manifest.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildManifest } from '../src/model/hub/manifest';
import { policyFolderFiles } from '../src/model/pixelthink-nano/folder';
import { PERCEPTION_FILE } from '../src/model/pixelthink-nano/perceive';
import { SELECTOR_FILE } from '../src/model/pixelthink-nano/selector/select';
import { readSelectorCheckpoint } from '../src/model/pixelthink-nano/selector/train';
import { SftTrainer } from '../src/model/pixelthink-nano/sft';
import { parametersOnly } from '../src/model/training/checkpoint';
import type { QuantizeOptions } from '../src/model/transformer';
import { WasmBackend } from '../src/webgpu/backends/wasm';

/** Files of the folder that other commands write (the tokenizer) but the manifest covers too. */
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json'];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      checkpoint: { type: 'string', default: 'checkpoints/pixelthink-nano-sft.safetensors' },
      perception: { type: 'string', default: 'checkpoints/perception.safetensors' },
      selector: { type: 'string', default: 'checkpoints/selector.safetensors' },
      out: { type: 'string', default: 'public/models/pixelthink-nano' },
      bits: { type: 'string', default: '8' },
      'group-size': { type: 'string', default: '32' },
    },
  });
  const bits = Number(values.bits);
  const groupSize = Number(values['group-size']);
  if (bits !== 8 && bits !== 4 && bits !== 16)
    throw new Error(`--bits must be 8, 4 or 16 (f16), got ${values.bits}`);
  if (!Number.isInteger(groupSize) || groupSize < 1)
    throw new Error(`--group-size must be a positive integer`);
  const packing: QuantizeOptions = bits === 16 ? { bits } : { bits, groupSize };
  const label = bits === 16 ? 'f16' : `q${bits}`;
  const backend = await WasmBackend.create({ threads: 1 });
  const trainer = SftTrainer.restore(backend, readFileSync(resolve(values.checkpoint)));
  const selector = readSelectorCheckpoint(backend, readFileSync(resolve(values.selector)));
  const training = {
    sftSteps: trainer.step,
    selectorSteps: selector.optimizerState.step,
    seed: trainer.options.seed,
    batch: trainer.options.batch,
    weights: `${label} projections${bits === 16 ? '' : ` (group ${groupSize})`}, f32 embeddings and norms`,
  };
  // The projections ship packed (the LM head is the tied embedding table, which stays f32).
  await trainer.model.quantize(packing);
  const files = await policyFolderFiles(trainer.model, training);
  files.set(PERCEPTION_FILE, parametersOnly(readFileSync(resolve(values.perception))));
  files.set(SELECTOR_FILE, parametersOnly(readFileSync(resolve(values.selector))));
  const out = resolve(values.out);
  for (const [path, content] of files) writeFileSync(join(out, path), content);
  for (const path of TOKENIZER_FILES) files.set(path, readFileSync(join(out, path)));
  const manifest = await buildManifest('pixelthink-nano', files, training);
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const total = manifest.files.reduce((n, f) => n + f.bytes, 0);
  console.log(
    `pixelthink-nano (SFT step ${trainer.step}, ${label}) → ${out}: ${manifest.files.length} files, ${(total / 1024).toFixed(0)} KiB`,
  );
  backend.dispose();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

// CLI: exports a nano-sam checkpoint as the Segment-Anything ONNX folder with its manifest (npm run export:sam).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildManifest } from '../src/model/hub/manifest';
import { exportNanoSam, readWeights } from '../src/model/nano-sam/export';
import { NanoSamTrainer } from '../src/model/nano-sam/train';
import { WasmBackend } from '../src/webgpu/backends/wasm';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      checkpoint: { type: 'string', default: 'checkpoints/nano-sam.safetensors' },
      out: { type: 'string', default: 'public/models/nano-sam' },
    },
  });
  const backend = await WasmBackend.create({ threads: 1 });
  const trainer = NanoSamTrainer.restore(backend, readFileSync(resolve(values.checkpoint)));
  const files = exportNanoSam(trainer.config, await readWeights(trainer.params), { withBoxInput: true });
  const manifest = await buildManifest('nano-sam', files, {
    trainedSteps: trainer.step,
    seed: trainer.options.seed,
    checkpoint: values.checkpoint,
  });
  const out = resolve(values.out);
  for (const [path, content] of files) {
    mkdirSync(dirname(join(out, path)), { recursive: true });
    writeFileSync(join(out, path), content);
  }
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const total = manifest.files.reduce((n, f) => n + f.bytes, 0);
  console.log(
    `nano-sam (step ${trainer.step}) → ${out}: ${manifest.files.length} files, ${(total / 1024).toFixed(1)} KiB`,
  );
  backend.dispose();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

// Compiles the AssemblyScript SIMD kernels into src/webgpu/wasm/generated/ (shared-memory and single-thread builds), skipping unchanged sources.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const sourceDir = join(root, 'src/webgpu/wasm/assembly');
const outDir = join(root, 'src/webgpu/wasm/generated');
const stampFile = join(outDir, 'kernels.stamp');
const compilerPackage = join(root, 'node_modules/assemblyscript/package.json');
const ascCli = join(root, 'node_modules/assemblyscript/bin/asc.js');

/** Flags both builds share: SIMD, full optimisation, no GC, no data segments from abort messages. */
const COMMON_FLAGS = [
  '--enable',
  'simd',
  '-O3',
  '--runtime',
  'stub',
  '--noAssert',
  '--use',
  'abort=',
  '--importMemory',
  '--initialMemory',
  '1',
  // AS112 warns that v128 crosses function boundaries; it only does so between our own internal functions.
  '--disableWarning',
  '112',
];

/**
 * One compile with an imported shared memory (so workers can instantiate the same code on the same heap); 65536
 * pages (4 GiB) is the wasm32 ceiling, the host picks its own maximum. The kernels use no atomics, so the code is
 * valid on ordinary memory too: the single-thread build is the same binary with the memory import's shared bit
 * cleared, which halves the build time (binaryen -O3 dominates it).
 */
const THREADS_FLAGS = ['--enable', 'threads', '--sharedMemory', '--maximumMemory', '65536'];
const OUTPUTS = { threads: 'kernels-threads.wasm', single: 'kernels.wasm' } as const;

function sourceFiles(): string[] {
  return readdirSync(sourceDir)
    .filter((name) => name.endsWith('.ts') || name.endsWith('.json'))
    .sort()
    .map((name) => join(sourceDir, name));
}

/** A digest of everything that determines the output: sources, flags and the compiler version. */
function inputsDigest(): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles()) hash.update(file).update(readFileSync(file));
  hash.update(JSON.stringify({ COMMON_FLAGS, THREADS_FLAGS })).update(readFileSync(compilerPackage));
  return hash.digest('hex');
}

function upToDate(digest: string): boolean {
  if (!existsSync(stampFile)) return false;
  const outputsExist = Object.values(OUTPUTS).every((file) => existsSync(join(outDir, file)));
  return outputsExist && readFileSync(stampFile, 'utf8').trim() === digest;
}

/**
 * Runs the asc CLI in a plain node child: loaded through tsx's module hooks, asc's 10 MB binaryen bundle takes
 * ~20 s to import instead of ~1 s.
 */
function compileThreadsBuild(): Uint8Array {
  const outFile = join(outDir, OUTPUTS.threads);
  const args = [ascCli, join(sourceDir, 'index.ts'), ...COMMON_FLAGS, ...THREADS_FLAGS, '-o', outFile];
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', env: withoutNodeOptions() });
  if (result.status !== 0) throw new Error(`asc failed (exit ${result.status ?? result.signal})`);
  return readFileSync(outFile);
}

/** tsx may pass its loader through NODE_OPTIONS; the compiler child must not inherit it. */
function withoutNodeOptions(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

const SECTION_IMPORT = 2;
const IMPORT_KIND_MEMORY = 2;
const LIMITS_SHARED_WITH_MAX = 0x03;
const LIMITS_WITH_MAX = 0x01;

/** A copy of the module whose memory import is not shared (the limits flag byte 0x03 → 0x01; sizes are unchanged). */
function withUnsharedMemory(module: Uint8Array): Uint8Array {
  const bytes = module.slice();
  let offset = 8; // magic + version
  while (offset < bytes.length) {
    const id = bytes[offset++];
    const [size, afterSize] = readLeb(bytes, offset);
    if (id === SECTION_IMPORT) {
      clearSharedFlag(bytes, afterSize);
      return bytes;
    }
    offset = afterSize + size;
  }
  throw new Error('kernels-threads.wasm has no import section');
}

function clearSharedFlag(bytes: Uint8Array, sectionStart: number): void {
  let [count, offset] = readLeb(bytes, sectionStart);
  for (; count > 0; count--) {
    for (const _name of ['module', 'field']) {
      const [length, afterLength] = readLeb(bytes, offset);
      offset = afterLength + length;
    }
    const kind = bytes[offset++];
    if (kind === IMPORT_KIND_MEMORY) {
      if (bytes[offset] !== LIMITS_SHARED_WITH_MAX) throw new Error('expected a shared memory import');
      bytes[offset] = LIMITS_WITH_MAX;
      return;
    }
    throw new Error(`unexpected import kind ${kind}: the kernels import only env.memory`);
  }
  throw new Error('no memory import found');
}

/** Unsigned LEB128 at offset: [value, offset after it]. */
function readLeb(bytes: Uint8Array, offset: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[offset++] ?? 0;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, offset];
  }
}

async function main(): Promise<void> {
  const force = process.argv.includes('--force');
  const digest = inputsDigest();
  if (!force && upToDate(digest)) {
    console.log('kernels: up to date');
    return;
  }
  mkdirSync(outDir, { recursive: true });
  const started = performance.now();
  const threaded = compileThreadsBuild();
  writeFileSync(join(outDir, OUTPUTS.single), withUnsharedMemory(threaded));
  writeFileSync(stampFile, `${digest}\n`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`kernels: built ${Object.values(OUTPUTS).join(', ')} in ${seconds} s`);
}

await main();

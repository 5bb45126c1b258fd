// CLI: score every case of a reward vectors file and report mismatches (npm run -s reward -- --vectors FILE).
import { readFileSync } from 'node:fs';
import { checkRewardVectors, formatMismatch, parseRewardVectors } from '../src/rl/vectors';
import { VectorsFormatError } from '../src/rl/errors';

const USAGE = 'usage: npm run -s reward -- --vectors FILE';

class UsageError extends Error {}

class FileError extends Error {}

function vectorsPath(args: readonly string[]): string {
  const inline = args.find((arg) => arg.startsWith('--vectors='));
  if (inline !== undefined) return inline.slice('--vectors='.length);
  const index = args.indexOf('--vectors');
  const path = index >= 0 ? args[index + 1] : undefined;
  if (path === undefined || path.startsWith('--')) throw new UsageError(USAGE);
  return path;
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FileError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new VectorsFormatError(
      '(file)',
      `not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Returns the exit code: 0 when every case passes, 1 on any failure or unusable file, 2 on bad usage. */
function main(args: readonly string[]): number {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let path = '';
  try {
    path = vectorsPath(args);
    const file = parseRewardVectors(readJson(path));
    const report = checkRewardVectors(file);
    for (const mismatch of report.mismatches) console.log(formatMismatch(mismatch));
    console.log(`${report.passed} passed, ${report.failed} failed`);
    return report.failed === 0 ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(error.message);
      return 2;
    }
    if (error instanceof FileError) {
      console.error(`reward: ${error.message}`);
      return 1;
    }
    if (error instanceof VectorsFormatError) {
      console.error(`reward: malformed vectors file ${path}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = main(process.argv.slice(2));

// WebGPU backend vs the f64 reference, primitive by primitive, in Chromium on SwiftShader (debug mode: poisoned outputs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConformance, conformanceCases } from '../testing/conformance';
import { WebGpuBackend } from './webgpu';

let backend: WebGpuBackend;

beforeAll(async () => {
  backend = await WebGpuBackend.create(undefined, { debug: true });
});

afterAll(() => backend.dispose());

describe('WebGPU backend conformance', () => {
  const families = [...new Set(conformanceCases().map((c) => c.name.split(' ')[0] as string))];
  it.each(families)('%s matches the reference', async (family) => {
    const mismatches = await checkConformance(backend, {
      only: (name) => name.split(' ')[0] === family,
    });
    expect(mismatches).toEqual([]);
  });
});

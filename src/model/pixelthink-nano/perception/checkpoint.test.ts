// The committed checkpoint (checkpoints/perception.safetensors) still reaches its reported quality on 50 val scenes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WasmBackend } from '../../../webgpu/backends/wasm';
import { DEFAULT_EVALUATE_OPTIONS, evaluateDetector } from './evaluate';
import { readPerceptionCheckpoint } from './train';

const CHECKPOINT = new URL('../../../../checkpoints/perception.safetensors', import.meta.url);

describe('committed perception checkpoint', () => {
  // Reported in docs/models.md for val scenes 0–49: every object found and named, box L1 2.27, points 8.50.
  it('detects, names and boxes every object of 50 val scenes', async () => {
    const backend = await WasmBackend.create({ threads: 1 });
    const { config, params, optimizerState } = readPerceptionCheckpoint(backend, readFileSync(CHECKPOINT));
    expect(optimizerState.step).toBe(1600);
    const m = await evaluateDetector(params, config, backend, { ...DEFAULT_EVALUATE_OPTIONS, count: 50 });
    expect([m.objects, m.detections]).toEqual([304, 304]);
    expect([m.recall, m.precision]).toEqual([1, 1]);
    expect([m.colourAccuracy, m.shapeAccuracy, m.sizeAccuracy]).toEqual([1, 1, 1]);
    expect(m.boxL1Under10).toBe(1);
    expect(m.meanBoxL1).toBeCloseTo(2.27, 1);
    expect(m.meanPointDistance).toBeCloseTo(8.5, 1);
    backend.dispose();
  }, 60_000);
});

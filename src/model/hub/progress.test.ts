// Load progress: planned sizes up front, per-file bytes from transformers.js' events, phases, throttling.
import { describe, expect, it } from 'vitest';
import { LoadProgressTracker, type LoadProgress } from './progress';

const plan = {
  modelId: 'org/model',
  files: [
    { path: 'config.json', bytes: 100, from: 'hub' as const, url: '', required: true },
    { path: 'onnx/model.onnx', bytes: 1000, from: 'hub' as const, url: '', required: true },
  ],
};

describe('LoadProgressTracker', () => {
  it('knows the total before the first byte and sums per-file progress', () => {
    const seen: LoadProgress[] = [];
    let clock = 0;
    const tracker = new LoadProgressTracker(
      plan,
      (p) => seen.push(p),
      100,
      () => clock,
    );
    expect(tracker.snapshot()).toMatchObject({ phase: 'planned', loaded: 0, total: 1100 });
    tracker.handle({ status: 'initiate', file: 'config.json' });
    tracker.handle({ status: 'done', file: 'config.json' });
    clock = 50;
    tracker.handle({ status: 'progress', file: 'onnx/model.onnx', loaded: 400, total: 1000 }); // within 100 ms: held
    clock = 200;
    tracker.handle({ status: 'progress', file: 'onnx/model.onnx', loaded: 500, total: 1000 });
    tracker.handle({ status: 'done', file: 'onnx/model.onnx' });
    expect(seen.map((p) => p.loaded)).toEqual([100, 600, 1100]);
    expect(seen.at(-1)).toMatchObject({ phase: 'initialising', loaded: 1100, total: 1100 });
    expect(seen.at(-1)!.files.every((f) => f.done)).toBe(true);
    tracker.setPhase('ready');
    expect(seen.at(-1)!.message).toBe('loaded org/model');
  });

  it('adds files the plan did not list, and ignores events without a file', () => {
    const tracker = new LoadProgressTracker(plan, () => {}, 0);
    tracker.handle({ status: 'progress_total', loaded: 5, total: 10 });
    tracker.handle({ status: 'progress', file: 'extra.json', loaded: 10, total: 20 });
    const snapshot = tracker.snapshot();
    expect(snapshot.files.map((f) => f.path)).toEqual(['config.json', 'onnx/model.onnx', 'extra.json']);
    expect(snapshot.total).toBe(1120);
  });
});

// The seeded generator: reproducible streams, sane uniform/normal statistics.
import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from './backends/reference';
import { randn } from './creation';
import { Random } from './random';

describe('Random', () => {
  it('repeats exactly for a seed and differs between seeds', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const streamA = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(streamA);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(streamA);
  });

  it('produces uniforms in [0, 1) and normals with mean 0, variance 1', () => {
    const rng = new Random(1);
    const u = rng.uniforms(20000);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const n = rng.normals(20000);
    const mean = n.reduce((s, v) => s + v, 0) / n.length;
    const variance = n.reduce((s, v) => s + (v - mean) ** 2, 0) / n.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('gives the same tensor on backends of different precision', async () => {
    const f32 = await randn([7], { rng: 9, backend: new ReferenceBackend() }).data();
    const f64 = await randn([7], { rng: 9, backend: new ReferenceBackend({ precision: 'f64' }) }).data();
    expect(Array.from(f64)).toEqual(Array.from(f32));
  });
});

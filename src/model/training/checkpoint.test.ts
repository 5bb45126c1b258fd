// Training checkpoints: parameters, moments and metadata round-trip; the parameters-only form ships without moments.
import { describe, expect, it } from 'vitest';
import { AdamW, ReferenceBackend, Tape, fromArray, parameter, scope, sum, mul } from '../../webgpu';
import { parametersOnly, readCheckpoint, writeCheckpoint } from './checkpoint';

describe('training checkpoints', () => {
  it('round-trip parameters, moments, step and metadata; parametersOnly drops only the moments', async () => {
    const backend = new ReferenceBackend();
    const weight = parameter(fromArray([1, -2, 3], [3], { backend }));
    const optimizer = new AdamW({ weight }, { lr: 0.1, weightDecay: 0, maxGradNorm: 1 });
    scope(() => {
      const tape = new Tape();
      const loss = tape.record(() => sum(mul(weight, weight)));
      optimizer.update(tape.grad(loss, optimizer.params), 0.1);
    });
    const params = new Map([['weight', weight]]);
    const full = await writeCheckpoint(params, optimizer, { options: { seed: 7 } });
    const restored = readCheckpoint(backend, full);
    expect(Array.from(await restored.params.get('weight')!.data())).toEqual(Array.from(await weight.data()));
    expect(Object.keys(restored.optimizerState.tensors).sort()).toEqual(['m.weight', 'v.weight']);
    expect(restored.optimizerState.step).toBe(1);
    expect(restored.metadata).toEqual({ options: { seed: 7 } });

    const slim = parametersOnly(full);
    expect(slim.length).toBeLessThan(full.length);
    const read = readCheckpoint(backend, slim);
    expect(Array.from(await read.params.get('weight')!.data())).toEqual(Array.from(await weight.data()));
    expect(read.optimizerState).toEqual({ step: 1, tensors: {} });
    expect(read.metadata).toEqual({ options: { seed: 7 } });
  });
});

// The conformance harness itself: the f32 reference passes it, and a deliberately broken backend is caught.
import { describe, expect, it } from 'vitest';
import type { MatmulSpec, Storage } from '../backend';
import { ReferenceBackend } from '../backends/reference';
import { checkConformance, conformanceCases } from './conformance';

/** A reference backend whose matmul gets its last element wrong: the kind of edge-tile bug the harness must catch. */
class WrongLastElement extends ReferenceBackend {
  override matmul(a: Storage, b: Storage, spec: MatmulSpec): Storage {
    const correct = super.matmul(a, b, spec);
    const values = this.peek(correct);
    this.free(correct);
    values[values.length - 1] = (values[values.length - 1] as number) + 0.5;
    return this.upload(values, 'f32');
  }
}

describe('backend conformance harness', () => {
  it('covers every primitive of the interface', () => {
    const names = conformanceCases().map((c) => c.name.split(' ')[0]);
    for (const primitive of [
      'unary',
      'unaryBackward',
      'binary',
      'broadcast',
      'fill',
      'cast',
      'reduce',
      'softmax',
      'softmaxBackward',
      'rmsNorm',
      'rmsNormBackward',
      'layerNorm',
      'layerNormBackward',
      'matmul',
      'attention',
      'attentionBackward',
      'conv2d',
      'conv2dBackwardInput',
      'conv2dBackwardWeight',
      'rope',
      'gatherRows',
      'scatterAddRows',
      'logSoftmaxGather',
      'logSoftmaxGatherBackward',
      'entropy',
      'entropyBackward',
      'permute',
      'slice',
      'pad',
      'concat',
      'writeSlice',
      'adamwUpdate',
      'matmulQuantized',
    ]) {
      expect(names).toContain(primitive);
    }
  });

  it('passes the f32 reference backend (with poisoned allocation) against the f64 one', async () => {
    expect(await checkConformance(new ReferenceBackend({ poison: true }))).toEqual([]);
  });

  it('catches a wrong element', async () => {
    const mismatches = await checkConformance(new WrongLastElement(), {
      only: (name) => name.startsWith('matmul'),
    });
    expect(mismatches.length).toBeGreaterThan(0);
    expect(mismatches[0]?.case).toMatch(/^matmul/);
  });
});

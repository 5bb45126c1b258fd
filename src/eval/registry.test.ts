// Tests of the runner registry and of the runners registered by default.
import { describe, expect, it } from 'vitest';
import { defaultPolicies, defaultSegmenters } from './default-runners';
import { EvalError, UnknownRunnerError } from './errors';
import { RunnerRegistry } from './registry';
import type { SegmenterRunner } from './types';

const stub = (id: string): SegmenterRunner => ({
  id,
  segment: () => Promise.resolve({ mask: new Uint8Array(0), score: 0, timingsMs: {} }),
});

describe('RunnerRegistry', () => {
  it('knows the oracles out of the box', async () => {
    expect(defaultPolicies().ids()).toEqual(['oracle', 'oracle-long']);
    expect(defaultSegmenters().ids()).toEqual(['oracle']);
    expect((await defaultPolicies().create('oracle-long')).id).toBe('oracle-long');
  });

  it('names the known ids when asked for an unknown one', async () => {
    await expect(defaultPolicies().create('qwen')).rejects.toThrow(
      'unknown policy "qwen"; known policy ids: oracle, oracle-long',
    );
    expect(() => defaultSegmenters().entry('sam')).toThrow(UnknownRunnerError);
  });

  it('lets a runner plug in, once, under its own id', async () => {
    const registry = new RunnerRegistry<SegmenterRunner>('segmenter');
    registry.register({
      id: 'nano-sam',
      description: 'test',
      create: () => Promise.resolve(stub('nano-sam')),
    });
    expect((await registry.create('nano-sam')).id).toBe('nano-sam');
    expect(() =>
      registry.register({ id: 'nano-sam', description: 'again', create: () => stub('nano-sam') }),
    ).toThrow(/already registered/);
    registry.register({ id: 'liar', description: 'wrong id', create: () => stub('other') });
    await expect(registry.create('liar')).rejects.toThrow(EvalError);
    // The entry's model with a LoRA adapter names itself <id>+lora; no other suffix passes.
    registry.register({ id: 'nano', description: 'adapted', create: () => stub('nano+lora') });
    expect((await registry.create('nano')).id).toBe('nano+lora');
    registry.register({ id: 'near', description: 'other suffix', create: () => stub('near+x') });
    await expect(registry.create('near')).rejects.toThrow(EvalError);
  });
});

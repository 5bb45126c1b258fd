// LoRA: B = 0 is the base exactly, merge = unmerged, gradients reach only the adapters (finite differences), file I/O.
import { describe, expect, it } from 'vitest';
import { AdamW, ReferenceBackend, Random, Tape, fromArray, mul, scope, sum } from '../../webgpu';
import type { Tensor } from '../../webgpu';
import { grpoTokenLoss } from '../../rl';
import { groupLogProbs, sequenceLogProbs } from '../generate';
import type { Transformer } from '../transformer';
import { TINY_CONFIG, hostLogits, ids, maxAbsDiff, tinyModel } from '../transformer/test-support';
import { LoraAdapters, LoraError, loadLora, loraTensorName, mergeLora, saveLora } from '.';
import type { LoraConfig } from '.';

const PROMPT = [3, 7, 1, 12, 5, 9];
const LORA: LoraConfig = {
  rank: 4,
  alpha: 8,
  targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
  baseModelId: 'tiny-test',
};

/** Adapters whose B is random too (a fresh B = 0 would hide every bug in the A path and in the merge). */
async function trainedLookingAdapters(model: Transformer, seed: number): Promise<LoraAdapters> {
  const fresh = LoraAdapters.create(model, LORA, seed);
  const rng = new Random(seed + 1);
  const values = new Map<string, ArrayLike<number>>();
  for (const [name, tensor] of Object.entries(fresh.parameters())) {
    values.set(name, name.includes('lora_B') ? rng.normals(tensor.size, 0, 0.1) : await tensor.data());
  }
  fresh.dispose();
  return LoraAdapters.fromValues(model, LORA, values);
}

describe('LoRA', () => {
  it('with B = 0 gives exactly the base logits; the base weights stay frozen', async () => {
    const backend = new ReferenceBackend({ poison: true });
    const model = tinyModel(backend);
    const lora = LoraAdapters.create(model, LORA, 7);
    expect(Object.keys(lora.parameters())).toHaveLength(2 * 7 * TINY_CONFIG.layers);
    expect(Object.keys(lora.parameters())[0]).toBe(
      'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight',
    );
    const base = await hostLogits(model, () => ({ inputIds: ids(model, [PROMPT]) }));
    const adapted = await hostLogits(model, () => ({ inputIds: ids(model, [PROMPT]), adapter: lora }));
    expect(maxAbsDiff(adapted, base)).toBe(0);
    expect([...model.namedTensors().values()].some((t) => t.requiresGrad)).toBe(false);
    expect(Object.values(lora.parameters()).every((t) => t.requiresGrad)).toBe(true);
    lora.dispose();
    model.dispose();
  });

  it('merged into the base equals the unmerged adapter within 1e-5; a quantised base refuses to merge', async () => {
    const backend = new ReferenceBackend({ poison: true });
    const model = tinyModel(backend);
    const lora = await trainedLookingAdapters(model, 3);
    const base = await hostLogits(model, () => ({ inputIds: ids(model, [PROMPT]) }));
    const unmerged = await hostLogits(model, () => ({ inputIds: ids(model, [PROMPT]), adapter: lora }));
    expect(maxAbsDiff(unmerged, base)).toBeGreaterThan(1e-2);
    mergeLora(model, lora);
    const merged = await hostLogits(model, () => ({ inputIds: ids(model, [PROMPT]) }));
    expect(maxAbsDiff(merged, unmerged)).toBeLessThan(1e-5);
    lora.dispose();
    model.dispose();

    const packed = tinyModel(backend);
    await packed.quantize({ bits: 8, groupSize: 16 });
    const packedLora = LoraAdapters.create(packed, LORA, 1);
    expect(() => mergeLora(packed, packedLora)).toThrow(LoraError);
    packedLora.dispose();
    packed.dispose();
  });

  it('sends gradients through sequenceLogProbs to the adapters only, matching finite differences (f64)', () => {
    const backend = new ReferenceBackend({ precision: 'f64' });
    const model = tinyModel(backend);
    const completion = [2, 8, 8, 1];
    const weights = new Random(5).normals(completion.length);
    // values: the adapter tensors by name, so a perturbed copy can be built per evaluation.
    const values = new Map<string, Float64Array>();
    const template = LoraAdapters.create(model, LORA, 3);
    const rng = new Random(4);
    for (const [name, tensor] of Object.entries(template.parameters())) {
      values.set(
        name,
        name.includes('lora_B') ? rng.normals(tensor.size, 0, 0.1) : backend.peek(tensor.storage),
      );
    }
    template.dispose();
    const objective = (lora: LoraAdapters): Tensor =>
      sum(
        mul(
          sequenceLogProbs(model, PROMPT, completion, { adapter: lora }).logProbs,
          fromArray(weights, [4], { backend }),
        ),
      );
    const lossAt = (vals: Map<string, Float64Array>): number => {
      const lora = LoraAdapters.fromValues(model, LORA, vals);
      const loss = scope(() => backend.peek(objective(lora).storage)[0] as number);
      lora.dispose();
      return loss;
    };
    const lora = LoraAdapters.fromValues(model, LORA, values);
    const names = Object.keys(lora.parameters());
    const analytic = scope(() => {
      const tape = new Tape();
      const loss = tape.record(() => objective(lora));
      const frozen = model.tensorAt('model.norm.weight');
      const grads = tape.grad(loss, [...Object.values(lora.parameters()), frozen]);
      return grads.map((g) => backend.peek(g.storage));
    });
    // The frozen base gets no gradient (the tape never tracked it).
    expect(analytic.at(-1)?.every((v) => v === 0)).toBe(true);
    lora.dispose();
    const checked = [
      [loraTensorName('model.layers.0.self_attn.q_proj', 'A'), 5],
      [loraTensorName('model.layers.1.self_attn.v_proj', 'B'), 3],
      [loraTensorName('model.layers.1.mlp.down_proj', 'A'), 17],
      [loraTensorName('model.layers.0.mlp.gate_proj', 'B'), 0],
    ] as const;
    const h = 1e-5;
    for (const [name, index] of checked) {
      const original = values.get(name) as Float64Array;
      const perturbed = (delta: number) => {
        const copy = Float64Array.from(original);
        copy[index] = (copy[index] ?? 0) + delta;
        return new Map(values).set(name, copy);
      };
      const numeric = (lossAt(perturbed(h)) - lossAt(perturbed(-h))) / (2 * h);
      const got = analytic[names.indexOf(name)]?.[index] ?? NaN;
      expect(Math.abs(got - numeric)).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
      expect(Math.abs(numeric)).toBeGreaterThan(1e-8);
    }
    model.dispose();
  });

  it('round-trips adapters through safetensors with their metadata', async () => {
    const backend = new ReferenceBackend({ poison: true });
    const model = tinyModel(backend);
    const lora = await trainedLookingAdapters(model, 9);
    const bytes = await saveLora(lora, { run: 'unit-test' });
    const loaded = loadLora(bytes, model);
    expect(loaded.config).toEqual(LORA);
    const a = await hostLogits(model, () => ({ inputIds: ids(model, [PROMPT]), adapter: lora }));
    const b = await hostLogits(model, () => ({ inputIds: ids(model, [PROMPT]), adapter: loaded }));
    expect(maxAbsDiff(a, b)).toBe(0);
    const otherShape = tinyModel(backend, 1, { ...TINY_CONFIG, ffnHidden: 40 });
    expect(() => loadLora(bytes, otherShape)).toThrow(LoraError);
    for (const m of [otherShape, model]) m.dispose();
    lora.dispose();
    loaded.dispose();
  });

  it.each([
    ['q8', { bits: 8, groupSize: 16 }],
    ['f16', { bits: 16 }],
  ] as const)(
    'takes a GRPO step on a %s base: policy with LoRA, reference without, only the adapters move',
    async (_, packing) => {
      const backend = new ReferenceBackend({ poison: true });
      const model = tinyModel(backend);
      await model.quantize(packing);
      const lora = LoraAdapters.create(model, LORA, 2);
      const optimizer = new AdamW(lora.parameters(), { lr: 1e-2, maxGradNorm: 1 });
      const baseBefore = await model.tensorAt('model.norm.weight').data();
      const completions = [
        [1, 2, 3],
        [4, 5],
        [6, 7, 8, 9],
      ];
      const reference = groupLogProbs(model, PROMPT, completions);
      const refValues = await reference.logProbs.data();
      reference.logProbs.dispose();
      reference.entropies.dispose();
      const liveBefore = backend.liveStorageCount();
      const tape = new Tape();
      const policy = tape.record(() => groupLogProbs(model, PROMPT, completions, { adapter: lora }));
      const logProbs = await policy.logProbs.data();
      const loss = grpoTokenLoss({
        logProbs,
        oldLogProbs: logProbs,
        refLogProbs: refValues,
        advantages: policy.mask.map((m, i) => (i < 4 ? 1 : -0.5) * m),
        mask: policy.mask,
        entropies: await policy.entropies.data(),
      });
      expect(loss.kl).toBeCloseTo(0, 12); // LoRA starts at B = 0: policy = reference
      scope(() => {
        const seeds = [
          fromArray(loss.gradLogProbs, policy.logProbs.shape, { backend }),
          fromArray(loss.gradEntropies ?? [], policy.entropies.shape, { backend }),
        ];
        const grads = tape.gradOfOutputs([policy.logProbs, policy.entropies], seeds, optimizer.params);
        optimizer.update(grads);
      });
      policy.logProbs.dispose();
      policy.entropies.dispose();
      expect(backend.liveStorageCount()).toBe(liveBefore);
      const bAfter = await (lora.pairs.get('model.layers.0.self_attn.q_proj')?.b as Tensor).data();
      expect(bAfter.some((v) => v !== 0)).toBe(true);
      expect(await model.tensorAt('model.norm.weight').data()).toEqual(baseBefore);
      optimizer.params.forEach((p) => expect(p.requiresGrad).toBe(true));
      lora.dispose();
      model.dispose();
    },
  );
});

// The whole GRPO loss (clipped ratio, k3 KL to the base, entropy bonus, token mean over groups) by finite differences.
import { describe, expect, it } from 'vitest';
import { Random, ReferenceBackend } from '../../webgpu';
import type { Tensor } from '../../webgpu';
import { groupLogProbs } from '../generate';
import { LoraAdapters } from '../lora';
import type { LoraConfig } from '../lora';
import { tinyModel } from '../transformer/test-support';
import { NonFiniteLossError, grpoStepLoss } from './loss';
import type { LossGroup, LossParams } from './loss';

const LORA: LoraConfig = {
  rank: 2,
  alpha: 4,
  targets: ['q_proj', 'v_proj', 'o_proj', 'up_proj', 'down_proj'],
  baseModelId: 'tiny-test',
};

/** Large coefficients so the KL and entropy paths weigh in the gradient; T ≠ 1 exercises the tempered path. */
const PARAMS: LossParams = { clip: 0.2, klCoef: 0.3, entropyCoef: 0.1, temperature: 0.8 };

describe('GRPO loss gradient', () => {
  it('matches central finite differences of the full loss for LoRA A and B elements (f64)', async () => {
    const backend = new ReferenceBackend({ precision: 'f64' });
    const peek = (t: Tensor) => Promise.resolve(backend.peek(t.storage));
    const model = tinyModel(backend, 3, undefined, 0.1);
    // Adapters with a random B (B = 0 would zero every A gradient and make the policy equal the reference).
    const rng = new Random(11);
    const values = new Map<string, Float64Array>();
    const template = LoraAdapters.create(model, LORA, 5);
    for (const [name, tensor] of Object.entries(template.parameters()))
      values.set(
        name,
        name.includes('lora_B') ? rng.normals(tensor.size, 0, 0.3) : backend.peek(tensor.storage),
      );
    template.dispose();
    const adapters = (vals: Map<string, Float64Array>) => LoraAdapters.fromValues(model, LORA, vals);

    // Fixed rollouts: two prompts, uneven lengths; old log-probs = the current ones + noise, so ratios move off 1
    // and some land outside the clip range.
    const specs = [
      {
        promptIds: [3, 7, 1, 12],
        completions: [
          [2, 8, 8, 1, 5],
          [4, 4],
          [9, 1, 0],
        ],
        advantages: [1.1, -0.4, -0.7],
      },
      {
        promptIds: [6, 2, 9],
        completions: [
          [1, 2],
          [3, 4, 5, 6],
        ],
        advantages: [-0.7071, 0.7071],
      },
    ];
    const lora = adapters(values);
    const groups: LossGroup[] = [];
    for (const spec of specs) {
      const current = groupLogProbs(model, spec.promptIds, spec.completions, {
        adapter: lora,
        temperature: PARAMS.temperature,
      });
      const flat = backend.peek(current.logProbs.storage);
      current.logProbs.dispose();
      current.entropies.dispose();
      const longest = Math.max(...spec.completions.map((c) => c.length));
      const oldLogProbs = spec.completions.map((c, g) =>
        c.map((_, t) => (flat[g * longest + t] as number) + 0.25 * rng.normal()),
      );
      groups.push({ ...spec, oldLogProbs });
    }

    const lossAt = async (vals: Map<string, Float64Array>): Promise<number> => {
      const perturbed = adapters(vals);
      try {
        return (await grpoStepLoss(model, perturbed, groups, { params: PARAMS, read: peek })).loss.loss;
      } finally {
        perturbed.dispose();
      }
    };
    const names = Object.keys(lora.parameters());
    const { loss, grads } = await grpoStepLoss(
      model,
      lora,
      groups,
      { params: PARAMS, read: peek },
      Object.values(lora.parameters()),
    );
    const analytic = (grads ?? []).map((g) => backend.peek(g.storage));
    for (const g of grads ?? []) g.dispose();
    lora.dispose();
    // Every branch is live: some tokens clipped, a KL to the reference, an entropy.
    expect(loss.clipFraction).toBeGreaterThan(0);
    expect(loss.clipFraction).toBeLessThan(1);
    expect(loss.kl).toBeGreaterThan(1e-4);
    expect(loss.entropy).toBeGreaterThan(0);
    expect(loss.tokens).toBe(16);

    const checked = [
      ['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight', 7],
      ['base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight', 3],
      ['base_model.model.model.layers.1.self_attn.o_proj.lora_A.weight', 20],
      ['base_model.model.model.layers.1.mlp.up_proj.lora_B.weight', 11],
      ['base_model.model.model.layers.0.mlp.down_proj.lora_A.weight', 40],
      ['base_model.model.model.layers.1.mlp.down_proj.lora_B.weight', 1],
    ] as const;
    const h = 1e-5;
    for (const [name, index] of checked) {
      const original = values.get(name) as Float64Array;
      const shifted = (delta: number) => {
        const copy = Float64Array.from(original);
        copy[index] = (copy[index] ?? 0) + delta;
        return new Map(values).set(name, copy);
      };
      const numeric = ((await lossAt(shifted(h))) - (await lossAt(shifted(-h)))) / (2 * h);
      const got = analytic[names.indexOf(name)]?.[index] ?? NaN;
      expect(Math.abs(numeric), name).toBeGreaterThan(1e-7);
      expect(Math.abs(got - numeric), `${name}[${index}]: ${got} vs ${numeric}`).toBeLessThan(
        1e-6 * Math.max(1, Math.abs(numeric)),
      );
    }
    model.dispose();
  });

  it('refuses non-finite log-probs with NonFiniteLossError and frees what it made', async () => {
    const backend = new ReferenceBackend();
    const model = tinyModel(backend, 3);
    const template = LoraAdapters.create(model, LORA, 5);
    const values = new Map<string, ArrayLike<number>>();
    for (const [name, tensor] of Object.entries(template.parameters()))
      values.set(
        name,
        name.includes('lora_B') ? new Float32Array(tensor.size).fill(NaN) : await tensor.data(),
      );
    template.dispose();
    const lora = LoraAdapters.fromValues(model, LORA, values);
    const live = backend.liveStorageCount();
    const groups: LossGroup[] = [
      { promptIds: [1, 2], completions: [[3, 4]], oldLogProbs: [[-1, -1]], advantages: [1] },
    ];
    await expect(
      grpoStepLoss(model, lora, groups, { params: PARAMS }, Object.values(lora.parameters())),
    ).rejects.toThrow(NonFiniteLossError);
    expect(backend.liveStorageCount()).toBe(live);
    lora.dispose();
    model.dispose();
  });
});

// The tape: records only tracked ops, returns only requested gradients, skips frozen weights, frees saved tensors.
import { describe, expect, it, vi } from 'vitest';
import { Tape, grad, stopGradient, valueAndGrad } from './autograd';
import { ReferenceBackend } from './backends/reference';
import { checkpoint } from './checkpoint';
import { fromArray, parameter, randn } from './creation';
import { AutogradError } from './errors';
import { add, exp, mul } from './ops/elementwise';
import { linear } from './ops/matmul';
import { rmsNorm } from './ops/norm';
import { sum } from './ops/reduce';
import { Random } from './random';
import { scope } from './scope';

const rng = new Random(5);

describe('autograd tape', () => {
  it('computes x*y + exp(x) gradients, accumulating a tensor used twice', () => {
    const backend = new ReferenceBackend({ precision: 'f64' });
    const x = parameter(fromArray([0.5, -1], [2], { backend }));
    const y = parameter(fromArray([2, 3], [2], { backend }));
    const { value, grads } = valueAndGrad(() => sum(add(mul(x, y), exp(x))), [x, y]);
    expect(backend.peek(value.storage)[0]).toBeCloseTo(1 - 3 + Math.exp(0.5) + Math.exp(-1), 12);
    expect(Array.from(backend.peek(grads[0]!.storage))).toEqual([2 + Math.exp(0.5), 3 + Math.exp(-1)]);
    expect(Array.from(backend.peek(grads[1]!.storage))).toEqual([0.5, -1]);
  });

  it('records nothing when no input is tracked, and nothing outside Tape.record', () => {
    const backend = new ReferenceBackend();
    const frozen = randn([3, 3], { backend, rng });
    const trainable = parameter(randn([3], { backend, rng }));
    const tape = new Tape();
    tape.record(() => sum(linear(frozen, frozen)));
    expect(tape.nodeCount).toBe(0);
    sum(mul(trainable, trainable)); // outside record: inference mode
    expect(tape.nodeCount).toBe(0);
    tape.record(() => sum(mul(trainable, trainable)));
    expect(tape.nodeCount).toBe(2);
    tape.dispose();
  });

  it('LoRA case: frozen base weights get no gradient work or buffers, only the adapters do', () => {
    const backend = new ReferenceBackend();
    const base = randn([4, 6], { backend, rng });
    const normWeight = randn([6], { backend, rng });
    const loraA = parameter(randn([2, 6], { backend, rng }));
    const loraB = parameter(randn([4, 2], { backend, rng }));
    const x = randn([3, 6], { backend, rng });
    const normBackward = vi.spyOn(backend, 'rmsNormBackward');
    const matmulCalls = vi.spyOn(backend, 'matmul');
    const { grads } = valueAndGrad(() => {
      const h = rmsNorm(x, normWeight);
      return sum(add(linear(h, base), linear(linear(h, loraA), loraB)));
    }, [loraA, loraB]);
    expect(grads.map((g) => g.shape)).toEqual([
      [2, 6],
      [4, 2],
    ]);
    // x and the norm weight are constants, so rmsNorm is not even on the tape.
    expect(normBackward).not.toHaveBeenCalled();
    // Forward: 3 matmuls. Backward: dB and d(hA) for the outer LoRA matmul, dA only for the inner one; none for base.
    expect(matmulCalls).toHaveBeenCalledTimes(3 + 3);
  });

  it('gives zeros for a requested tensor the loss does not depend on, and only what was asked', () => {
    const backend = new ReferenceBackend();
    const used = parameter(randn([2], { backend, rng }));
    const unused = parameter(randn([3], { backend, rng }));
    const { grads } = valueAndGrad(() => sum(mul(used, used)), [unused]);
    expect(grads).toHaveLength(1);
    expect(Array.from(backend.peek(grads[0]!.storage))).toEqual([0, 0, 0]);
  });

  it('frees every saved tensor and intermediate: only inputs, loss and gradients stay alive', () => {
    const backend = new ReferenceBackend();
    const w = parameter(randn([5, 5], { backend, rng }));
    const x = randn([4, 5], { backend, rng });
    const before = backend.liveStorageCount();
    const tape = new Tape();
    const loss = tape.record(() => sum(exp(linear(linear(x, w), w))));
    expect(backend.liveStorageCount()).toBeGreaterThan(before + 1); // saved activations
    const [g] = grad(loss, [w]);
    expect(backend.liveStorageCount()).toBe(before + 2); // loss + gradient
    loss.dispose();
    g!.dispose();
    expect(backend.liveStorageCount()).toBe(before);
    expect(() => tape.grad(loss, [w])).toThrow(AutogradError);
  });

  it('disposing forward handles early does not break backward (saved tensors are reference-counted)', () => {
    const backend = new ReferenceBackend({ precision: 'f64' });
    const w = parameter(fromArray([1, 2], [2], { backend }));
    const tape = new Tape();
    const loss = tape.record(() => {
      const h = exp(w);
      const y = mul(h, h);
      h.dispose();
      return sum(y);
    });
    const [g] = tape.grad(loss, [w]);
    const [g0, g1] = backend.peek(g!.storage);
    expect(g0).toBeCloseTo(2 * Math.exp(2), 12);
    expect(g1).toBeCloseTo(2 * Math.exp(4), 11);
  });

  it('stopGradient blocks the flow; non-scalar loss needs a seed', () => {
    const backend = new ReferenceBackend();
    const w = parameter(fromArray([3], [1], { backend }));
    const { grads } = valueAndGrad(() => sum(mul(w, stopGradient(w))), [w]);
    expect(backend.peek(grads[0]!.storage)[0]).toBe(3);
    const tape = new Tape();
    const y = tape.record(() => mul(w, fromArray([1, 2], [2], { backend })));
    expect(() => tape.grad(y, [w])).toThrow(AutogradError);
    tape.dispose();
  });

  it('checkpoint recomputes in backward and reaches parameters read from the closure', () => {
    const backend = new ReferenceBackend({ precision: 'f64' });
    const w = parameter(randn([3, 3], { backend, rng }));
    const x = parameter(randn([2, 3], { backend, rng }));
    const inner = (input: typeof x) => exp(linear(input, w));
    const direct = valueAndGrad(() => sum(inner(x)), [w, x]).grads;
    const calls = { count: 0 };
    const viaCheckpoint = valueAndGrad(
      () =>
        sum(
          checkpoint(
            (input) => {
              calls.count++;
              return [inner(input!)];
            },
            [x],
          )[0]!,
        ),
      [w, x],
    ).grads;
    expect(calls.count).toBe(2); // forward once, recompute once
    direct.forEach((g, i) => {
      const other = backend.peek(viaCheckpoint[i]!.storage);
      backend.peek(g.storage).forEach((v, j) => expect(v).toBeCloseTo(other[j]!, 12));
    });
  });

  it('scope disposes what it does not return', () => {
    const backend = new ReferenceBackend();
    const before = backend.liveStorageCount();
    const kept = scope(() => {
      const a = randn([2], { backend, rng });
      const b = exp(a);
      return { b };
    });
    expect(backend.liveStorageCount()).toBe(before + 1);
    kept.b.dispose();
    expect(backend.liveStorageCount()).toBe(before);
  });
});

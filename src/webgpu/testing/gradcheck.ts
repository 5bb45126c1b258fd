// Test helper: compares tape gradients with central finite differences on the f64 reference backend.
import { Tape } from '../autograd';
import type { ReferenceBackend } from '../backends/reference';
import { fromArray } from '../creation';
import { mul } from '../ops/elementwise';
import { sum } from '../ops/reduce';
import { Random } from '../random';
import { scope } from '../scope';
import type { Tensor } from '../tensor';

export interface GradcheckInput {
  shape: number[];
  /** Values; default standard normals from the check's generator. */
  values?: ArrayLike<number>;
}

export interface GradcheckResult {
  /** Largest |analytic - numeric| / max(1, |numeric|) over all checked elements. */
  maxRelativeError: number;
  worst: string;
}

/**
 * Builds loss = sum(f(inputs) * w) with a fixed random w (so every output element matters), gets gradients from the
 * tape, and compares each input element with (L(x + h) - L(x - h)) / 2h.
 */
export function gradcheck(
  backend: ReferenceBackend,
  f: (...inputs: Tensor[]) => Tensor,
  specs: readonly GradcheckInput[],
  options: { seed?: number; step?: number } = {},
): GradcheckResult {
  const rng = new Random(options.seed ?? Math.floor(Math.random() * 2 ** 31));
  const step = options.step ?? 1e-5;
  const values = specs.map((spec) =>
    Float64Array.from(spec.values ?? rng.normals(spec.shape.reduce((n, d) => n * d, 1))),
  );
  let weights: Float64Array | null = null;
  const lossOf = (inputs: Tensor[]): Tensor => {
    const y = f(...inputs);
    weights ??= rng.normals(y.size);
    return sum(mul(y, fromArray(weights, y.shape, { backend })));
  };
  const analytic = scope(() => {
    const inputs = values.map((v, i) => fromArray(v, specs[i]?.shape ?? [], { backend }));
    const tape = new Tape();
    tape.watch(...inputs);
    const loss = tape.record(() => lossOf(inputs));
    return tape.grad(loss, inputs).map((g) => backend.peek(g.storage));
  });
  const evaluate = (): number =>
    scope(() => {
      const inputs = values.map((v, i) => fromArray(v, specs[i]?.shape ?? [], { backend }));
      return backend.peek(lossOf(inputs).storage)[0] as number;
    });
  let maxRelativeError = 0;
  let worst = '';
  values.forEach((v, inputIndex) => {
    for (let i = 0; i < v.length; i++) {
      const original = v[i] as number;
      v[i] = original + step;
      const plus = evaluate();
      v[i] = original - step;
      const minus = evaluate();
      v[i] = original;
      const numeric = (plus - minus) / (2 * step);
      const got = analytic[inputIndex]?.[i] ?? NaN;
      const error = Math.abs(got - numeric) / Math.max(1, Math.abs(numeric));
      if (!(error <= maxRelativeError)) {
        maxRelativeError = Number.isNaN(error) ? Infinity : error;
        worst = `input ${inputIndex}[${i}]: analytic ${got}, numeric ${numeric}`;
      }
    }
  });
  return { maxRelativeError, worst };
}

// The tape: records ops on tracked tensors, runs reverse-mode backward for requested tensors only, frees early.
import { full } from './creation';
import { AutogradError, ShapeError, fmtShape } from './errors';
import { scope } from './scope';
import { sameShape } from './shapes';
import { Tensor } from './tensor';

/**
 * Computes input gradients from output gradients. `saved` are the tape-owned handles of what the op asked to keep;
 * `needs[i]` says whether input i needs a gradient at all (false for frozen weights: skip that work, return null).
 */
export type BackwardFn = (
  outputGrads: readonly (Tensor | null)[],
  saved: readonly Tensor[],
  needs: readonly boolean[],
) => (Tensor | null)[];

interface TapeNode {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  saved: Tensor[];
  readonly backward: BackwardFn;
}

/** While `checkpoint` runs its forward without recording, it collects the outside tensors fn reads. */
export interface ExternalReadCollector {
  readonly firstInnerId: number;
  readonly reads: Set<Tensor>;
}

let activeTape: Tape | null = null;
let collector: ExternalReadCollector | null = null;
const tapeOfTensor = new WeakMap<Tensor, Tape>();

export class Tape {
  private nodes: TapeNode[] = [];
  private readonly tracked = new Set<Tensor>();
  private consumed = false;

  /** Makes the tape differentiate with respect to tensors that are not parameters (inputs, intermediates). */
  watch(...tensors: Tensor[]): void {
    for (const tensor of tensors) this.tracked.add(tensor);
  }

  isTracked(tensor: Tensor): boolean {
    return tensor.requiresGrad || this.tracked.has(tensor);
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Runs fn with this tape recording, inside a scope: intermediates fn does not return are disposed. */
  record<T>(fn: () => T): T {
    if (this.consumed) throw new AutogradError('this tape already ran backward; start a new Tape');
    return withTape(this, () => scope(fn));
  }

  /** Gradients of a scalar loss (or of `loss` weighted by `seed`) with respect to each tensor of `wrt`. */
  grad(loss: Tensor, wrt: readonly Tensor[], seed?: Tensor): Tensor[] {
    if (!seed && loss.size !== 1) {
      throw new AutogradError(`grad: loss of shape ${fmtShape(loss.shape)} is not a scalar; pass a seed`);
    }
    const seeds = [seed ?? null];
    return this.gradOfOutputs([loss], seeds, wrt);
  }

  /**
   * Backward from several outputs at once (`seeds[i]` null = ones for a scalar output, skipped otherwise when
   * `allowMissingSeeds`). Consumes the tape: every node's saved tensors are released, so it runs once.
   */
  gradOfOutputs(
    outputs: readonly Tensor[],
    seeds: readonly (Tensor | null)[],
    wrt: readonly Tensor[],
  ): Tensor[] {
    if (this.consumed) throw new AutogradError('this tape already ran backward; start a new Tape');
    try {
      return withTape(null, () => scope(() => this.backward(outputs, seeds, wrt)));
    } finally {
      this.dispose();
    }
  }

  /** Releases every saved tensor without running backward (forward-only use, errors). Idempotent. */
  dispose(): void {
    for (const node of this.nodes) releaseSaved(node);
    this.nodes = [];
    this.tracked.clear();
    this.consumed = true;
  }

  /** Called by `recordOp`. */
  addNode(node: TapeNode): void {
    this.nodes.push(node);
    for (const output of node.outputs) {
      this.tracked.add(output);
      tapeOfTensor.set(output, this);
    }
  }

  private backward(
    outputs: readonly Tensor[],
    seeds: readonly (Tensor | null)[],
    wrt: readonly Tensor[],
  ): Tensor[] {
    const relevant = this.dependentsOf(wrt);
    const keepGrad = new Set(wrt);
    const grads = new Map<Tensor, Tensor>();
    outputs.forEach((output, i) => {
      const seed =
        seeds[i] ?? (output.size === 1 ? full(output.shape, 1, { backend: output.backend }) : null);
      if (seed) accumulate(grads, output, seed.view(seed.shape));
    });
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i] as TapeNode;
      this.runNode(node, grads, relevant, keepGrad);
      releaseSaved(node);
    }
    const result = wrt.map(
      (tensor) => grads.get(tensor) ?? full(tensor.shape, 0, { backend: tensor.backend }),
    );
    for (const [tensor, grad] of grads) if (!keepGrad.has(tensor)) grad.dispose();
    return result;
  }

  /** Tensors whose value depends on some tensor of wrt: only their nodes run backward. */
  private dependentsOf(wrt: readonly Tensor[]): Set<Tensor> {
    const relevant = new Set(wrt);
    for (const node of this.nodes) {
      if (node.inputs.some((input) => relevant.has(input)))
        for (const output of node.outputs) relevant.add(output);
    }
    return relevant;
  }

  private runNode(
    node: TapeNode,
    grads: Map<Tensor, Tensor>,
    relevant: Set<Tensor>,
    keepGrad: Set<Tensor>,
  ): void {
    const outputGrads = node.outputs.map((output) => grads.get(output) ?? null);
    const needs = node.inputs.map((input) => relevant.has(input) && this.isTracked(input));
    if (outputGrads.every((g) => g === null) || !needs.some(Boolean)) return;
    // A scope per node frees the backward's own temporaries right away instead of at the end of the pass.
    const inputGrads = scope(() => node.backward(outputGrads, node.saved, needs));
    node.inputs.forEach((input, j) => {
      const g = inputGrads[j];
      if (!g || !needs[j]) return;
      if (!sameShape(g.shape, input.shape)) {
        throw new ShapeError(
          `${node.name} backward`,
          `gradient ${fmtShape(g.shape)} does not match input ${fmtShape(input.shape)}`,
        );
      }
      accumulate(grads, input, g.view(g.shape));
    });
    // The output gradients are consumed: free them now, not at the end of backward.
    node.outputs.forEach((output) => {
      if (keepGrad.has(output)) return;
      grads.get(output)?.dispose();
      grads.delete(output);
    });
    for (const g of inputGrads) g?.dispose();
  }
}

function releaseSaved(node: TapeNode): void {
  for (const tensor of node.saved) tensor.dispose();
  node.saved = [];
}

/** Sums a new gradient contribution into the map (the tensor is owned by the map afterwards). */
function accumulate(grads: Map<Tensor, Tensor>, target: Tensor, contribution: Tensor): void {
  const existing = grads.get(target);
  if (!existing) {
    grads.set(target, contribution);
    return;
  }
  const summed = existing.backend.binary('add', existing.storage, contribution.storage, {
    out: existing.shape,
    a: existing.shape,
    b: contribution.shape,
  });
  grads.set(target, Tensor.fromStorage(existing.backend, summed, existing.shape));
  existing.dispose();
  contribution.dispose();
}

function withTape<T>(tape: Tape | null, fn: () => T): T {
  const previous = activeTape;
  activeTape = tape;
  try {
    return fn();
  } finally {
    activeTape = previous;
  }
}

/** True when an op on these inputs will be recorded: ops use it to skip saving backward-only outputs. */
export function isRecording(inputs: readonly Tensor[]): boolean {
  const tape = activeTape;
  return tape !== null && inputs.some((input) => tape.isTracked(input));
}

/**
 * Records one op: called by every op after its forward. Does nothing (and retains nothing) unless a tape is active
 * and some input is tracked; `save` lists the tensors backward needs, kept alive by tape-owned handles.
 */
export function recordOp(
  name: string,
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  save: readonly Tensor[],
  backward: BackwardFn,
): void {
  if (collector) {
    for (const input of inputs) if (input.id < collector.firstInnerId) collector.reads.add(input);
  }
  if (!isRecording(inputs)) return;
  (activeTape as Tape).addNode({
    name,
    inputs,
    outputs,
    saved: save.map((tensor) => tensor.retainUnscoped()),
    backward,
  });
}

/** The tape currently recording (null outside `Tape.record`). */
export function currentTape(): Tape | null {
  return activeTape;
}

/** Runs fn with recording off and the given read collector installed (checkpoint's forward). */
export function withoutRecording<T>(readCollector: ExternalReadCollector | null, fn: () => T): T {
  const previous = collector;
  collector = readCollector;
  try {
    return withTape(null, fn);
  } finally {
    collector = previous;
  }
}

/** The tape that produced a tensor, for the free-function form `grad(loss, params)`. */
export function tapeOf(tensor: Tensor): Tape | null {
  return tapeOfTensor.get(tensor) ?? null;
}

/** grad(loss, params): backward on the tape that recorded loss; returns one gradient per requested tensor. */
export function grad(loss: Tensor, wrt: readonly Tensor[], seed?: Tensor): Tensor[] {
  const tape = tapeOf(loss);
  if (!tape)
    throw new AutogradError('grad: loss was not recorded on a tape (run the forward inside Tape.record)');
  return tape.grad(loss, wrt, seed);
}

/** Records fn on a fresh tape and returns its scalar value with the gradients for `wrt` (jax-style). */
export function valueAndGrad(fn: () => Tensor, wrt: readonly Tensor[]): { value: Tensor; grads: Tensor[] } {
  const tape = new Tape();
  try {
    const value = tape.record(fn);
    return { value, grads: tape.grad(value, wrt) };
  } finally {
    tape.dispose();
  }
}

/** A handle on the same values that no tape tracks: gradients stop here (GRPO's old log-probs, targets). */
export function stopGradient(tensor: Tensor): Tensor {
  return tensor.view(tensor.shape);
}

// Gradient checkpointing: run a block without saving activations, recompute it during backward.
import type { ExternalReadCollector } from './autograd';
import { Tape, currentTape, isRecording, recordOp, withoutRecording } from './autograd';
import { scope } from './scope';
import type { Tensor } from './tensor';
import { peekNextTensorId } from './tensor';

/**
 * Runs fn(...inputs) keeping only its inputs and outputs; backward re-runs fn on a private tape. fn may read
 * parameters and other long-lived tensors from its closure (their gradients flow too), but tensors created inside
 * the recorded forward must be passed through `inputs`, because the forward scope disposes them before backward.
 */
export function checkpoint(fn: (...inputs: Tensor[]) => Tensor[], inputs: readonly Tensor[]): Tensor[] {
  if (!currentTape()) return fn(...inputs);
  const reads: ExternalReadCollector = { firstInnerId: peekNextTensorId(), reads: new Set(inputs) };
  const outputs = withoutRecording(reads, () => scope(() => fn(...inputs)));
  const closureReads = [...reads.reads].filter((tensor) => !inputs.includes(tensor));
  const allInputs = [...inputs, ...closureReads];
  if (!isRecording(allInputs)) return outputs;
  recordOp('checkpoint', allInputs, outputs, inputs, (outputGrads, saved, needs) =>
    recompute(fn, saved, closureReads, outputGrads, needs),
  );
  return outputs;
}

function recompute(
  fn: (...inputs: Tensor[]) => Tensor[],
  savedInputs: readonly Tensor[],
  closureReads: readonly Tensor[],
  outputGrads: readonly (Tensor | null)[],
  needs: readonly boolean[],
): (Tensor | null)[] {
  const tape = new Tape();
  const leaves = [...savedInputs, ...closureReads];
  tape.watch(...leaves);
  const outputs = tape.record(() => fn(...savedInputs));
  const seeded = outputs.filter((_, i) => outputGrads[i]);
  const seeds = outputGrads.filter((g): g is Tensor => g !== null);
  const wanted = leaves.filter((_, i) => needs[i]);
  const grads = tape.gradOfOutputs(seeded, seeds, wanted);
  for (const output of outputs) output.dispose();
  let next = 0;
  return leaves.map((_, i) => (needs[i] ? (grads[next++] ?? null) : null));
}

// AdamW (decoupled weight decay, bias correction) with optional global-norm clipping; state exports for checkpoints.
import type { AdamWHyper } from '../backend';
import { full, zeros } from '../creation';
import { ShapeError, fmtShape } from '../errors';
import { keep } from '../scope';
import type { Tensor } from '../tensor';
import { clipFactor } from './clip';
import { fromArray } from '../creation';

export interface AdamWOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** Clip the global gradient norm to this value before the update (computed on device, fused into it). */
  maxGradNorm?: number;
}

/** Serialisable optimiser state: moments as `m.<name>` / `v.<name>` arrays plus the step count. */
export interface AdamWState {
  step: number;
  tensors: Record<string, Float32Array>;
}

interface Slot {
  name: string;
  param: Tensor;
  m: Tensor;
  v: Tensor;
}

export class AdamW {
  readonly options: Required<Omit<AdamWOptions, 'maxGradNorm'>> & { maxGradNorm: number | null };
  private slots: Slot[];
  private stepCount = 0;

  /** params: named trainable tensors (e.g. LoRA A/B); their storage is updated in place by `step`. */
  constructor(params: Readonly<Record<string, Tensor>>, options: AdamWOptions = {}) {
    this.options = {
      lr: options.lr ?? 1e-3,
      beta1: options.beta1 ?? 0.9,
      beta2: options.beta2 ?? 0.999,
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0.01,
      maxGradNorm: options.maxGradNorm ?? null,
    };
    this.slots = Object.entries(params).map(([name, param]) => ({
      name,
      param,
      m: keep(zeros(param.shape, { backend: param.backend })),
      v: keep(zeros(param.shape, { backend: param.backend })),
    }));
  }

  get step(): number {
    return this.stepCount;
  }

  /** Parameter names in the order `update` expects gradients. */
  get names(): string[] {
    return this.slots.map((slot) => slot.name);
  }

  get params(): Tensor[] {
    return this.slots.map((slot) => slot.param);
  }

  /**
   * One update from gradients aligned with `params`. Returns the global gradient norm before clipping as a scalar
   * tensor owned by the caller's scope (read it to log it), or null when clipping is off.
   */
  update(grads: readonly Tensor[], lr = this.options.lr): Tensor | null {
    if (grads.length !== this.slots.length) {
      throw new ShapeError('AdamW', `${grads.length} gradients for ${this.slots.length} parameters`);
    }
    this.slots.forEach((slot, i) => {
      const g = grads[i] as Tensor;
      if (g.size !== slot.param.size) {
        throw new ShapeError(
          'AdamW',
          `gradient ${fmtShape(g.shape)} for ${slot.name} ${fmtShape(slot.param.shape)}`,
        );
      }
    });
    this.stepCount++;
    const { factor, norm } = this.scaleFactor(grads);
    const hyper = this.hyper(lr);
    this.slots.forEach((slot, i) => {
      const g = grads[i] as Tensor;
      slot.param.backend.adamwUpdate(
        slot.param.storage,
        g.storage,
        slot.m.storage,
        slot.v.storage,
        factor.storage,
        hyper,
      );
    });
    factor.dispose();
    return norm;
  }

  private scaleFactor(grads: readonly Tensor[]): { factor: Tensor; norm: Tensor | null } {
    const backend = this.slots[0]?.param.backend;
    if (this.options.maxGradNorm === null) return { factor: keep(full([], 1, { backend })), norm: null };
    const { factor, norm } = clipFactor(grads, this.options.maxGradNorm);
    // The norm stays in the caller's scope (if any); the factor is ours and freed after the update.
    return { factor: keep(factor), norm };
  }

  private hyper(lr: number): AdamWHyper {
    const { beta1, beta2, eps, weightDecay } = this.options;
    return {
      lr,
      beta1,
      beta2,
      eps,
      weightDecay,
      biasCorrection1: 1 - Math.pow(beta1, this.stepCount),
      biasCorrection2: 1 - Math.pow(beta2, this.stepCount),
    };
  }

  /** Downloads the moments (for IndexedDB checkpoints). */
  async exportState(): Promise<AdamWState> {
    const tensors: Record<string, Float32Array> = {};
    for (const slot of this.slots) {
      tensors[`m.${slot.name}`] = Float32Array.from(await slot.m.data());
      tensors[`v.${slot.name}`] = Float32Array.from(await slot.v.data());
    }
    return { step: this.stepCount, tensors };
  }

  /** Restores moments and step count; every parameter must be present with the right size. */
  importState(state: AdamWState): void {
    const replacements = this.slots.map((slot) => {
      const m = state.tensors[`m.${slot.name}`];
      const v = state.tensors[`v.${slot.name}`];
      if (!m || !v || m.length !== slot.param.size || v.length !== slot.param.size) {
        throw new ShapeError('AdamW.importState', `missing or mis-sized moments for ${slot.name}`);
      }
      return { m, v };
    });
    this.slots.forEach((slot, i) => {
      const { m, v } = replacements[i] as { m: Float32Array; v: Float32Array };
      slot.m.dispose();
      slot.v.dispose();
      slot.m = keep(fromArray(m, slot.param.shape, { backend: slot.param.backend }));
      slot.v = keep(fromArray(v, slot.param.shape, { backend: slot.param.backend }));
    });
    this.stepCount = state.step;
  }

  /** Frees the moment buffers (the parameters stay with their owner). */
  dispose(): void {
    for (const slot of this.slots) {
      slot.m.dispose();
      slot.v.dispose();
    }
  }
}

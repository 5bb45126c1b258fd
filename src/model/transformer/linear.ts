// The one Linear abstraction every projection goes through: a dense f32 weight or a frozen packed (q8/q4/f16) one.
import { QuantizedTensor, add, keep, linear, quantizedLinear } from '../../webgpu';
import type { Tensor } from '../../webgpu';
import { quantizeWeights } from '../../webgpu/wasm/quantize';
import type { WeightBits } from '../../webgpu/wasm/quantize';
import { quantizeHalfWeights } from '../../webgpu/wasm/quantize-f16';

/** y = x Wᵀ (+ b) with W [outFeatures, inFeatures], PyTorch layout. */
export interface Linear {
  readonly kind: 'dense' | 'quantized';
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly bias: Tensor | null;
  apply(x: Tensor): Tensor;
  dispose(): void;
}

export class DenseLinear implements Linear {
  readonly kind = 'dense';

  constructor(
    readonly weight: Tensor,
    readonly bias: Tensor | null = null,
  ) {}

  get inFeatures(): number {
    return this.weight.shape[1] as number;
  }

  get outFeatures(): number {
    return this.weight.shape[0] as number;
  }

  apply(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias ?? undefined);
  }

  dispose(): void {
    this.weight.dispose();
    this.bias?.dispose();
  }
}

/** A frozen packed weight (int8/int4 with scales, or f16): decoding is fused into the backend matmul, gradients reach x only. */
export class QuantizedLinear implements Linear {
  readonly kind = 'quantized';

  constructor(
    readonly weight: QuantizedTensor,
    readonly bias: Tensor | null = null,
  ) {}

  get inFeatures(): number {
    return this.weight.shape[1];
  }

  get outFeatures(): number {
    return this.weight.shape[0];
  }

  apply(x: Tensor): Tensor {
    const y = quantizedLinear(x, this.weight);
    if (!this.bias) return y;
    const withBias = add(y, this.bias);
    y.dispose();
    return withBias;
  }

  dispose(): void {
    this.weight.dispose();
    this.bias?.dispose();
  }
}

/** How to pack a projection: int8/int4 with one scale per group of inputs, or IEEE f16 (bits 16, no scales). */
export type QuantizeOptions =
  | {
      bits: WeightBits;
      /** Inputs sharing one scale (along the K axis); 32 or 64 are typical. */
      groupSize: number;
    }
  | { bits: 16 };

/** Packs a dense linear's weight (read back once, packed on the host); the bias stays f32 and is shared. */
export async function quantizeLinear(dense: DenseLinear, options: QuantizeOptions): Promise<QuantizedLinear> {
  const values = (await dense.weight.data()) as Float32Array;
  const [n, k] = [dense.outFeatures, dense.inFeatures];
  const host =
    options.bits === 16
      ? quantizeHalfWeights(values, n, k)
      : quantizeWeights(values, n, k, options.bits, options.groupSize);
  const packed = keep(QuantizedTensor.upload(host, dense.weight.backend));
  return new QuantizedLinear(packed, dense.bias);
}

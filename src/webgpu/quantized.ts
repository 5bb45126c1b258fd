// Frozen packed int8/int4/f16 weights on a backend: upload from the wasm/quantize*.ts host layouts, explicit lifetime.
import type { Backend, QuantizedWeight } from './backend';
import { DisposedError, DTypeError } from './errors';
import { registerInScope } from './scope';
import { quantizedLayout } from './wasm/quantize';
import type { QuantizedWeights } from './wasm/quantize';
import type { HalfWeights } from './wasm/quantize-f16';
import { toWords, wordsToBytes, wordsToHalves } from './words';

/** Host-side packed weights in either layout: what `QuantizedTensor.upload` takes and `download` returns. */
export type PackedWeights = QuantizedWeights | HalfWeights;

/** A packed (q8/q4/f16) weight [n, k] living on a backend; scoped and disposed like a tensor. Never requires grad. */
export class QuantizedTensor {
  private weightOrNull: QuantizedWeight | null;

  private constructor(
    readonly backend: Backend,
    weight: QuantizedWeight,
  ) {
    this.weightOrNull = weight;
    registerInScope(this);
  }

  /** Uploads host-packed weights (from `quantizeWeights` in wasm/quantize.ts or wasm/quantize-f16.ts). */
  static upload(host: PackedWeights, backend: Backend): QuantizedTensor {
    const format = host.bits === 16 ? 'f16' : host.bits === 8 ? 'q8' : 'q4';
    if (!backend.formats.has(format) || !backend.matmulQuantized) {
      throw new DTypeError('QuantizedTensor.upload', `${backend.name} does not support ${format} weights`);
    }
    if (host.bits === 16) {
      const packed = backend.upload(toWords(host.data), 'i32');
      return new QuantizedTensor(backend, { format: 'f16', packed, n: host.n, k: host.k });
    }
    return new QuantizedTensor(backend, {
      format: host.bits === 8 ? 'q8' : 'q4',
      packed: backend.upload(toWords(host.data), 'i32'),
      scales: backend.upload(host.scales, 'f32'),
      n: host.n,
      k: host.k,
      groupSize: host.groupSize,
    });
  }

  /** Reads the packed data (and scales) back in the host layout of `upload`: what a checkpoint stores. */
  async download(): Promise<PackedWeights> {
    const weight = this.weight;
    if (weight.format === 'f16') {
      const words = await this.backend.read(weight.packed);
      if (!(words instanceof Int32Array))
        throw new DTypeError('QuantizedTensor.download', 'halves must be i32 words');
      return { bits: 16, n: weight.n, k: weight.k, data: wordsToHalves(words, weight.n * weight.k) };
    }
    const { format, packed, scales, n, k, groupSize } = weight;
    const bits = format === 'q8' ? 8 : 4;
    const { rowBytes, groupsPerRow } = quantizedLayout(bits, k, groupSize);
    const [words, scaleValues] = await Promise.all([this.backend.read(packed), this.backend.read(scales)]);
    if (!(words instanceof Int32Array) || !(scaleValues instanceof Float32Array)) {
      throw new DTypeError('QuantizedTensor.download', 'packed bytes must be i32 words and scales f32');
    }
    const data = wordsToBytes(words, n * rowBytes);
    return { bits, n, k, groupSize, rowBytes, groupsPerRow, data, scales: scaleValues };
  }

  /** [n, k], the shape of the dense weight it stands for. */
  get shape(): [number, number] {
    const weight = this.weight;
    return [weight.n, weight.k];
  }

  get weight(): QuantizedWeight {
    if (!this.weightOrNull) throw new DisposedError('QuantizedTensor');
    return this.weightOrNull;
  }

  get isDisposed(): boolean {
    return this.weightOrNull === null;
  }

  dispose(): void {
    if (!this.weightOrNull) return;
    this.backend.free(this.weightOrNull.packed);
    if (this.weightOrNull.format !== 'f16') this.backend.free(this.weightOrNull.scales);
    this.weightOrNull = null;
  }
}

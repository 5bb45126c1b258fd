// Frozen packed int8/int4 weights on a backend: upload from the wasm/quantize.ts host layout, explicit lifetime.
import type { Backend, QuantizedWeight } from './backend';
import { DisposedError, DTypeError } from './errors';
import { registerInScope } from './scope';
import { quantizedLayout } from './wasm/quantize';
import type { QuantizedWeights } from './wasm/quantize';

/** Packs bytes little-endian into i32 words (what an i32 storage holds until backends get a u8 dtype). */
function bytesToWords(bytes: Uint8Array): Int32Array {
  const padded = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
  padded.set(bytes);
  const view = new DataView(padded.buffer);
  return Int32Array.from({ length: padded.byteLength / 4 }, (_, i) => view.getInt32(4 * i, true));
}

/** The inverse of bytesToWords: the first `count` bytes of little-endian i32 words. */
function wordsToBytes(words: Int32Array, count: number): Uint8Array {
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  words.forEach((word, i) => view.setInt32(4 * i, word, true));
  return bytes.subarray(0, count);
}

/** A quantized weight [n, k] living on a backend; scoped and disposed like a tensor. Never requires grad. */
export class QuantizedTensor {
  private weightOrNull: QuantizedWeight | null;

  private constructor(
    readonly backend: Backend,
    weight: QuantizedWeight,
  ) {
    this.weightOrNull = weight;
    registerInScope(this);
  }

  /** Uploads host-quantized weights (from `quantizeWeights` in wasm/quantize.ts). */
  static upload(host: QuantizedWeights, backend: Backend): QuantizedTensor {
    const format = host.bits === 8 ? 'q8' : 'q4';
    if (!backend.formats.has(format) || !backend.matmulQuantized) {
      throw new DTypeError('QuantizedTensor.upload', `${backend.name} does not support ${format} weights`);
    }
    return new QuantizedTensor(backend, {
      format,
      packed: backend.upload(bytesToWords(host.data), 'i32'),
      scales: backend.upload(host.scales, 'f32'),
      n: host.n,
      k: host.k,
      groupSize: host.groupSize,
    });
  }

  /** Reads the packed bytes and scales back in the host layout of `upload`: what a checkpoint stores. */
  async download(): Promise<QuantizedWeights> {
    const { format, packed, scales, n, k, groupSize } = this.weight;
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
    this.backend.free(this.weightOrNull.scales);
    this.weightOrNull = null;
  }
}

// One-node ONNX models for the onnxruntime peers: MatMul with constant f32 weights and MatMulNBits with int8/int4 weights.
import { floatTensor, writeOnnxModel, type OnnxTensor } from '../../../src/model/onnx/model-writer';
import { ProtoWriter } from '../../../src/model/onnx/protobuf';
import type { QuantizedWeights } from '../../../src/webgpu/wasm/quantize';

/** Y[m×n] = A[m×k] · W where W (k×n) is an initializer, so onnxruntime may prepack it once at session creation. */
export function matmulModel(m: number, k: number, n: number, weightsKxN: Float32Array): Uint8Array {
  return writeOnnxModel({
    graphName: 'matmul',
    nodes: [{ opType: 'MatMul', inputs: ['a', 'w'], outputs: ['y'] }],
    inputs: [{ name: 'a', type: 'float', shape: [m, k] }],
    outputs: [{ name: 'y', type: 'float', shape: [m, n] }],
    initializers: [floatTensor('w', [k, n], weightsKxN)],
  });
}

/**
 * com.microsoft MatMulNBits: Y = A · dequant(B)ᵀ with B as [n, blocks, blockBytes] uint8. Its int4 layout (low nibble
 * first, zero point 8) is exactly ours; its int8 zero point is 128, so our two's-complement bytes get the sign bit flipped.
 */
export function matmulNBitsModel(m: number, weights: QuantizedWeights): Uint8Array {
  const { n, k, groupSize, bits } = weights;
  const blocks = Math.ceil(k / groupSize);
  const blockBytes = (groupSize * bits) / 8;
  if (k % groupSize !== 0) throw new Error('MatMulNBits peer wants k to be a multiple of the group size');
  const data = bits === 8 ? weights.data.map((byte) => byte ^ 0x80) : weights.data;
  const packed: OnnxTensor = { name: 'b', type: 'uint8', dims: [n, blocks, blockBytes], data };
  const model = writeOnnxModel({
    graphName: 'matmul_nbits',
    nodes: [
      {
        opType: 'MatMulNBits',
        domain: 'com.microsoft',
        inputs: ['a', 'b', 'scales'],
        outputs: ['y'],
        attributes: [
          { name: 'K', int: k },
          { name: 'N', int: n },
          { name: 'bits', int: bits },
          { name: 'block_size', int: groupSize },
        ],
      },
    ],
    inputs: [{ name: 'a', type: 'float', shape: [m, k] }],
    outputs: [{ name: 'y', type: 'float', shape: [m, n] }],
    initializers: [packed, floatTensor('scales', [n * blocks], weights.scales)],
  });
  return withMicrosoftOpset(model);
}

/** The project writer imports only the default domain; a repeated ModelProto field can simply be appended. */
function withMicrosoftOpset(model: Uint8Array): Uint8Array {
  const opset = new ProtoWriter()
    .message(8, new ProtoWriter().string(1, 'com.microsoft').varint(2, 1))
    .finish();
  const out = new Uint8Array(model.length + opset.length);
  out.set(model);
  out.set(opset, model.length);
  return out;
}

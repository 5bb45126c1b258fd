// Browser tests: models written by our ONNX writer run in real onnxruntime-web sessions, on wasm and on WebGPU.
import { describe, expect, it } from 'vitest';
import { configureOnnxRuntime, ort } from '../ort-env';
import { floatTensor, int64Tensor, writeOnnxModel } from './model-writer';

// y = relu(x · W + b) then summed over the last axis: MatMul, Add, Relu, ReduceSum with an axes input.
function tinyModel(w: Float32Array, b: Float32Array): Uint8Array {
  return writeOnnxModel({
    graphName: 'tiny',
    inputs: [{ name: 'x', type: 'float', shape: ['batch', 3] }],
    outputs: [
      { name: 'y', type: 'float', shape: ['batch', 4] },
      { name: 'total', type: 'float', shape: ['batch', 1] },
    ],
    initializers: [floatTensor('W', [3, 4], w), floatTensor('b', [4], b), int64Tensor('axes', [1], [-1])],
    nodes: [
      { opType: 'MatMul', inputs: ['x', 'W'], outputs: ['xw'] },
      { opType: 'Add', inputs: ['xw', 'b'], outputs: ['pre'] },
      { opType: 'Relu', inputs: ['pre'], outputs: ['y'] },
      {
        opType: 'ReduceSum',
        inputs: ['y', 'axes'],
        outputs: ['total'],
        attributes: [{ name: 'keepdims', int: 1 }],
      },
    ],
    metadata: { purpose: 'test' },
  });
}

function reference(x: Float32Array, w: Float32Array, b: Float32Array, batch: number) {
  const y = new Float32Array(batch * 4);
  const total = new Float32Array(batch);
  for (let r = 0; r < batch; r++)
    for (let c = 0; c < 4; c++) {
      let acc = b[c]!;
      for (let k = 0; k < 3; k++) acc += x[r * 3 + k]! * w[k * 4 + c]!;
      y[r * 4 + c] = Math.max(0, acc);
      total[r]! += Math.max(0, acc);
    }
  return { y, total };
}

const random = (n: number) => Float32Array.from({ length: n }, () => Math.random() * 2 - 1);

describe.each(['wasm', 'webgpu'] as const)('ONNX writer on onnxruntime-web %s', (provider) => {
  it('runs a written model and matches a plain JS computation', async () => {
    configureOnnxRuntime();
    const w = random(12);
    const b = random(4);
    const batch = 5;
    const x = random(batch * 3);
    const session = await ort.InferenceSession.create(tinyModel(w, b), { executionProviders: [provider] });
    try {
      expect(session.inputNames).toEqual(['x']);
      expect(session.outputNames).toEqual(['y', 'total']);
      const out = await session.run({ x: new ort.Tensor('float32', x, [batch, 3]) });
      const want = reference(x, w, b, batch);
      expect(out.y!.dims).toEqual([batch, 4]);
      const y = out.y!.data as Float32Array;
      const total = out.total!.data as Float32Array;
      y.forEach((v, i) => expect(v).toBeCloseTo(want.y[i]!, 5));
      total.forEach((v, i) => expect(v).toBeCloseTo(want.total[i]!, 4));
    } finally {
      await session.release();
    }
  });
});

describe('onnxruntime-web wasm files', () => {
  it('come from this app, not a CDN', async () => {
    const env = configureOnnxRuntime();
    const paths = env.wasm.wasmPaths as { wasm: string; mjs: string };
    for (const url of [paths.wasm, paths.mjs]) {
      const resolved = new URL(url, location.href);
      expect(resolved.origin).toBe(location.origin);
      expect((await fetch(resolved)).ok).toBe(true);
    }
  });
});

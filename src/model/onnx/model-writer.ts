// Writes ONNX models (ModelProto) from a small typed description: the format our exported segmenters ship in.
import { ProtoWriter } from './protobuf';

/** The subset of TensorProto.DataType the project emits. */
export const OnnxDataType = {
  float: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
} as const;
export type OnnxElementType = keyof typeof OnnxDataType;

export interface OnnxTensor {
  name: string;
  type: OnnxElementType;
  dims: number[];
  /** Little-endian element bytes, as ONNX raw_data wants. */
  data: Uint8Array;
}

/** A dimension is a fixed size or a symbolic name such as 'batch'. */
export type OnnxDim = number | string;

export interface OnnxValueInfo {
  name: string;
  type: OnnxElementType;
  shape: OnnxDim[];
}

export type OnnxAttribute =
  | { name: string; float: number }
  | { name: string; int: number }
  | { name: string; ints: number[] }
  | { name: string; floats: number[] }
  | { name: string; string: string }
  | { name: string; tensor: OnnxTensor };

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attributes?: OnnxAttribute[];
}

export interface OnnxModel {
  graphName: string;
  nodes: OnnxNode[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers?: OnnxTensor[];
  opset?: number;
  producer?: string;
  metadata?: Record<string, string>;
}

// ONNX IR version 8 pairs with opsets up to 18, which onnxruntime-web 1.30 runs on every backend.
const IR_VERSION = 8;
const DEFAULT_OPSET = 17;

const AttributeType = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): OnnxTensor {
  const data = new Float32Array(values);
  if (data.length !== dims.reduce((a, b) => a * b, 1))
    throw new RangeError(`${name}: ${data.length} values do not fill shape [${dims.join(', ')}]`);
  return { name, type: 'float', dims, data: new Uint8Array(data.buffer) };
}

export function int64Tensor(name: string, dims: number[], values: ArrayLike<number>): OnnxTensor {
  const data = BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
  return { name, type: 'int64', dims, data: new Uint8Array(data.buffer) };
}

function tensorProto(tensor: OnnxTensor): ProtoWriter {
  return new ProtoWriter()
    .packedVarints(1, tensor.dims)
    .varint(2, OnnxDataType[tensor.type])
    .string(8, tensor.name)
    .bytes(9, tensor.data);
}

function valueInfoProto(info: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const dim of info.shape) {
    const d = new ProtoWriter();
    if (typeof dim === 'number') d.varint(1, dim);
    else d.string(2, dim);
    shape.message(1, d);
  }
  const tensorType = new ProtoWriter().varint(1, OnnxDataType[info.type]).message(2, shape);
  return new ProtoWriter().string(1, info.name).message(2, new ProtoWriter().message(1, tensorType));
}

function attributeProto(attr: OnnxAttribute): ProtoWriter {
  const w = new ProtoWriter().string(1, attr.name);
  if ('float' in attr) return w.float(2, attr.float).varint(20, AttributeType.float);
  if ('int' in attr) return w.varint(3, attr.int).varint(20, AttributeType.int);
  if ('string' in attr) return w.string(4, attr.string).varint(20, AttributeType.string);
  if ('tensor' in attr) return w.message(5, tensorProto(attr.tensor)).varint(20, AttributeType.tensor);
  if ('floats' in attr) {
    attr.floats.forEach((f) => w.float(7, f));
    return w.varint(20, AttributeType.floats);
  }
  return w.packedVarints(8, attr.ints).varint(20, AttributeType.ints);
}

function nodeProto(node: OnnxNode, index: number): ProtoWriter {
  const w = new ProtoWriter();
  node.inputs.forEach((name) => w.string(1, name));
  node.outputs.forEach((name) => w.string(2, name));
  w.string(3, node.name ?? `${node.opType}_${index}`).string(4, node.opType);
  node.attributes?.forEach((a) => w.message(5, attributeProto(a)));
  if (node.domain) w.string(7, node.domain);
  return w;
}

/** Serialises a model to the bytes of a .onnx file. */
export function writeOnnxModel(model: OnnxModel): Uint8Array {
  const graph = new ProtoWriter();
  model.nodes.forEach((node, i) => graph.message(1, nodeProto(node, i)));
  graph.string(2, model.graphName);
  model.initializers?.forEach((t) => graph.message(5, tensorProto(t)));
  model.inputs.forEach((i) => graph.message(11, valueInfoProto(i)));
  model.outputs.forEach((o) => graph.message(12, valueInfoProto(o)));

  const root = new ProtoWriter()
    .varint(1, IR_VERSION)
    .string(2, model.producer ?? 'pixelthink-playground')
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').varint(2, model.opset ?? DEFAULT_OPSET));
  for (const [key, value] of Object.entries(model.metadata ?? {}))
    root.message(14, new ProtoWriter().string(1, key).string(2, value));
  return root.finish();
}

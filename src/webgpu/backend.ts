// The primitive Backend interface every engine backend (reference, webgpu, wasm) implements; ops are built on it.

/** Element types a tensor can have today. Float math is f32; i32 carries token ids and positions. */
export type DType = 'f32' | 'i32';

/**
 * Storage formats a backend may declare beyond DType, all packed frozen weights consumed only by `matmulQuantized`
 * (decoding fused into the matmul, never materialised): 'q8'/'q4' with one f32 scale per group of the K axis, 'f16'
 * IEEE halves two per u32 word, decoded to f32 in the kernel (WGSL `unpack2x16float`, core WGSL: no `shader-f16`
 * needed, so it runs on every adapter; arithmetic stays f32).
 */
export type StorageFormat = DType | 'f16' | 'q8' | 'q4';

/** Host-side data as returned by `read`; f32 tensors come back as Float32Array, i32 as Int32Array. */
export type HostData = Float32Array | Int32Array;

/** An opaque handle to device memory. Backends subclass it; ops never look inside. */
export interface Storage {
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
}

export type UnarySpec =
  | {
      kind:
        | 'neg'
        | 'exp'
        | 'log'
        | 'sqrt'
        | 'rsqrt'
        | 'square'
        | 'abs'
        | 'relu'
        | 'sigmoid'
        | 'tanh'
        | 'silu'
        | 'gelu';
    }
  /** y = scale * x + shift: covers scale, add-scalar, negate-and-shift without extra kernels. */
  | { kind: 'affine'; scale: number; shift: number }
  | { kind: 'clamp'; min: number; max: number }
  /** y = x^exponent (x > 0 expected unless exponent is an integer). */
  | { kind: 'pow'; exponent: number };

export type UnaryKind = UnarySpec['kind'];

/** Arithmetic and comparisons; comparisons produce 1.0 / 0.0 in f32 (masks for clipping, GRPO). */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'greater' | 'less' | 'equal';

/** Shapes for a broadcasting binary kernel; a and b are right-aligned against out (numpy rules). */
export interface BroadcastSpec {
  out: readonly number[];
  a: readonly number[];
  b: readonly number[];
}

/**
 * Batched matmul: a is [...batchA, m, k] ([..., k, m] when transA), b is [...batchB, k, n] ([..., n, k] when transB);
 * batchA and batchB broadcast against each other to `batch`, the output is [...batch, m, n].
 */
export interface MatmulSpec {
  batch: readonly number[];
  batchA: readonly number[];
  batchB: readonly number[];
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
}

/** A reduction over the middle axis of x viewed as [outer, axis, inner]; the output is [outer, inner]. */
export interface ReduceSpec {
  outer: number;
  axis: number;
  inner: number;
}

/**
 * Rotary embedding on x laid out [batch, seq, heads, headDim] with rotate-half pairing (i, i + headDim/2), as in
 * Llama/Qwen. `sections` split the headDim/2 frequencies into groups, each rotated by its own position row:
 * positions is i32 [sections.length, batch, seq]. 1-D RoPE is sections = [headDim/2]; Qwen2-VL's M-RoPE is
 * sections = [16, 24, 24] (temporal, height, width) for headDim 128.
 */
export interface RopeSpec {
  batch: number;
  seq: number;
  heads: number;
  headDim: number;
  sections: readonly number[];
  theta: number;
}

/**
 * Fused scaled-dot-product attention. q is [batch, tq, hq, d], k and v are [batch, kvRows, hkv, d] of which the first
 * tk rows are attended (kvRows > tk: a preallocated KV cache filled up to tk; later rows are never read and get zero
 * gradients), hq a multiple of hkv (grouped-query attention: query head h reads kv head floor(h / (hq / hkv))).
 * With `causal`, query i sits at absolute position queryOffset + i and sees keys 0..queryOffset + i
 * (queryOffset = tk - tq for a KV cache).
 * The optional additive mask is f32 [maskBatch, maskHeads, tq, tk] with maskBatch in {1, batch} and maskHeads in
 * {1, hq}; -Infinity hides a key. A query that sees no key outputs zeros.
 */
export interface AttentionSpec {
  batch: number;
  tq: number;
  tk: number;
  /** Rows per batch in the k/v storages, ≥ tk. */
  kvRows: number;
  hq: number;
  hkv: number;
  d: number;
  scale: number;
  causal: boolean;
  queryOffset: number;
  maskBatch: number;
  maskHeads: number;
}

/**
 * An in-place write of x, viewed as [outer, count, inner], into rows offset..offset + count of a target viewed as
 * [outer, rows, inner]: one axis of a preallocated tensor (a KV cache's sequence axis) filled without a copy of the rest.
 */
export interface WriteSliceSpec {
  outer: number;
  rows: number;
  inner: number;
  offset: number;
  count: number;
}

/** 2-D convolution in NCHW with weights [cOut, cIn, kh, kw], no groups, no dilation, symmetric zero padding. */
export interface Conv2dSpec {
  batch: number;
  cIn: number;
  height: number;
  width: number;
  cOut: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  outH: number;
  outW: number;
}

export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1 - beta1^step and 1 - beta2^step, computed on the host because the step count lives there. */
  biasCorrection1: number;
  biasCorrection2: number;
}

/**
 * A frozen weight [n, k] packed as int8/int4 with one f32 scale per `groupSize` consecutive k values, in the byte
 * layout of `wasm/quantize.ts`: int8 rows are k bytes (two's complement); int4 rows are ceil(k/2) bytes, low nibble
 * first, stored as q + 8. `packed` holds those bytes (4 per element of an i32 storage until a 'u8' dtype exists).
 */
export interface GroupQuantizedWeight {
  format: 'q8' | 'q4';
  packed: Storage;
  scales: Storage;
  n: number;
  k: number;
  groupSize: number;
}

/**
 * A frozen weight [n, k] as IEEE binary16 in the layout of `wasm/quantize-f16.ts`: n·k halves row-major with no row
 * padding, two per word of the i32 storage `packed` (ceil(n·k / 2) words; half 2i in the low 16 bits of word i).
 */
export interface HalfWeight {
  format: 'f16';
  packed: Storage;
  n: number;
  k: number;
}

/** A frozen packed weight `matmulQuantized` multiplies by. */
export type QuantizedWeight = GroupQuantizedWeight | HalfWeight;

export interface NormGrads {
  dx: Storage;
  /** Present only when the weight needs a gradient (not for frozen base weights). */
  dWeight?: Storage;
  dBias?: Storage;
}

export interface AttentionOutput {
  out: Storage;
  /** Per (batch, head, query) log-sum-exp of the scaled scores, f32 [batch, hq, tq]: lets backward skip a re-softmax pass. */
  logSumExp: Storage;
}

export interface AttentionGrads {
  dq: Storage;
  dk: Storage;
  dv: Storage;
}

/**
 * One backend = one memory space + one kernel set. Every kernel allocates and returns fresh output storage (except
 * `adamwUpdate` and `writeSlice`, which update their target in place), takes only contiguous row-major inputs, and runs asynchronously
 * from the host's view: nothing but `read` waits for the device.
 */
export interface Backend {
  readonly name: string;
  /** Storage formats this backend can hold and compute with. */
  readonly formats: ReadonlySet<StorageFormat>;

  // Memory.
  upload(data: ArrayLike<number>, dtype: DType): Storage;
  read(storage: Storage): Promise<HostData>;
  free(storage: Storage): void;
  /** Number of storages allocated and not yet freed: the leak detector used by tests. */
  liveStorageCount(): number;

  // Creation and conversion.
  fill(size: number, value: number, dtype: DType): Storage;
  cast(x: Storage, dtype: DType): Storage;

  // Elementwise.
  unary(spec: UnarySpec, x: Storage): Storage;
  /** dx for y = unary(x), fused so GELU/SiLU backward is one kernel. */
  unaryBackward(spec: UnarySpec, x: Storage, dy: Storage): Storage;
  binary(op: BinaryOp, a: Storage, b: Storage, shapes: BroadcastSpec): Storage;
  broadcast(x: Storage, from: readonly number[], to: readonly number[]): Storage;

  // Reductions and normalisations over the last axis.
  reduce(op: 'sum' | 'max', x: Storage, spec: ReduceSpec): Storage;
  softmax(x: Storage, rows: number, cols: number, log: boolean): Storage;
  softmaxBackward(y: Storage, dy: Storage, rows: number, cols: number, log: boolean): Storage;
  rmsNorm(x: Storage, weight: Storage, rows: number, cols: number, eps: number): Storage;
  rmsNormBackward(
    x: Storage,
    weight: Storage,
    dy: Storage,
    rows: number,
    cols: number,
    eps: number,
    needWeightGrad: boolean,
  ): NormGrads;
  layerNorm(x: Storage, weight: Storage, bias: Storage, rows: number, cols: number, eps: number): Storage;
  layerNormBackward(
    x: Storage,
    weight: Storage,
    dy: Storage,
    rows: number,
    cols: number,
    eps: number,
    needWeightGrad: boolean,
  ): NormGrads;

  // Contractions.
  matmul(a: Storage, b: Storage, spec: MatmulSpec): Storage;
  /**
   * Dequant fused into matmul, for frozen packed weights W [n, k]. transposed = false: x [rows, k] @ W^T → [rows, n]
   * (the forward of a Linear); transposed = true: x [rows, n] @ W → [rows, k] (the input gradient that LoRA training
   * on a quantized base needs). Optional until a backend declares 'q8'/'q4'/'f16' in `formats`.
   */
  matmulQuantized?(x: Storage, weight: QuantizedWeight, rows: number, transposed: boolean): Storage;
  attention(q: Storage, k: Storage, v: Storage, mask: Storage | null, spec: AttentionSpec): AttentionOutput;
  attentionBackward(
    q: Storage,
    k: Storage,
    v: Storage,
    mask: Storage | null,
    out: Storage,
    logSumExp: Storage,
    dOut: Storage,
    spec: AttentionSpec,
  ): AttentionGrads;
  conv2d(x: Storage, weight: Storage, spec: Conv2dSpec): Storage;
  conv2dBackwardInput(dy: Storage, weight: Storage, spec: Conv2dSpec): Storage;
  conv2dBackwardWeight(x: Storage, dy: Storage, spec: Conv2dSpec): Storage;

  // Positional.
  /** Applies the rotation (inverse = false) or its transpose (inverse = true, the backward). */
  rope(x: Storage, positions: Storage, spec: RopeSpec, inverse: boolean): Storage;

  // Indexing.
  /** out[i, :] = table[ids[i], :]; table is [rows, cols]. */
  gatherRows(table: Storage, ids: Storage, cols: number): Storage;
  /** out = zeros[rows, cols]; out[ids[i], :] += src[i, :]. */
  scatterAddRows(ids: Storage, src: Storage, rows: number, cols: number): Storage;
  /** out[r] = log_softmax(logits[r, :])[ids[r]], or 0 where ids[r] < 0 (ignored rows). */
  logSoftmaxGather(logits: Storage, ids: Storage, rows: number, cols: number): Storage;
  /** d logits = dy[r] * (onehot(ids[r]) - softmax(logits[r])), zero rows where ids[r] < 0. */
  logSoftmaxGatherBackward(logits: Storage, ids: Storage, dy: Storage, rows: number, cols: number): Storage;
  /** out[r] = -sum_j p_j log p_j with p = softmax(logits[r]). */
  entropy(logits: Storage, rows: number, cols: number): Storage;
  entropyBackward(logits: Storage, dy: Storage, rows: number, cols: number): Storage;

  // Layout.
  permute(x: Storage, shape: readonly number[], perm: readonly number[]): Storage;
  slice(x: Storage, shape: readonly number[], begin: readonly number[], size: readonly number[]): Storage;
  /** Places x (shape `size`) at `begin` inside zeros of `shape`: the backward of slice. */
  pad(x: Storage, size: readonly number[], begin: readonly number[], shape: readonly number[]): Storage;
  concat(xs: readonly Storage[], shapes: readonly (readonly number[])[], axis: number): Storage;
  /** In place (like `adamwUpdate`): x's rows overwrite rows offset..offset + count of target; the rest is untouched. */
  writeSlice(target: Storage, x: Storage, spec: WriteSliceSpec): void;

  // Optimiser.
  /** In place: param, m and v updated by one AdamW step on grad * gradScale[0] (gradScale is a 1-element f32). */
  adamwUpdate(
    param: Storage,
    grad: Storage,
    m: Storage,
    v: Storage,
    gradScale: Storage,
    hyper: AdamWHyper,
  ): void;
}

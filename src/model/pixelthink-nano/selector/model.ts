// The selector network in engine ops: seeded parameters and the forward pass from selector inputs to one score per object.
import type { Backend } from '../../../webgpu/backend';
import { fromArray, ones, parameter, randn, zeros } from '../../../webgpu/creation';
import { attention } from '../../../webgpu/ops/attention';
import { add, mul, relu } from '../../../webgpu/ops/elementwise';
import { embedding } from '../../../webgpu/ops/embedding';
import { linear } from '../../../webgpu/ops/matmul';
import { layerNorm } from '../../../webgpu/ops/norm';
import { sum } from '../../../webgpu/ops/reduce';
import { reshape } from '../../../webgpu/ops/shape';
import { Random } from '../../../webgpu/random';
import type { Tensor } from '../../../webgpu/tensor';
import type { SelectorConfig } from './config';
import { OBJECT_FEATURES, PAIR_FEATURES, type SelectorInputs } from './features';

export type SelectorParams = Map<string, Tensor>;

export class MissingSelectorParameterError extends Error {
  override readonly name = 'MissingSelectorParameterError';
}

/** Every parameter's name and shape: one list for the init, the checkpoint and the export. */
export function selectorShapes(config: SelectorConfig): [string, number[]][] {
  const { dim: D, pairHidden: H, mlpHidden: M, vocab, maxQueryTokens: T } = config;
  const norm = (name: string): [string, number[]][] => [
    [`${name}.weight`, [D]],
    [`${name}.bias`, [D]],
  ];
  const dense = (name: string, out: number, inp: number, bias = true): [string, number[]][] =>
    bias
      ? [
          [`${name}.weight`, [out, inp]],
          [`${name}.bias`, [out]],
        ]
      : [[`${name}.weight`, [out, inp]]];
  const shapes: [string, number[]][] = [
    ['query.embed', [vocab, D]],
    ['query.position', [T, D]],
    ...norm('query.attn_norm'),
    ...['q', 'k', 'v', 'o'].flatMap((p) => dense(`query.attn.${p}`, D, D, false)),
    ...norm('query.mlp_norm'),
    ...dense('query.mlp.up', M, D),
    ...dense('query.mlp.down', D, M),
    ...norm('query.out_norm'),
    ...dense('object.in', D, OBJECT_FEATURES),
  ];
  for (let l = 0; l < config.layers; l++) {
    const p = `layers.${l}`;
    shapes.push(
      ...norm(`${p}.cross_norm`),
      ...['q', 'k', 'v', 'o'].flatMap((name) => dense(`${p}.cross.${name}`, D, D, false)),
      ...norm(`${p}.pair_norm`),
      ...dense(`${p}.pair.self`, H, D, false),
      ...dense(`${p}.pair.other`, H, D, false),
      ...dense(`${p}.pair.geometry`, H, PAIR_FEATURES),
      ...dense(`${p}.pair.message`, D, H),
      ...dense(`${p}.pair.out`, D, D, false),
      ...norm(`${p}.mlp_norm`),
      ...dense(`${p}.mlp.up`, M, D),
      ...dense(`${p}.mlp.down`, D, M),
    );
  }
  shapes.push(...norm('out_norm'), ...dense('out', 1, D));
  return shapes;
}

/** Projections that write into a residual stream start smaller, so each block begins close to the identity. */
const RESIDUAL_WRITERS = /\.(attn\.o|cross\.o|mlp\.down|pair\.out)\.weight$/;

/** Seeded init: LayerNorm 1/0, biases 0, embeddings N(0, 0.02), weights N(0, 1/fan-in), residual writers halved. */
export function initSelector(
  config: SelectorConfig,
  options: { backend: Backend; seed?: number },
): SelectorParams {
  const { backend } = options;
  const rng = new Random(options.seed ?? 0);
  const params: SelectorParams = new Map();
  for (const [name, shape] of selectorShapes(config)) {
    let tensor: Tensor;
    if (/norm\.weight$/.test(name)) tensor = ones(shape, { backend });
    else if (name.endsWith('.bias')) tensor = zeros(shape, { backend });
    else if (name.startsWith('query.embed') || name.startsWith('query.position'))
      tensor = randn(shape, { backend, rng, std: 0.02 });
    else {
      const fanIn = shape[1] ?? 1;
      const std = (RESIDUAL_WRITERS.test(name) ? 0.5 : 1) / Math.sqrt(fanIn);
      tensor = randn(shape, { backend, rng, std });
    }
    params.set(name, parameter(tensor));
  }
  return params;
}

function get(params: SelectorParams, name: string): Tensor {
  const tensor = params.get(name);
  if (!tensor) throw new MissingSelectorParameterError(`selector parameter ${name} is missing`);
  return tensor;
}

function norm(params: SelectorParams, name: string, x: Tensor): Tensor {
  return layerNorm(x, get(params, `${name}.weight`), get(params, `${name}.bias`));
}

function dense(params: SelectorParams, name: string, x: Tensor): Tensor {
  return linear(x, get(params, `${name}.weight`), params.get(`${name}.bias`));
}

/** Multi-head attention of `from` [B, Q, D] over `to` [B, K, D] with an additive key mask [B, 1, Q, K]. */
function attend(
  params: SelectorParams,
  name: string,
  config: SelectorConfig,
  from: Tensor,
  to: Tensor,
  mask: Tensor,
): Tensor {
  const { heads, dim } = config;
  const [batch, queries] = from.shape as [number, number];
  const keys = to.shape[1] as number;
  const split = (x: Tensor, rows: number) => reshape(x, [batch, rows, heads, dim / heads]);
  const q = split(dense(params, `${name}.q`, from), queries);
  const k = split(dense(params, `${name}.k`, to), keys);
  const v = split(dense(params, `${name}.v`, to), keys);
  return dense(params, `${name}.o`, reshape(attention(q, k, v, { mask }), [batch, queries, dim]));
}

function mlp(params: SelectorParams, name: string, x: Tensor): Tensor {
  return dense(params, `${name}.down`, relu(dense(params, `${name}.up`, x)));
}

/** Additive attention mask [B, 1, rows, T] from a 0/1 key mask [B, T]: −∞ hides a padded key. */
function keyMask(keys: Float32Array, batch: number, rows: number, backend: Backend): Tensor {
  const T = keys.length / batch;
  const mask = new Float32Array(batch * rows * T);
  for (let b = 0; b < batch; b++)
    for (let r = 0; r < rows; r++)
      for (let t = 0; t < T; t++) mask[(b * rows + r) * T + t] = keys[b * T + t] ? 0 : -Infinity;
  return fromArray(mask, [batch, 1, rows, T], { backend });
}

/** Query-token states [B, T, D]: embedding + position, one bidirectional self-attention block. */
function encodeQuery(
  params: SelectorParams,
  config: SelectorConfig,
  inputs: SelectorInputs,
  backend: Backend,
): Tensor {
  const { batch } = inputs;
  const T = config.maxQueryTokens;
  const ids = fromArray(inputs.queryIds, [batch, T], { backend, dtype: 'i32' });
  let x = add(embedding(get(params, 'query.embed'), ids), get(params, 'query.position'));
  const mask = keyMask(inputs.queryMask, batch, T, backend);
  const normed = norm(params, 'query.attn_norm', x);
  x = add(x, attend(params, 'query.attn', config, normed, normed, mask));
  x = add(x, mlp(params, 'query.mlp', norm(params, 'query.mlp_norm', x)));
  return norm(params, 'query.out_norm', x);
}

/**
 * Messages from every object j to object i, summed over j: relu(W_self·u_i + W_other·u_j + W_geo·g_ij), another
 * layer, masked to real objects j. Sums (not means) let a layer count, which ordinals ("the second from the left")
 * need.
 */
function pairMessages(
  params: SelectorParams,
  name: string,
  config: SelectorConfig,
  states: Tensor,
  pairs: Tensor,
  otherMask: Tensor,
): Tensor {
  const { pairHidden: H } = config;
  const [batch, N] = states.shape as [number, number];
  const self = reshape(dense(params, `${name}.self`, states), [batch, N, 1, H]);
  const other = reshape(dense(params, `${name}.other`, states), [batch, 1, N, H]);
  const hidden = relu(add(add(dense(params, `${name}.geometry`, pairs), self), other));
  const messages = mul(relu(dense(params, `${name}.message`, hidden)), otherMask);
  return dense(params, `${name}.out`, mul(sum(messages, 2), 1 / 4));
}

/** One score per object slot [B, N]; padded slots score −1e9, so a softmax over the row picks among real objects. */
export function selectorForward(
  params: SelectorParams,
  config: SelectorConfig,
  inputs: SelectorInputs,
): Tensor {
  const backend = get(params, 'out.weight').backend;
  const { batch, slots: N } = inputs;
  const query = encodeQuery(params, config, inputs, backend);
  const crossMask = keyMask(inputs.queryMask, batch, N, backend);
  const pairs = fromArray(inputs.pairs, [batch, N, N, PAIR_FEATURES], { backend });
  const otherMask = fromArray(inputs.objectMask, [batch, 1, N, 1], { backend });
  let h = dense(params, 'object.in', fromArray(inputs.objects, [batch, N, OBJECT_FEATURES], { backend }));
  for (let l = 0; l < config.layers; l++) {
    const p = `layers.${l}`;
    h = add(h, attend(params, `${p}.cross`, config, norm(params, `${p}.cross_norm`, h), query, crossMask));
    h = add(
      h,
      pairMessages(params, `${p}.pair`, config, norm(params, `${p}.pair_norm`, h), pairs, otherMask),
    );
    h = add(h, mlp(params, `${p}.mlp`, norm(params, `${p}.mlp_norm`, h)));
  }
  const scores = reshape(dense(params, 'out', norm(params, 'out_norm', h)), [batch, N]);
  const padding = Float32Array.from(inputs.objectMask, (real) => (real ? 0 : -1e9));
  return add(scores, fromArray(padding, [batch, N], { backend }));
}

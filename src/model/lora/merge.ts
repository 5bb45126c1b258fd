// Folds LoRA into the base weights for inference: W ← W + (alpha/rank)·B·A, in place in the model.
import { DenseLinear } from '../transformer';
import type { Transformer } from '../transformer';
import { add, keep, matmul, scale, scope } from '../../webgpu';
import type { LoraAdapters } from './adapters';
import { LoraError } from './errors';

/**
 * After merging, a forward without the adapter equals the unmerged forward with it, at no extra cost per token.
 * The base is changed: the reference policy (base without LoRA) is gone, so merge only for inference. Quantised
 * projections cannot be merged (that would need re-quantising, which changes the base): LoraError 'quantized-base'.
 */
export function mergeLora(model: Transformer, adapters: LoraAdapters): void {
  for (const path of adapters.pairs.keys()) {
    if (!(model.linearAt(path) instanceof DenseLinear)) {
      throw new LoraError(
        'quantized-base',
        `${path} is quantised; merge into an f32 base or keep the adapter separate`,
      );
    }
  }
  for (const [path, pair] of adapters.pairs) {
    const base = model.linearAt(path) as DenseLinear;
    const merged = scope(() => keep(add(base.weight, scale(matmul(pair.b, pair.a), adapters.scale))));
    merged.requiresGrad = base.weight.requiresGrad;
    model.replaceLinear(path, new DenseLinear(merged, base.bias));
    base.weight.dispose();
  }
}

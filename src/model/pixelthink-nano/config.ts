// pixelthink-nano's decoder size: a small Qwen2-style transformer over the object list, the prompt and the response.
import { transformerConfig, type TransformerConfig } from '../transformer/config';

/**
 * Sized for the CPU budget: ~0.5 M parameters, contexts up to 1024 tokens. Token shift 8 lets one attention layer
 * match an answer's position against the object list by the ~8 tokens before it (the target's centre included),
 * which the plain decoder never learnt in 1800 steps; the pointer turns the last layer's copy head (the one the copy
 * loss supervises) into the output, since a correct look did not become a correct token (docs/models.md, pilot log).
 */
export function nanoDecoderConfig(vocab: number): TransformerConfig {
  return transformerConfig({
    vocab,
    dim: 96,
    layers: 3,
    heads: 3,
    kvHeads: 1,
    headDim: 32,
    ffnHidden: 256,
    maxPositions: 1024,
    ropeTheta: 10_000,
    tokenShift: 8,
    pointer: { layer: 2, head: 0 },
  });
}

// The selector's shape: a query-conditioned relation network over the perceived objects that scores which one the query means.

export interface SelectorConfig {
  /** Width of the object and query-token states. */
  dim: number;
  /** Object layers, each: cross-attention to the query, pairwise messages from every other object, an MLP. */
  layers: number;
  heads: number;
  /** Width of the pairwise message network's hidden layer. */
  pairHidden: number;
  mlpHidden: number;
  /** Query-token vocabulary (the policy tokenizer's). */
  vocab: number;
  /** Learned query positions; longer queries are cut to their first maxQueryTokens tokens. */
  maxQueryTokens: number;
}

export function defaultSelectorConfig(vocab: number): SelectorConfig {
  return { dim: 64, layers: 3, heads: 4, pairHidden: 64, mlpHidden: 128, vocab, maxQueryTokens: 32 };
}

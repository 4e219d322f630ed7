import { cosine } from './embedder.js';

/**
 * How much two attributes are about the same axis, from their words' vectors: greedy word
 * alignment (each word's best match on the other side, as BERTScore does), averaged both ways
 * into an F-score, with |cos| so that the poles of one axis match: an attribute called "Dry —
 * flat, unengaging tone" belongs to the axis "Engagement — sparks curiosity". (The affinity map,
 * by contrast, keeps poles apart: there "balanced" and "biased" should not sit together.)
 * 0 when either side has no words.
 */
export function axisSimilarity(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const best = (from: readonly Float32Array[], to: readonly Float32Array[]) =>
    from.reduce((sum, x) => sum + Math.max(...to.map((y) => Math.abs(cosine(x, y)))), 0) / from.length;
  const precision = best(a, b);
  const recall = best(b, a);
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

import { contentWords } from '@calma/core';
import { axisSimilarity, cosine } from '@calma/embeddings';
import type { EmbeddingCache } from '../affinity/embedding-cache.js';

/** An axis as the similarity reads it: its words, and the text of its example turns. */
export interface AxisText {
  readonly name: string;
  readonly definition: string;
  /** The example interactions' answers (what the group pointed at), possibly none. */
  readonly examples: readonly string[];
}

/** How much the examples weigh against name and definition, when both axes have examples. */
export const exampleWeight = 0.2;

/**
 * The similarity matrix of axes, through the server's one embedder (and its cache): word-aligned
 * cosine of name + definition (`axisSimilarity`, as the segment-1 mapping suggestion uses; poles
 * match, so "Bias" finds "Neutrality"), blended with the cosine of the example turns' vectors when
 * both axes have examples. Whole-text cosines of the offline model sit near 0.8 for any two
 * axes of a study, so word alignment is what tells "Complexity" from "Cultural Context".
 */
export async function axisSimilarityMatrix(
  embeddings: EmbeddingCache,
  axes: readonly AxisText[],
): Promise<{ matrix: number[][]; model: string }> {
  const words = axes.map((a) => {
    const found = contentWords(`${a.name} ${a.definition}`);
    return found.length > 0 ? found : [a.name];
  });
  const exampleTexts = axes.map((a) => a.examples.join('\n\n').trim());
  const unique = [...new Set(words.flat())];
  const withExamples = exampleTexts.filter((t) => t !== '');
  const embedded = await embeddings.embed([...unique, ...withExamples]);
  const vectorOf = new Map(unique.map((w, i) => [w, embedded.vectors[i] as Float32Array]));
  const wordVectors = words.map((ws) => ws.map((w) => vectorOf.get(w) as Float32Array));
  let next = unique.length;
  const exampleVectors = exampleTexts.map((t) => (t === '' ? null : (embedded.vectors[next++] as Float32Array)));
  const matrix = axes.map((_, i) =>
    axes.map((__, j) => {
      if (i === j) return 1;
      const words = axisSimilarity(wordVectors[i] ?? [], wordVectors[j] ?? []);
      const x = exampleVectors[i];
      const y = exampleVectors[j];
      return x && y ? (1 - exampleWeight) * words + exampleWeight * cosine(x, y) : words;
    }),
  );
  return { matrix, model: embedded.model };
}

/** How close one of the participant's labels came to the reference labels, by meaning. */
export interface LabelCloseness {
  label: string;
  /** The reference label nearest in meaning, or null when there are no reference labels. */
  nearest: string | null;
  /** Cosine similarity to it, rounded to two decimals (0 when nothing is near). */
  similarity: number;
  /** A word for the similarity, for people: `close`, `related` or `different`. */
  closeness: 'close' | 'related' | 'different';
}

/** Similarity from which a label counts as close to a reference label (offline model, short texts). */
export const closeThreshold = 0.75;
/** Similarity from which a label counts as related. */
export const relatedThreshold = 0.45;

const normalizedText = (text: string) => text.trim().toLocaleLowerCase().replace(/\s+/g, ' ');

/** Cosine similarity of two vectors (0 when either is all zeros: a text the model knows no word of). */
export function cosineSimilarity(a: Float32Array | readonly number[], b: Float32Array | readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i += 1) {
    const x = a[i] as number;
    const y = (b[i] ?? 0) as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/**
 * For each of the participant's labels, the reference label nearest in meaning (best cosine
 * similarity of their embeddings). The same words (case and spacing aside) are always a perfect
 * match, whatever the model makes of them: the offline model knows no Devanagari, for example.
 */
export function labelCloseness(
  labels: readonly { text: string; vector: Float32Array | readonly number[] }[],
  references: readonly { text: string; vector: Float32Array | readonly number[] }[],
): LabelCloseness[] {
  return labels.map(({ text, vector }) => {
    let nearest: string | null = null;
    let best = -1;
    for (const reference of references) {
      const similarity =
        normalizedText(reference.text) === normalizedText(text) ? 1 : cosineSimilarity(vector, reference.vector);
      if (similarity > best) {
        best = similarity;
        nearest = reference.text;
      }
    }
    const similarity = nearest === null ? 0 : Math.round(Math.max(0, best) * 100) / 100;
    const closeness = similarity >= closeThreshold ? 'close' : similarity >= relatedThreshold ? 'related' : 'different';
    return { label: text, nearest, similarity, closeness };
  });
}

/** Turns short texts (labels, attribute names and definitions) into unit vectors. */
export interface Embedder {
  /** What produced the vectors; part of the cache key and of the API's `model` field. */
  readonly model: string;
  readonly dims: number;
  /**
   * Changes when the same model comes to embed some texts differently (a fix in how words are
   * read); part of the cache key, so that vectors made before the change are not reused.
   */
  readonly revision?: string;
  /** One unit vector per text, in order. Texts must be non-empty. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** Cosine similarity of two unit vectors. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let d = 0; d < a.length; d += 1) dot += (a[d] ?? 0) * (b[d] ?? 0);
  return dot;
}

/** Rows of `dims` floats, one after another: the layout's input. */
export function stack(vectors: readonly Float32Array[], dims: number): Float32Array {
  const out = new Float32Array(vectors.length * dims);
  for (let i = 0; i < vectors.length; i += 1) out.set(vectors[i] as Float32Array, i * dims);
  return out;
}

/** Scales a vector to unit length in place (a zero vector stays zero). */
export function normalise(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let d = 0; d < vector.length; d += 1) vector[d] = (vector[d] ?? 0) * scale;
  }
  return vector;
}

/**
 * Retrofitting (Faruqui et al., 2015) with an antonym repulsion term in the spirit of
 * counter-fitting (Mrkšić et al., 2016): each word vector is pulled towards its WordNet neighbours
 * and pushed away from its antonyms, while staying anchored to its distributional original. It
 * fixes the weakness of co-occurrence vectors that matters here: "balanced" and "biased" appear in
 * the same contexts, so plain GloVe puts them together.
 */

/** Neighbour lists over word indices, compressed (CSR). */
export interface Graph {
  offsets: Uint32Array;
  targets: Uint32Array;
}

export function toGraph(size: number, edges: Iterable<readonly [number, number]>): Graph {
  const lists: number[][] = Array.from({ length: size }, () => []);
  for (const [a, b] of edges) if (a !== b) lists[a]?.push(b);
  const offsets = new Uint32Array(size + 1);
  for (let i = 0; i < size; i += 1) offsets[i + 1] = (offsets[i] ?? 0) + (lists[i]?.length ?? 0);
  const targets = new Uint32Array(offsets[size] ?? 0);
  for (let i = 0; i < size; i += 1) targets.set(lists[i] ?? [], offsets[i] ?? 0);
  return { offsets, targets };
}

export interface RetrofitOptions {
  /** Weight of a word's original vector. */
  alpha: number;
  /** Weight of each antonym's repulsion, relative to a neighbour's attraction. */
  gamma: number;
  iterations: number;
}

export const defaultRetrofit: RetrofitOptions = { alpha: 1, gamma: 0.5, iterations: 10 };

function normalise(vectors: Float32Array, dims: number): void {
  for (let offset = 0; offset < vectors.length; offset += dims) {
    let norm = 0;
    for (let d = 0; d < dims; d += 1) norm += (vectors[offset + d] ?? 0) ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dims; d += 1) vectors[offset + d] = (vectors[offset + d] ?? 0) * scale;
  }
}

/**
 * Returns retrofitted unit vectors (row-major, `dims` per word). Words without relations keep
 * their (normalised) original. Jacobi updates: every iteration reads the previous one only, so the
 * result does not depend on word order.
 */
export function retrofit(
  original: Float32Array,
  dims: number,
  attract: Graph,
  repel: Graph,
  options: RetrofitOptions = defaultRetrofit,
  onIteration?: (iteration: number) => void,
): Float32Array {
  const anchor = Float32Array.from(original);
  normalise(anchor, dims);
  let current = Float32Array.from(anchor);
  const words = anchor.length / dims;
  const sum = new Float64Array(dims);
  for (let iteration = 0; iteration < options.iterations; iteration += 1) {
    const next = Float32Array.from(current);
    for (let w = 0; w < words; w += 1) {
      const a0 = attract.offsets[w] ?? 0;
      const a1 = attract.offsets[w + 1] ?? 0;
      const r0 = repel.offsets[w] ?? 0;
      const r1 = repel.offsets[w + 1] ?? 0;
      if (a0 === a1 && r0 === r1) continue;
      for (let d = 0; d < dims; d += 1) sum[d] = options.alpha * (anchor[w * dims + d] ?? 0);
      for (let e = a0; e < a1; e += 1) {
        const t = (attract.targets[e] ?? 0) * dims;
        for (let d = 0; d < dims; d += 1) sum[d] = (sum[d] ?? 0) + (current[t + d] ?? 0);
      }
      for (let e = r0; e < r1; e += 1) {
        const t = (repel.targets[e] ?? 0) * dims;
        for (let d = 0; d < dims; d += 1) sum[d] = (sum[d] ?? 0) - options.gamma * (current[t + d] ?? 0);
      }
      let norm = 0;
      for (let d = 0; d < dims; d += 1) norm += (sum[d] ?? 0) ** 2;
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let d = 0; d < dims; d += 1) next[w * dims + d] = (sum[d] ?? 0) * scale;
    }
    current = next;
    onIteration?.(iteration + 1);
  }
  return current;
}

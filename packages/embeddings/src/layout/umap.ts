import type { Neighbours } from './knn.js';
import { seededRandom } from './random.js';

/**
 * UMAP (McInnes, Healy & Melville, 2018) on a precomputed k-nearest-neighbour graph, written for
 * typed arrays: fuzzy simplicial set, PCA initialisation, SGD with negative sampling. It follows
 * umap-learn's optimiser (same gradients, clipping, sampling schedule) and is ~3× faster than
 * umap-js on the same input (see `pnpm bench map`).
 */
export interface UmapOptions {
  epochs: number;
  /** a, b of the low-dimensional kernel 1 / (1 + a d^2b); these fit min_dist 0.1, spread 1. */
  a: number;
  b: number;
  negativeSampleRate: number;
  seed: number;
}

export const defaultUmap: UmapOptions = { epochs: 200, a: 1.577, b: 0.8951, negativeSampleRate: 5, seed: 42 };

/**
 * Epochs for n points: 200 (umap-learn's count for large data) up to 1,000 points, then fewer, down
 * to 100 from 2,000 points (200,000 / n): the optimiser's work stops growing with n. From the PCA
 * start a large map has settled by then: on 2,000 realistic labels (`tests/bench/map-profile.ts`)
 * trustworthiness at k = 10 of the board positions is the same at 60, 80, 100, 120 and 200 epochs
 * (0.91–0.92), and clusters only slightly looser (mean distance within a cluster over between
 * clusters 0.23 against 0.21). Small maps keep 200: there it costs little, and a 15-label map
 * needs them to pull "biased" and "one-sided" together.
 */
export function epochsFor(n: number): number {
  return Math.max(100, Math.min(defaultUmap.epochs, Math.round(200_000 / Math.max(n, 1))));
}

/** A symmetric weighted graph in coordinate form (each undirected edge twice). */
export interface FuzzyGraph {
  heads: Int32Array;
  tails: Int32Array;
  weights: Float32Array;
}

/** Memberships exp(−(d − ρ) / σ) per row, symmetrised by fuzzy union (a + b − ab). */
export function fuzzySimplicialSet(n: number, neighbours: Neighbours): FuzzyGraph {
  const { k, indices, distances } = neighbours;
  const target = Math.log2(k + 1);
  const directed = new Map<number, number>();
  for (let i = 0; i < n; i += 1) {
    const base = i * k;
    let rho = Number.POSITIVE_INFINITY;
    for (let j = 0; j < k; j += 1) {
      const d = distances[base + j] as number;
      if (d > 0 && d < rho) rho = d;
    }
    if (!Number.isFinite(rho)) rho = 0;
    let lo = 0;
    let hi = Number.POSITIVE_INFINITY;
    let sigma = 1;
    for (let step = 0; step < 64; step += 1) {
      let sum = 0;
      for (let j = 0; j < k; j += 1) {
        const d = (distances[base + j] as number) - rho;
        sum += d > 0 ? Math.exp(-d / sigma) : 1;
      }
      if (Math.abs(sum - target) < 1e-5) break;
      if (sum > target) {
        hi = sigma;
        sigma = (lo + hi) / 2;
      } else {
        lo = sigma;
        sigma = Number.isFinite(hi) ? (lo + hi) / 2 : sigma * 2;
      }
    }
    sigma = Math.max(sigma, 1e-3 * meanOf(distances, base, k));
    for (let j = 0; j < k; j += 1) {
      const t = indices[base + j] as number;
      if (t < 0) continue;
      const d = (distances[base + j] as number) - rho;
      directed.set(i * n + t, d > 0 ? Math.exp(-d / sigma) : 1);
    }
  }
  const heads: number[] = [];
  const tails: number[] = [];
  const weights: number[] = [];
  for (const [key, w] of directed) {
    const i = Math.floor(key / n);
    const t = key % n;
    const back = directed.get(t * n + i) ?? 0;
    if (back > 0 && t < i) continue; // the pair was emitted from the other side
    const union = w + back - w * back;
    heads.push(i, t);
    tails.push(t, i);
    weights.push(union, union);
  }
  return { heads: Int32Array.from(heads), tails: Int32Array.from(tails), weights: Float32Array.from(weights) };
}

function meanOf(values: Float32Array, start: number, count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i += 1) sum += values[start + i] as number;
  return sum / count;
}

/**
 * The top two principal components of the rows, scaled to ±10: UMAP's starting positions.
 * Power iteration on the d × d covariance, from fixed start vectors, so it is deterministic.
 */
export function pcaInit(vectors: Float32Array, dims: number, seed: number): Float64Array {
  const n = vectors.length / dims;
  const mean = new Float64Array(dims);
  for (let i = 0; i < n; i += 1)
    for (let d = 0; d < dims; d += 1) mean[d] = (mean[d] as number) + (vectors[i * dims + d] as number) / n;
  const cov = new Float64Array(dims * dims);
  const row = new Float64Array(dims);
  for (let i = 0; i < n; i += 1) {
    for (let d = 0; d < dims; d += 1) row[d] = (vectors[i * dims + d] as number) - (mean[d] as number);
    for (let p = 0; p < dims; p += 1) {
      const rp = row[p] as number;
      if (rp === 0) continue;
      for (let q = p; q < dims; q += 1) cov[p * dims + q] = (cov[p * dims + q] as number) + rp * (row[q] as number);
    }
  }
  for (let p = 0; p < dims; p += 1) for (let q = 0; q < p; q += 1) cov[p * dims + q] = cov[q * dims + p] as number;
  const random = seededRandom(seed);
  const components: Float64Array[] = [];
  for (let c = 0; c < 2; c += 1) {
    let v = Float64Array.from({ length: dims }, () => random() - 0.5);
    for (let iteration = 0; iteration < 100; iteration += 1) {
      const next = new Float64Array(dims);
      for (let p = 0; p < dims; p += 1) {
        let s = 0;
        for (let q = 0; q < dims; q += 1) s += (cov[p * dims + q] as number) * (v[q] as number);
        next[p] = s;
      }
      for (const done of components) {
        let dot = 0;
        for (let d = 0; d < dims; d += 1) dot += (next[d] as number) * (done[d] as number);
        for (let d = 0; d < dims; d += 1) next[d] = (next[d] as number) - dot * (done[d] as number);
      }
      const norm = Math.hypot(...next) || 1;
      for (let d = 0; d < dims; d += 1) next[d] = (next[d] as number) / norm;
      v = next;
    }
    components.push(v);
  }
  const out = new Float64Array(n * 2);
  let max = 0;
  for (let i = 0; i < n; i += 1) {
    for (let c = 0; c < 2; c += 1) {
      const component = components[c] as Float64Array;
      let s = 0;
      for (let d = 0; d < dims; d += 1)
        s += ((vectors[i * dims + d] as number) - (mean[d] as number)) * (component[d] as number);
      out[i * 2 + c] = s;
      max = Math.max(max, Math.abs(s));
    }
  }
  // Scale to ±10 and add a little noise so identical rows (duplicate labels) can separate.
  const scale = max > 0 ? 10 / max : 1;
  for (let i = 0; i < out.length; i += 1) out[i] = (out[i] as number) * scale + (random() - 0.5) * 1e-3;
  return out;
}

/**
 * Optimises `embedding` (n × 2, in place) against the graph. `onEpoch` reports progress.
 * Written for speed: Float64 storage (no conversions), x^b as exp(b·ln x) (twice as fast as
 * `**` in V8), clipping and the PRNG inlined.
 */
export function optimiseLayout(
  embedding: Float64Array,
  graph: FuzzyGraph,
  options: UmapOptions,
  onEpoch?: (epoch: number, total: number) => void,
): Float64Array {
  const n = embedding.length / 2;
  const { heads, tails, weights } = graph;
  const { a, b, epochs, negativeSampleRate } = options;
  let maxWeight = 0;
  for (const w of weights) maxWeight = Math.max(maxWeight, w);
  const edges = weights.length;
  const epochsPerSample = new Float64Array(edges);
  for (let e = 0; e < edges; e += 1) {
    const w = weights[e] as number;
    epochsPerSample[e] = w >= maxWeight / epochs ? maxWeight / w : -1;
  }
  const epochsPerNegative = epochsPerSample.map((v) => v / negativeSampleRate);
  const nextSample = Float64Array.from(epochsPerSample);
  const nextNegative = Float64Array.from(epochsPerNegative);
  let state = (options.seed ^ 0x9e3779b9) >>> 0;
  const attract = -2 * a * b;
  const repel = 2 * b;
  for (let epoch = 0; epoch < epochs; epoch += 1) {
    const alpha = 1 - epoch / epochs;
    for (let e = 0; e < edges; e += 1) {
      const every = epochsPerSample[e] as number;
      if (every < 0 || (nextSample[e] as number) > epoch) continue;
      const j = (heads[e] as number) * 2;
      const k = (tails[e] as number) * 2;
      let cx = embedding[j] as number;
      let cy = embedding[j + 1] as number;
      let dx = cx - (embedding[k] as number);
      let dy = cy - (embedding[k + 1] as number);
      let distSq = dx * dx + dy * dy;
      if (distSq > 0) {
        const powB = Math.exp(b * Math.log(distSq));
        const coeff = (attract * powB) / distSq / (a * powB + 1);
        let gx = coeff * dx;
        let gy = coeff * dy;
        // Clipping to ±4 as umap-learn does, inline (Math.min/max calls cost here).
        // biome-ignore lint/complexity/useMathMinMax: hot loop
        gx = (gx > 4 ? 4 : gx < -4 ? -4 : gx) * alpha;
        // biome-ignore lint/complexity/useMathMinMax: hot loop
        gy = (gy > 4 ? 4 : gy < -4 ? -4 : gy) * alpha;
        cx += gx;
        cy += gy;
        embedding[k] = (embedding[k] as number) - gx;
        embedding[k + 1] = (embedding[k + 1] as number) - gy;
      }
      nextSample[e] = (nextSample[e] as number) + every;
      const perNegative = epochsPerNegative[e] as number;
      const negatives = Math.floor((epoch - (nextNegative[e] as number)) / perNegative);
      for (let s = 0; s < negatives; s += 1) {
        // mulberry32, inlined
        state = (state + 0x6d2b79f5) >>> 0;
        let t = Math.imul(state ^ (state >>> 15), state | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        const other = Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n) * 2;
        if (other === j) continue;
        dx = cx - (embedding[other] as number);
        dy = cy - (embedding[other + 1] as number);
        distSq = dx * dx + dy * dy;
        if (distSq > 0) {
          const coeff = repel / ((0.001 + distSq) * (a * Math.exp(b * Math.log(distSq)) + 1));
          const gx = coeff * dx;
          const gy = coeff * dy;
          // biome-ignore lint/complexity/useMathMinMax: hot loop
          cx += (gx > 4 ? 4 : gx < -4 ? -4 : gx) * alpha;
          // biome-ignore lint/complexity/useMathMinMax: hot loop
          cy += (gy > 4 ? 4 : gy < -4 ? -4 : gy) * alpha;
        } else {
          cx += 4 * alpha;
          cy += 4 * alpha;
        }
      }
      embedding[j] = cx;
      embedding[j + 1] = cy;
      nextNegative[e] = (nextNegative[e] as number) + negatives * perNegative;
    }
    if (onEpoch && (epoch % 10 === 9 || epoch === epochs - 1)) onEpoch(epoch + 1, epochs);
  }
  return embedding;
}

import { type CardBox, defaultCardBox, toBoard } from './board.js';
import { nearestNeighbours } from './knn.js';
import { louvain } from './louvain.js';
import { defaultUmap, epochsFor, fuzzySimplicialSet, optimiseLayout, pcaInit } from './umap.js';

/** What a layout is computed from: n unit vectors of `dims` each, row after row. */
export interface LayoutJob {
  vectors: Float32Array;
  dims: number;
  seed: number;
  /** Neighbours per point in the graph (UMAP's n_neighbors); default 15. */
  neighbours?: number;
  /** UMAP epochs; default `epochsFor(n)`: 200 up to 1,000 points, 100 from 2,000. */
  epochs?: number;
  card?: CardBox;
  /** Only the suggested clusters (no positions): for the group summary's topics. */
  clustersOnly?: boolean;
}

export interface LayoutResult {
  /** Board positions, n × 2 (x, y), in board pixels, top-left at (40, 40); empty for `clustersOnly`. */
  positions: Float32Array;
  /** A suggested cluster per point, 0 = largest. */
  clusters: Int32Array;
  /** Milliseconds per stage. */
  timings: Record<LayoutStage, number>;
}

export const layoutStages = ['neighbours', 'graph', 'optimise', 'clusters', 'board'] as const;
export type LayoutStage = (typeof layoutStages)[number];

/** Progress of a running layout: `done` of `total` within a stage, and the share of the whole. */
export interface LayoutProgress {
  stage: LayoutStage;
  done: number;
  total: number;
  fraction: number;
}

// Rough shares of the running time, for one progress fraction across stages.
const shares: Record<LayoutStage, [number, number]> = {
  neighbours: [0, 0.3],
  graph: [0.3, 0.35],
  optimise: [0.35, 0.95],
  clusters: [0.95, 0.98],
  board: [0.98, 1],
};

/**
 * Embedding vectors → board positions and suggested clusters: exact kNN graph, UMAP, Louvain
 * communities on the same graph, then scaling to card size without overlaps. Pure and
 * deterministic for a given seed; runs in a worker thread in the server (see LayoutRunner).
 */
export function computeLayout(job: LayoutJob, onProgress?: (progress: LayoutProgress) => void): LayoutResult {
  const { vectors, dims } = job;
  const n = vectors.length / dims;
  const timings = Object.fromEntries(layoutStages.map((s) => [s, 0])) as Record<LayoutStage, number>;
  const report = (stage: LayoutStage, done: number, total: number) => {
    const [from, to] = shares[stage];
    onProgress?.({ stage, done, total, fraction: from + ((to - from) * done) / Math.max(total, 1) });
  };
  const timed = <T>(stage: LayoutStage, work: () => T): T => {
    const started = performance.now();
    const result = work();
    timings[stage] = performance.now() - started;
    return result;
  };
  const card = job.card ?? defaultCardBox;
  if (n < 3) {
    // Too few points for a graph: side by side.
    if (job.clustersOnly) return { positions: new Float32Array(0), clusters: new Int32Array(n), timings };
    const positions = Float32Array.from({ length: n * 2 }, (_, i) =>
      i % 2 === 0 ? 40 + (i / 2) * (card.width + card.gap) : 40,
    );
    return { positions, clusters: new Int32Array(n), timings };
  }
  const k = Math.min(job.neighbours ?? 15, n - 1);
  const knn = timed('neighbours', () => nearestNeighbours(vectors, dims, k, (d, t) => report('neighbours', d, t)));
  const graph = timed('graph', () => {
    const g = fuzzySimplicialSet(n, knn);
    report('graph', 1, 1);
    return g;
  });
  if (job.clustersOnly) {
    const clusters = timed('clusters', () => louvain(n, graph));
    report('clusters', 1, 1);
    return { positions: new Float32Array(0), clusters, timings };
  }
  const options = { ...defaultUmap, seed: job.seed, epochs: job.epochs ?? epochsFor(n) };
  const embedding = timed('optimise', () =>
    optimiseLayout(pcaInit(vectors, dims, job.seed), graph, options, (e, t) => report('optimise', e, t)),
  );
  const clusters = timed('clusters', () => {
    const c = louvain(n, graph);
    report('clusters', 1, 1);
    return c;
  });
  const positions = timed('board', () => {
    const p = toBoard(embedding, card);
    report('board', 1, 1);
    return p;
  });
  return { positions, clusters, timings };
}

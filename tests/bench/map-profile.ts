/**
 * Development aid for the layout: `tsx tests/bench/map-profile.ts [n] [runs]` lays out n realistic
 * labels in-process `runs` times and prints the stage timings of each run (the first is cold) and
 * the map's quality: trustworthiness (Venna & Kaski) of the board positions at k = 10 against the
 * cosine neighbours, and the neighbour check's "nearest card in the same theme" on the board.
 */
import { computeLayout, neighbourGroups, StaticEmbedder, stack, staticModelDirectory } from '@calma/embeddings';
import { realisticLabels } from './map-labels.js';

const n = Number(process.argv[2] ?? 2000);
const runs = Number(process.argv[3] ?? 3);
const embedder = await StaticEmbedder.load(staticModelDirectory());
const labels = realisticLabels(n);
const vectors = stack(await embedder.embed(labels), embedder.dims);
const dims = embedder.dims;

function ranks(rowOf: (i: number, j: number) => number, i: number): Int32Array {
  const order = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
  order.sort((p, q) => rowOf(i, p) - rowOf(i, q) || p - q);
  return Int32Array.from(order);
}
const cosDist = (i: number, j: number) => {
  let s = 0;
  for (let d = 0; d < dims; d += 1) s += (vectors[i * dims + d] as number) * (vectors[j * dims + d] as number);
  return 1 - s;
};
const k = 10;
// Rank of every j in i's high-dimensional order, computed once.
const highRank: Int32Array[] = [];
for (let i = 0; i < n; i += 1) {
  const order = ranks(cosDist, i);
  const rank = new Int32Array(n);
  order.forEach((j, r) => {
    rank[j] = r + 1;
  });
  highRank.push(rank);
}
function trustworthiness(p: Float32Array): number {
  const planar = (i: number, j: number) =>
    Math.hypot((p[i * 2] as number) - (p[j * 2] as number), (p[i * 2 + 1] as number) - (p[j * 2 + 1] as number));
  let sum = 0;
  for (let i = 0; i < n; i += 1) {
    const low = ranks(planar, i).subarray(0, k);
    for (const j of low)
      sum +=
        Math.max(0, (highRank[i] as Int32Array)[j] as number) > k ? ((highRank[i] as Int32Array)[j] as number) - k : 0;
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * sum;
}
const theme = new Map<string, string>();
for (const [name, words] of Object.entries(neighbourGroups)) for (const w of words) theme.set(w, name);
function themeHits(p: Float32Array): number {
  const idx = labels.map((l, i) => [l, i] as const).filter(([l]) => theme.has(l));
  const seen = new Map<string, number>();
  for (const [l, i] of idx) if (!seen.has(l)) seen.set(l, i);
  const points = [...seen.entries()];
  let hits = 0;
  for (const [l, i] of points) {
    let best = -1;
    let bestD = Number.POSITIVE_INFINITY;
    for (const [m, j] of points) {
      if (m === l) continue;
      const d = Math.hypot(
        (p[i * 2] as number) - (p[j * 2] as number),
        (p[i * 2 + 1] as number) - (p[j * 2 + 1] as number),
      );
      if (d < bestD) {
        bestD = d;
        best = j;
      }
    }
    if (theme.get(labels[best] as string) === theme.get(l)) hits += 1;
  }
  return hits / points.length;
}
/** Mean distance between cards of one suggested cluster over the mean between clusters (lower: tighter). */
function separation(p: Float32Array, clusters: Int32Array): number {
  let within = 0;
  let nWithin = 0;
  let across = 0;
  let nAcross = 0;
  for (let i = 0; i < n; i += 1)
    for (let j = i + 1; j < n; j += 1) {
      const d = Math.hypot(
        (p[i * 2] as number) - (p[j * 2] as number),
        (p[i * 2 + 1] as number) - (p[j * 2 + 1] as number),
      );
      if (clusters[i] === clusters[j]) {
        within += d;
        nWithin += 1;
      } else {
        across += d;
        nAcross += 1;
      }
    }
  return within / nWithin / (across / nAcross);
}
for (let r = 0; r < runs; r += 1) {
  const started = performance.now();
  const layout = computeLayout({
    vectors,
    dims,
    seed: 42 + r,
    epochs: process.env.EPOCHS ? Number(process.env.EPOCHS) : undefined,
  });
  const total = performance.now() - started;
  const t = Object.entries(layout.timings)
    .map(([s, ms]) => `${s} ${ms.toFixed(0)}`)
    .join(', ');
  const quality =
    r === 0 || process.env.QUALITY_ALL
      ? `; trust@${k} ${trustworthiness(layout.positions).toFixed(3)}, theme-nearest ${(themeHits(layout.positions) * 100).toFixed(0)} %, separation ${separation(layout.positions, layout.clusters).toFixed(3)}`
      : '';
  console.log(`run ${r}: ${total.toFixed(0)} ms (${t})${quality}, clusters ${new Set(layout.clusters).size}`);
}

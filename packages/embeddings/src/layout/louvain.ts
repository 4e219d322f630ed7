import type { FuzzyGraph } from './umap.js';

/**
 * Communities of the label graph by Louvain modularity optimisation (Blondel et al., 2008): local
 * moves in a fixed node order, then aggregation, until nothing moves. Deterministic. Returns a
 * community per node, numbered by size (0 = largest; ties by first member).
 */
export function louvain(n: number, graph: FuzzyGraph, resolution = 1): Int32Array {
  // Adjacency of the current level, as lists; level 0 is the fuzzy graph itself.
  let adjacency: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  for (let e = 0; e < graph.weights.length; e += 1) {
    const h = graph.heads[e] as number;
    const t = graph.tails[e] as number;
    if (h === t) continue;
    const row = adjacency[h] as Map<number, number>;
    row.set(t, (row.get(t) ?? 0) + (graph.weights[e] as number));
  }
  // membership[node] = community at the top level, for the original nodes.
  let membership = Int32Array.from({ length: n }, (_, i) => i);
  for (let level = 0; level < 32; level += 1) {
    const size = adjacency.length;
    const strength = new Float64Array(size);
    const selfLoop = new Float64Array(size);
    let total = 0;
    adjacency.forEach((row, i) => {
      for (const [j, w] of row) {
        strength[i] = (strength[i] as number) + w;
        if (i === j) selfLoop[i] = w;
        total += w;
      }
    });
    if (total === 0) break;
    const community = Int32Array.from({ length: size }, (_, i) => i);
    const communityStrength = Float64Array.from(strength);
    let moved = false;
    for (let pass = 0; pass < 64; pass += 1) {
      let movedThisPass = false;
      for (let i = 0; i < size; i += 1) {
        const own = community[i] as number;
        const ki = strength[i] as number;
        const links = new Map<number, number>();
        for (const [j, w] of adjacency[i] as Map<number, number>) {
          if (j === i) continue;
          const c = community[j] as number;
          links.set(c, (links.get(c) ?? 0) + w);
        }
        communityStrength[own] = (communityStrength[own] as number) - ki;
        let best = own;
        let bestGain = (links.get(own) ?? 0) - (resolution * (communityStrength[own] as number) * ki) / total;
        for (const [c, w] of links) {
          const gain = w - (resolution * (communityStrength[c] as number) * ki) / total;
          if (gain > bestGain + 1e-12) {
            best = c;
            bestGain = gain;
          }
        }
        communityStrength[best] = (communityStrength[best] as number) + ki;
        if (best !== own) {
          community[i] = best;
          movedThisPass = true;
          moved = true;
        }
      }
      if (!movedThisPass) break;
    }
    if (!moved) break;
    // Renumber communities densely and aggregate.
    const renumber = new Map<number, number>();
    for (const c of community) if (!renumber.has(c)) renumber.set(c, renumber.size);
    membership = membership.map((m) => renumber.get(community[m] as number) as number);
    const next: Map<number, number>[] = Array.from({ length: renumber.size }, () => new Map());
    adjacency.forEach((row, i) => {
      const ci = renumber.get(community[i] as number) as number;
      const target = next[ci] as Map<number, number>;
      for (const [j, w] of row) {
        const cj = renumber.get(community[j] as number) as number;
        target.set(cj, (target.get(cj) ?? 0) + w);
      }
    });
    adjacency = next;
  }
  // Number communities by size, largest first.
  const sizes = new Map<number, { size: number; first: number }>();
  membership.forEach((c, i) => {
    const entry = sizes.get(c);
    if (entry) entry.size += 1;
    else sizes.set(c, { size: 1, first: i });
  });
  const order = [...sizes.entries()].sort((x, y) => y[1].size - x[1].size || x[1].first - y[1].first);
  const rank = new Map(order.map(([c], i) => [c, i]));
  return membership.map((c) => rank.get(c) as number);
}

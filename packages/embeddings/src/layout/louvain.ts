import type { FuzzyGraph } from './umap.js';

/** One level's graph: rows in compressed form (row i's entries at offsets[i] … offsets[i + 1]). */
interface Level {
  offsets: Int32Array;
  targets: Int32Array;
  weights: Float64Array;
}

/**
 * Communities of the label graph by Louvain modularity optimisation (Blondel et al., 2008): local
 * moves in a fixed node order, then aggregation, until nothing moves. Deterministic. Returns a
 * community per node, numbered by size (0 = largest; ties by first member). Rows are kept in
 * typed arrays, and a node's links to neighbouring communities are summed in a dense array
 * (reset through the list of those touched), so nothing is allocated per node.
 */
export function louvain(n: number, graph: FuzzyGraph, resolution = 1): Int32Array {
  // Level 0: the fuzzy graph itself, without self-loops, each row in edge order.
  const degree = new Int32Array(n + 1);
  for (let e = 0; e < graph.weights.length; e += 1) {
    const h = graph.heads[e] as number;
    if (h !== graph.tails[e]) degree[h + 1] = (degree[h + 1] as number) + 1;
  }
  for (let i = 0; i < n; i += 1) degree[i + 1] = (degree[i + 1] as number) + (degree[i] as number);
  const fill = degree.slice(0, n);
  const targets0 = new Int32Array(degree[n] as number);
  const weights0 = new Float64Array(degree[n] as number);
  for (let e = 0; e < graph.weights.length; e += 1) {
    const h = graph.heads[e] as number;
    const t = graph.tails[e] as number;
    if (h === t) continue;
    const at = fill[h] as number;
    targets0[at] = t;
    weights0[at] = graph.weights[e] as number;
    fill[h] = at + 1;
  }
  // Parallel edges (none in a fuzzy graph, but cheap to honour) merge into their first entry.
  let level = merge(
    { offsets: degree, targets: targets0, weights: weights0 },
    Int32Array.from({ length: n }, (_, i) => i),
    n,
  );
  // membership[node] = community at the top level, for the original nodes.
  let membership = Int32Array.from({ length: n }, (_, i) => i);
  const scratch = new Float64Array(n);
  const touched = new Int32Array(n);
  for (let depth = 0; depth < 32; depth += 1) {
    const size = level.offsets.length - 1;
    const { offsets, targets, weights } = level;
    const strength = new Float64Array(size);
    let total = 0;
    for (let i = 0; i < size; i += 1) {
      let s = 0;
      for (let m = offsets[i] as number; m < (offsets[i + 1] as number); m += 1) s += weights[m] as number;
      strength[i] = s;
      total += s;
    }
    if (total === 0) break;
    const community = Int32Array.from({ length: size }, (_, i) => i);
    const communityStrength = Float64Array.from(strength);
    const linked = new Uint8Array(size);
    let moved = false;
    for (let pass = 0; pass < 64; pass += 1) {
      let movedThisPass = false;
      for (let i = 0; i < size; i += 1) {
        const own = community[i] as number;
        const ki = strength[i] as number;
        let count = 0;
        for (let m = offsets[i] as number; m < (offsets[i + 1] as number); m += 1) {
          const j = targets[m] as number;
          if (j === i) continue;
          const c = community[j] as number;
          if (linked[c] === 0) {
            linked[c] = 1;
            scratch[c] = 0;
            touched[count] = c;
            count += 1;
          }
          scratch[c] = (scratch[c] as number) + (weights[m] as number);
        }
        communityStrength[own] = (communityStrength[own] as number) - ki;
        let best = own;
        let bestGain =
          (linked[own] === 1 ? (scratch[own] as number) : 0) -
          (resolution * (communityStrength[own] as number) * ki) / total;
        for (let t = 0; t < count; t += 1) {
          const c = touched[t] as number;
          const gain = (scratch[c] as number) - (resolution * (communityStrength[c] as number) * ki) / total;
          if (gain > bestGain + 1e-12) {
            best = c;
            bestGain = gain;
          }
        }
        for (let t = 0; t < count; t += 1) linked[touched[t] as number] = 0;
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
    // Renumber communities densely (by first member) and aggregate.
    const renumber = new Int32Array(size).fill(-1);
    let communities = 0;
    for (let i = 0; i < size; i += 1) {
      const c = community[i] as number;
      if (renumber[c] === -1) {
        renumber[c] = communities;
        communities += 1;
      }
    }
    const dense = Int32Array.from(community, (c) => renumber[c] as number);
    membership = membership.map((m) => dense[m] as number);
    level = merge(level, dense, communities);
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

/**
 * The graph of `groups` nodes whose node g gathers the nodes i with group[i] = g: row g sums the
 * rows of its members, visited in index order, its entries in order of first appearance.
 */
function merge(level: Level, group: Int32Array, groups: number): Level {
  const { offsets, targets, weights } = level;
  const size = group.length;
  // Members of each group, in index order.
  const start = new Int32Array(groups + 1);
  for (let i = 0; i < size; i += 1) start[(group[i] as number) + 1] = (start[(group[i] as number) + 1] as number) + 1;
  for (let g = 0; g < groups; g += 1) start[g + 1] = (start[g + 1] as number) + (start[g] as number);
  const fill = start.slice(0, groups);
  const members = new Int32Array(size);
  for (let i = 0; i < size; i += 1) {
    const g = group[i] as number;
    members[fill[g] as number] = i;
    fill[g] = (fill[g] as number) + 1;
  }
  const slot = new Int32Array(groups).fill(-1);
  const outOffsets = new Int32Array(groups + 1);
  const outTargets: number[] = [];
  const outWeights: number[] = [];
  for (let g = 0; g < groups; g += 1) {
    const first = outTargets.length;
    for (let m = start[g] as number; m < (start[g + 1] as number); m += 1) {
      const i = members[m] as number;
      for (let e = offsets[i] as number; e < (offsets[i + 1] as number); e += 1) {
        const h = group[targets[e] as number] as number;
        const at = slot[h] as number;
        if (at === -1) {
          slot[h] = outTargets.length;
          outTargets.push(h);
          outWeights.push(weights[e] as number);
        } else outWeights[at] = (outWeights[at] as number) + (weights[e] as number);
      }
    }
    for (let e = first; e < outTargets.length; e += 1) slot[outTargets[e] as number] = -1;
    outOffsets[g + 1] = outTargets.length;
  }
  return { offsets: outOffsets, targets: Int32Array.from(outTargets), weights: Float64Array.from(outWeights) };
}

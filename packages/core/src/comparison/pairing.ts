import { comparisonAssignment } from './hungarian.js';

/** An axis (a final attribute of a group's latest ended session) as the comparison names it. */
export interface ComparisonAxis {
  readonly groupId: string;
  readonly attributeId: string;
  readonly name: string;
}

/** What a pair is: one of the one-to-one matching (`shared`) or an "also near" link. */
export type ComparisonKind = 'shared' | 'near';

/** An analyst's decision on a pair (`a` and `b` in either order). */
export interface ComparisonDecisionInput {
  readonly a: string;
  readonly b: string;
  readonly status: 'confirmed' | 'broken';
  readonly kind: ComparisonKind;
  readonly decidedBy: string;
  /** Epoch ms; an earlier confirmation wins a conflict (two confirmed `shared` pairs on one axis). */
  readonly decidedAt: number;
}

/** A pair of axes of two different groups; `a` is of the group listed first. */
export interface ComparisonPair {
  readonly a: ComparisonAxis;
  readonly b: ComparisonAxis;
  readonly similarity: number;
  readonly kind: ComparisonKind;
  /** Kept by an analyst's decision (whatever the embedder says). */
  readonly confirmed: boolean;
  readonly decidedBy: string | null;
}

/** A pair an analyst broke: never suggested again, listed so the decision can be withdrawn. */
export interface ComparisonBrokenPair {
  readonly a: ComparisonAxis;
  readonly b: ComparisonAxis;
  readonly decidedBy: string;
}

/** The paired table: every axis is in a pair or in `unique`. */
export interface ComparisonTable {
  readonly pairs: ComparisonPair[];
  readonly unique: ComparisonAxis[];
  /** The broken pairs among the axes compared, oriented and ordered as the pairs. */
  readonly broken: ComparisonBrokenPair[];
}

/** How suggestions are made; see {@link comparisonDefaults}. */
export interface ComparisonOptions {
  /** A matched pair is suggested as `shared` from this similarity up. */
  readonly sharedThreshold: number;
  /** An unmatched pair is suggested as `near` from this similarity up … */
  readonly nearThreshold: number;
  /** … when each is among the other's `nearRank` most similar axes of its group. */
  readonly nearRank: number;
}

/**
 * Defaults chosen for the offline embedder over word-aligned similarity (`axisSimilarity` of name
 * and definition, blended with the examples' cosine): there unrelated axes of one study score
 * about 0.55–0.65 and axes that name one value in other words 0.65–0.85, so the thresholds sit
 * between; the mutual-rank rule keeps "near" to links a reader would call close.
 */
export const comparisonDefaults: ComparisonOptions = { sharedThreshold: 0.65, nearThreshold: 0.6, nearRank: 2 };

const byAxis = (x: ComparisonAxis, y: ComparisonAxis) =>
  x.groupId < y.groupId
    ? -1
    : x.groupId > y.groupId
      ? 1
      : x.attributeId < y.attributeId
        ? -1
        : x.attributeId > y.attributeId
          ? 1
          : 0;
const pairKey = (x: string, y: string) => (x < y ? `${x}\n${y}` : `${y}\n${x}`);
/** Similarities rounded so that float noise never decides an order (ties fall to the ids). */
const round = (s: number) => Math.round(s * 1e4) / 1e4;

/**
 * The cross-group comparison of axes, from a similarity matrix (`similarity[i][j]` between
 * `axes[i]` and `axes[j]`, symmetric) and the analysts' decisions. The result does not depend on
 * the order of `axes` (they are sorted by group and id first, and every choice breaks ties by id);
 * pairs are oriented and listed by `groupOrder` (the request's order of groups).
 *
 * 1. Decisions first: a pair confirmed by an analyst is kept with its kind whatever the similarity,
 *    and the axes of a confirmed `shared` pair leave the automatic matching (an earlier
 *    confirmation wins if two name one axis). A broken pair is never suggested again.
 * 2. `shared`: for each two groups, the maximum-weight one-to-one matching (Hungarian) over the
 *    free axes, on pairs at or above `sharedThreshold`, each weighing its similarity above it. With three or more groups an axis could be
 *    matched once per other group; it keeps its strongest match (taken strongest-first over every
 *    two groups' matchings, ties by id), so no axis is in two `shared` pairs, and the matches it
 *    loses may still be `near`.
 * 3. `near`: any other pair of two groups at or above `nearThreshold` where each axis is among the
 *    other's `nearRank` most similar axes of that group.
 * 4. `unique`: the axes in no pair.
 */
export function compareAxes(
  axes: readonly ComparisonAxis[],
  similarity: readonly (readonly number[])[],
  decisions: readonly ComparisonDecisionInput[],
  groupOrder: readonly string[],
  options: ComparisonOptions = comparisonDefaults,
): ComparisonTable {
  const order = axes.map((_, i) => i).sort((i, j) => byAxis(axes[i] as ComparisonAxis, axes[j] as ComparisonAxis));
  const sorted = order.map((i) => axes[i] as ComparisonAxis);
  const sim = (x: number, y: number) => round(similarity[order[x] as number]?.[order[y] as number] ?? 0);
  const index = new Map(sorted.map((axis, i) => [axis.attributeId, i]));
  const groups = [...new Set(sorted.map((a) => a.groupId))].sort(
    (g, h) => rank(groupOrder, g) - rank(groupOrder, h) || (g < h ? -1 : g > h ? 1 : 0),
  );
  const members = new Map(groups.map((g) => [g, sorted.flatMap((a, i) => (a.groupId === g ? [i] : []))]));

  const pairs: { x: number; y: number; kind: ComparisonKind; confirmed: boolean; decidedBy: string | null }[] = [];
  const decided = new Set<string>();
  const inShared = new Set<number>();
  const inPair = new Set<number>();
  const add = (x: number, y: number, kind: ComparisonKind, decidedBy: string | null) => {
    pairs.push({ x, y, kind, confirmed: decidedBy !== null, decidedBy });
    inPair.add(x).add(y);
    if (kind === 'shared') inShared.add(x).add(y);
  };

  // 1. Decisions on pairs of axes compared here, oldest first.
  const relevant = decisions
    .filter((d) => {
      const x = index.get(d.a);
      const y = index.get(d.b);
      return x !== undefined && y !== undefined && sorted[x]?.groupId !== sorted[y]?.groupId;
    })
    .sort((d, e) => d.decidedAt - e.decidedAt || pairKey(d.a, d.b).localeCompare(pairKey(e.a, e.b)));
  const broken: { x: number; y: number; decidedBy: string }[] = [];
  for (const d of relevant) {
    const x = index.get(d.a) as number;
    const y = index.get(d.b) as number;
    decided.add(pairKey(d.a, d.b));
    if (d.status === 'broken') {
      broken.push({ x, y, decidedBy: d.decidedBy });
      continue;
    }
    if (d.kind === 'shared' && (inShared.has(x) || inShared.has(y))) continue;
    add(x, y, d.kind, d.decidedBy);
  }
  const open = (x: number, y: number) =>
    !decided.has(pairKey((sorted[x] as ComparisonAxis).attributeId, (sorted[y] as ComparisonAxis).attributeId));

  // 2. Shared: each two groups' matching over free axes, then strongest-first so each axis keeps one.
  // The matching maximises the similarity *above the threshold*: two pairs barely over it must not
  // displace one clearly similar pair, as they would if raw similarities were summed.
  const margin = (s: number) => s - options.sharedThreshold + 1e-6;
  const candidates: { x: number; y: number; s: number }[] = [];
  for (let g = 0; g < groups.length; g++)
    for (let h = g + 1; h < groups.length; h++) {
      const rows = (members.get(groups[g] as string) ?? []).filter((x) => !inShared.has(x));
      const cols = (members.get(groups[h] as string) ?? []).filter((y) => !inShared.has(y));
      const weights = rows.map((x) =>
        cols.map((y) => (open(x, y) && sim(x, y) >= options.sharedThreshold ? margin(sim(x, y)) : 0)),
      );
      comparisonAssignment(weights).forEach((c, r) => {
        if (c >= 0)
          candidates.push({ x: rows[r] as number, y: cols[c] as number, s: sim(rows[r] as number, cols[c] as number) });
      });
    }
  candidates.sort((p, q) => q.s - p.s || p.x - q.x || p.y - q.y);
  for (const c of candidates) {
    if (inShared.has(c.x) || inShared.has(c.y)) continue;
    add(c.x, c.y, 'shared', null);
  }

  // 3. Near: mutual nearness between two groups, above the lower threshold.
  const paired = new Set(pairs.map((p) => pairKey(String(p.x), String(p.y))));
  const rankIn = (x: number, y: number) => {
    // How many axes of y's group are strictly more similar to x than y is (0 = the nearest).
    const others = members.get((sorted[y] as ComparisonAxis).groupId) ?? [];
    return others.filter((z) => sim(x, z) > sim(x, y)).length;
  };
  for (let g = 0; g < groups.length; g++)
    for (let h = g + 1; h < groups.length; h++)
      for (const x of members.get(groups[g] as string) ?? [])
        for (const y of members.get(groups[h] as string) ?? []) {
          if (!open(x, y) || paired.has(pairKey(String(x), String(y)))) continue;
          if (sim(x, y) < options.nearThreshold) continue;
          if (rankIn(x, y) >= options.nearRank || rankIn(y, x) >= options.nearRank) continue;
          add(x, y, 'near', null);
        }

  // Oriented by the group order, listed shared first, then by similarity, then by the axes' order.
  const groupRank = new Map(groups.map((g, i) => [g, i]));
  const orient = (x: number, y: number): [number, number] =>
    (groupRank.get((sorted[x] as ComparisonAxis).groupId) as number) <=
    (groupRank.get((sorted[y] as ComparisonAxis).groupId) as number)
      ? [x, y]
      : [y, x];
  const oriented = pairs.map((p) => {
    const [x, y] = orient(p.x, p.y);
    return { ...p, x, y, s: sim(x, y) };
  });
  const position = (x: number) => [groupRank.get((sorted[x] as ComparisonAxis).groupId) as number, x] as const;
  oriented.sort((p, q) => {
    if (p.kind !== q.kind) return p.kind === 'shared' ? -1 : 1;
    if (p.s !== q.s) return q.s - p.s;
    const [pg, px] = position(p.x);
    const [qg, qx] = position(q.x);
    return pg - qg || px - qx || p.y - q.y;
  });
  return {
    pairs: oriented.map((p) => ({
      a: sorted[p.x] as ComparisonAxis,
      b: sorted[p.y] as ComparisonAxis,
      similarity: p.s,
      kind: p.kind,
      confirmed: p.confirmed,
      decidedBy: p.decidedBy,
    })),
    unique: sorted
      .map((axis, i) => ({ axis, i }))
      .filter(({ i }) => !inPair.has(i))
      .sort(
        (p, q) => (groupRank.get(p.axis.groupId) as number) - (groupRank.get(q.axis.groupId) as number) || p.i - q.i,
      )
      .map(({ axis }) => axis),
    broken: broken
      .map((p) => {
        const [x, y] = orient(p.x, p.y);
        return { x, y, decidedBy: p.decidedBy };
      })
      .sort((p, q) => {
        const [pg, px] = position(p.x);
        const [qg, qx] = position(q.x);
        return pg - qg || px - qx || p.y - q.y;
      })
      .map((p) => ({ a: sorted[p.x] as ComparisonAxis, b: sorted[p.y] as ComparisonAxis, decidedBy: p.decidedBy })),
  };
}

const rank = (order: readonly string[], id: string) => {
  const at = order.indexOf(id);
  return at < 0 ? order.length : at;
};

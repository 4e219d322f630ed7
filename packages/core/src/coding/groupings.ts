import { codeKey, mergeCodes } from './codes.js';

/** A distinct code: its text (one spelling) and the labels that carry it. */
export interface DistinctCode {
  text: string;
  labelIds: string[];
}

/** A member of a suggested grouping: the code, counting for (`1`) or against (`-1`) it. */
export interface GroupingMember {
  text: string;
  labelIds: string[];
  sign: 1 | -1;
}

/** A suggested grouping of codes into one attribute; never applied by itself. */
export interface SuggestedGrouping {
  /** Stable for the same member texts (whatever the order or the labels), so a dismissal can be remembered. */
  id: string;
  /** The most central code counting for it. */
  name: string;
  /** For first, then against; each by text. */
  members: GroupingMember[];
  /** Average cosine similarity over the pairs of members, rounded to 3 decimals. */
  cohesion: number;
}

/**
 * How close codes must be to group: average cosine over the pairs across two groups. Set on the
 * offline model, where "friendly" joins "warm" and "caring" (0.43) while "cold" stays apart from
 * "verbose" and "long-winded" (0.40): lower, and unrelated codes start to group.
 */
export const defaultGroupingThreshold = 0.42;

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The codes among `labels` as {@link mergeCodes} merges them (trimmed, case folded; the spelling
 * used most, the first given on a tie), each with every label id that carries it, sorted; the
 * codes in {@link codeKey} order.
 */
export function distinctCodes(labels: readonly { id: string; text: string }[]): DistinctCode[] {
  return mergeCodes(labels, (label) => label.text)
    .sort((a, b) => compareText(a.key, b.key))
    .map(({ text, items }) => ({ text, labelIds: items.map((label) => label.id).sort(compareText) }));
}

/** What a negating code says, in lower case: `not X`, `no X`, `lack of X`, `non-X`, `un-X`, `in-X`. */
const negationPatterns: readonly RegExp[] = [
  /^not\s+(.+)$/,
  /^no\s+(.+)$/,
  /^lack\s+of\s+(.+)$/,
  /^lacking\s+(.+)$/,
  /^non-?(.+)$/,
  /^un-?(.+)$/,
  /^in-?(.+)$/,
];

/**
 * Whether `code` plainly negates `other`: "not warm", "no empathy", "lack of empathy",
 * "unhelpful", "in-accurate" of "warm", "empathy", "helpful", "accurate" (compared as
 * {@link codeKey} does). Word stems are not guessed: "uncaring" negates "caring", not "care".
 */
export function negates(code: string, other: string): boolean {
  const key = codeKey(code).replace(/\s+/g, ' ');
  const target = codeKey(other).replace(/\s+/g, ' ');
  if (target === '' || key === target) return false;
  return negationPatterns.some((pattern) => pattern.exec(key)?.[1] === target);
}

/** FNV-1a over the text, as 8 hex digits: portable (no node:crypto) and stable. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** The vector scaled to length 1 (a zero vector stays zero: similar to nothing). */
function unit(vector: ArrayLike<number>, dims: number): Float64Array {
  const out = new Float64Array(dims);
  let norm = 0;
  for (let d = 0; d < dims; d++) {
    const v = (vector[d] as number | undefined) ?? 0;
    out[d] = v;
    norm += v * v;
  }
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let d = 0; d < dims; d++) out[d] = (out[d] as number) * scale;
  }
  return out;
}

/**
 * Proposes groupings of codes into attributes: average-linkage agglomerative clustering on the
 * cosine similarity of `vectors[i]` (one per `codes[i]`), merging while two groups' average
 * similarity is at least `threshold`; groups of two or more are returned, largest first.
 *
 * Deterministic and independent of the input's order: codes are first put in order of their
 * {@link codeKey} (then label ids), and ties between equally similar pairs go to the pair that
 * comes first in that order. A member that plainly negates another member ({@link negates})
 * counts against; the rest count for; the name is the member counting for with the highest
 * average similarity to the others.
 */
export function suggestGroupings(
  codes: readonly DistinctCode[],
  vectors: readonly ArrayLike<number>[],
  threshold = defaultGroupingThreshold,
): SuggestedGrouping[] {
  const order = codes
    .map((code, index) => ({ code, vector: vectors[index] as ArrayLike<number>, key: codeKey(code.text) }))
    .sort((a, b) => compareText(a.key, b.key) || compareText(a.code.labelIds.join(), b.code.labelIds.join()));
  const n = order.length;
  const dims = order.reduce((most, o) => Math.max(most, o.vector.length), 0);
  const units = order.map((o) => unit(o.vector, dims));
  const pair = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    pair[i * n + i] = 1;
    const a = units[i] as Float64Array;
    for (let j = i + 1; j < n; j++) {
      const b = units[j] as Float64Array;
      let dot = 0;
      for (let d = 0; d < dims; d++) dot += (a[d] as number) * (b[d] as number);
      pair[i * n + j] = dot;
      pair[j * n + i] = dot;
    }
  }
  // Cluster similarities, updated after each merge (Lance–Williams for average linkage); a
  // cluster is kept at the row of its smallest member, so ties resolve by input order.
  const link = Float64Array.from(pair);
  const members: (number[] | null)[] = order.map((_, i) => [i]);
  const best = (i: number): [number, number] => {
    let at = -1;
    let value = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < n; j++) {
      if (j === i || !members[j]) continue;
      const s = link[i * n + j] as number;
      if (s > value) {
        value = s;
        at = j;
      }
    }
    return [at, value];
  };
  const nearest = order.map((_, i) => best(i));
  for (;;) {
    let a = -1;
    let b = -1;
    let value = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      if (!members[i]) continue;
      const [j, s] = nearest[i] as [number, number];
      if (j < 0) continue;
      const lo = Math.min(i, j);
      const hi = Math.max(i, j);
      if (s > value || (s === value && (lo < a || (lo === a && hi < b)))) {
        value = s;
        a = lo;
        b = hi;
      }
    }
    if (a < 0 || value < threshold) break;
    const ma = members[a] as number[];
    const mb = members[b] as number[];
    for (let k = 0; k < n; k++) {
      if (k === a || k === b || !members[k]) continue;
      const s =
        ((link[a * n + k] as number) * ma.length + (link[b * n + k] as number) * mb.length) / (ma.length + mb.length);
      link[a * n + k] = s;
      link[k * n + a] = s;
    }
    members[a] = [...ma, ...mb].sort((x, y) => x - y);
    members[b] = null;
    for (let k = 0; k < n; k++) {
      if (!members[k]) continue;
      const [j] = nearest[k] as [number, number];
      if (k === a || j === a || j === b) nearest[k] = best(k);
      else if ((link[k * n + a] as number) > (nearest[k] as [number, number])[1])
        nearest[k] = [a, link[k * n + a] as number];
    }
  }

  const groups: SuggestedGrouping[] = [];
  for (const group of members) {
    if (!group || group.length < 2) continue;
    const texts = group.map((i) => (order[i] as (typeof order)[0]).code.text);
    const against = group.map((_, x) => texts.some((other, y) => x !== y && negates(texts[x] as string, other)));
    let pairs = 0;
    let total = 0;
    const centrality = group.map((i) => {
      let sum = 0;
      for (const j of group) if (j !== i) sum += pair[i * n + j] as number;
      return sum / (group.length - 1);
    });
    for (let x = 0; x < group.length; x++)
      for (let y = x + 1; y < group.length; y++) {
        total += pair[(group[x] as number) * n + (group[y] as number)] as number;
        pairs++;
      }
    let central = -1;
    for (let x = 0; x < group.length; x++)
      if (!against[x] && (central < 0 || (centrality[x] as number) > (centrality[central] as number))) central = x;
    const memberList: GroupingMember[] = group.map((i, x) => ({
      text: (order[i] as (typeof order)[0]).code.text,
      labelIds: [...(order[i] as (typeof order)[0]).code.labelIds],
      sign: against[x] ? -1 : 1,
    }));
    memberList.sort((p, q) => q.sign - p.sign || compareText(codeKey(p.text), codeKey(q.text)));
    groups.push({
      id: `sg_${fnv1a(group.map((i) => (order[i] as (typeof order)[0]).key).join('\n'))}`,
      // Every member negating another cannot happen (negation is not symmetric), so one counts for.
      name: texts[Math.max(central, 0)] as string,
      members: memberList,
      cohesion: Math.round((total / pairs) * 1000) / 1000,
    });
  }
  return groups.sort((p, q) => q.members.length - p.members.length || compareText(codeKey(p.name), codeKey(q.name)));
}

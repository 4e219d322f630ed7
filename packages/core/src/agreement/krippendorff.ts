/**
 * Krippendorff's alpha, through the coincidence matrix (Krippendorff 2011, "Computing
 * Krippendorff's Alpha-Reliability"): any number of coders and units, missing values allowed.
 */

/** The difference functions Krippendorff defines for alpha. */
export const AlphaMetric = {
  nominal: 'nominal',
  ordinal: 'ordinal',
  interval: 'interval',
  ratio: 'ratio',
} as const;
/** Which difference function alpha uses. */
export type AlphaMetric = (typeof AlphaMetric)[keyof typeof AlphaMetric];

/**
 * Reliability data: one row per coder, one column per unit, `null` where the coder gave the unit no
 * value. Rows may be shorter than the longest; what is past their end is missing.
 */
export type ReliabilityData = readonly (readonly (number | null)[])[];

/** The values one unit received: each distinct value and how many coders gave it. */
export type UnitValues = ReadonlyMap<number, number>;

/**
 * Coincidences between the values of pairable units (those with at least two values): `counts[c][k]`
 * is o_ck over the sorted distinct `values`; `marginals[c]` is n_c and `n` their sum, the number of
 * pairable values.
 */
export interface CoincidenceMatrix {
  readonly values: readonly number[];
  readonly counts: readonly (readonly number[])[];
  readonly marginals: readonly number[];
  readonly n: number;
}

/** Turns coders × units data into each unit's value counts (missing values dropped). */
export function unitValues(data: ReliabilityData): UnitValues[] {
  const width = Math.max(0, ...data.map((row) => row.length));
  const units: Map<number, number>[] = Array.from({ length: width }, () => new Map());
  for (const row of data) {
    row.forEach((value, u) => {
      if (value === null) return;
      const unit = units[u] as Map<number, number>;
      unit.set(value, (unit.get(value) ?? 0) + 1);
    });
  }
  return units;
}

/**
 * The coincidence matrix of units given as value counts. A unit with m ≥ 2 values adds, for every
 * ordered pair of its values from different coders, 1/(m − 1): so each pairable value counts once.
 */
export function coincidenceMatrix(units: readonly UnitValues[]): CoincidenceMatrix {
  const distinct = new Set<number>();
  for (const unit of units) {
    if (total(unit) >= 2) for (const value of unit.keys()) distinct.add(value);
  }
  const values = [...distinct].sort((a, b) => a - b);
  const index = new Map(values.map((v, i) => [v, i]));
  const counts = values.map(() => values.map(() => 0));
  for (const unit of units) {
    const m = total(unit);
    if (m < 2) continue;
    for (const [c, nc] of unit) {
      const row = counts[index.get(c) as number] as number[];
      for (const [k, nk] of unit) {
        const i = index.get(k) as number;
        row[i] = (row[i] as number) + (nc * (c === k ? nk - 1 : nk)) / (m - 1);
      }
    }
  }
  const marginals = counts.map((row) => row.reduce((s, x) => s + x, 0));
  return { values, counts, marginals, n: marginals.reduce((s, x) => s + x, 0) };
}

/**
 * Krippendorff's alpha from a coincidence matrix: 1 − (n − 1) Σ o_ck δ²_ck / Σ n_c n_k δ²_ck.
 * `null` where alpha is undefined: no pairable values, or no variation (every pairable value the
 * same, so that the expected disagreement is 0).
 */
export function alphaOfMatrix(matrix: CoincidenceMatrix, metric: AlphaMetric = 'nominal'): number | null {
  if (matrix.n === 0) return null;
  const delta = differences(matrix, metric);
  let observed = 0;
  let expected = 0;
  matrix.values.forEach((_, c) => {
    const oc = matrix.counts[c] as readonly number[];
    const dc = delta[c] as readonly number[];
    const nc = matrix.marginals[c] as number;
    matrix.values.forEach((__, k) => {
      const d = dc[k] as number;
      if (d === 0) return;
      observed += (oc[k] as number) * d;
      expected += nc * (matrix.marginals[k] as number) * d;
    });
  });
  if (expected === 0) return null;
  return 1 - ((matrix.n - 1) * observed) / expected;
}

/** Krippendorff's alpha of units given as value counts (see {@link alphaOfMatrix}). */
export function alphaOfUnits(units: readonly UnitValues[], metric: AlphaMetric = 'nominal'): number | null {
  return alphaOfMatrix(coincidenceMatrix(units), metric);
}

/** Krippendorff's alpha of coders × units reliability data (see {@link ReliabilityData}). */
export function krippendorffAlpha(data: ReliabilityData, metric: AlphaMetric = 'nominal'): number | null {
  return alphaOfUnits(unitValues(data), metric);
}

/** δ²_ck over the matrix's values. The ordinal metric depends on the marginals n_g. */
function differences(matrix: CoincidenceMatrix, metric: AlphaMetric): number[][] {
  const delta = difference(matrix, metric);
  return matrix.values.map((_, i) => matrix.values.map((__, j) => (i === j ? 0 : delta(i, j))));
}

/** δ² between the i-th and j-th values (i ≠ j). */
function difference(matrix: CoincidenceMatrix, metric: AlphaMetric): (i: number, j: number) => number {
  const { values, marginals } = matrix;
  const value = (i: number) => values[i] as number;
  switch (metric) {
    case 'nominal':
      return () => 1;
    case 'interval':
      return (i, j) => (value(i) - value(j)) ** 2;
    case 'ratio':
      // Ratio data are non-negative; values that are not (−1 and 1 sum to 0) get 0 rather than NaN.
      return (i, j) => {
        const sum = value(i) + value(j);
        return sum === 0 ? 0 : ((value(i) - value(j)) / sum) ** 2;
      };
    case 'ordinal': {
      // cumulative[i] = n_0 + … + n_(i−1): δ² = (Σ_{g=lo..hi} n_g − (n_lo + n_hi) / 2)².
      const cumulative = [0];
      for (const n of marginals) cumulative.push((cumulative[cumulative.length - 1] as number) + n);
      return (i, j) => {
        const lo = Math.min(i, j);
        const hi = Math.max(i, j);
        const between =
          (cumulative[hi + 1] as number) -
          (cumulative[lo] as number) -
          ((marginals[lo] as number) + (marginals[hi] as number)) / 2;
        return between ** 2;
      };
    }
  }
}

function total(unit: UnitValues): number {
  let m = 0;
  for (const count of unit.values()) m += count;
  return m;
}

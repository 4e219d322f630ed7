import { describe, expect, it } from 'vitest';
import { expectCloseOrNull } from '../analysis/test-reference.js';
import { type AlphaMetric, coincidenceMatrix, krippendorffAlpha, unitValues } from './krippendorff.js';
import { agreementReference as reference } from './test-reference.js';

const metrics: readonly AlphaMetric[] = ['nominal', 'ordinal', 'interval', 'ratio'];
const worked = reference.alpha[0];

describe("Krippendorff's alpha", () => {
  it('reproduces the worked example published with the measure (Krippendorff 2011) to three places', () => {
    expect(worked?.name).toMatch(/Krippendorff 2011/);
    for (const metric of metrics) {
      const alpha = krippendorffAlpha(worked?.data ?? [], metric);
      expect(alpha, metric).not.toBeNull();
      expect(Math.abs((alpha ?? 0) - reference.published[metric]), metric).toBeLessThan(5e-4);
    }
  });

  it("builds the worked example's coincidence matrix as printed in the paper", () => {
    // Krippendorff (2011), section C: n = 40 pairable values; n_1..n_5 = 9, 13, 10, 5, 3; o_11 = 7 and
    // o_12 = 4/3 (unit 8 gives A, B, D value 1 and C value 2).
    const matrix = coincidenceMatrix(unitValues(worked?.data ?? []));
    expect(matrix.values).toEqual([1, 2, 3, 4, 5]);
    expect(matrix.n).toBeCloseTo(40, 12);
    matrix.marginals.forEach((n, i) => {
      expect(n).toBeCloseTo([9, 13, 10, 5, 3][i] ?? Number.NaN, 12);
    });
    expect(matrix.counts[0]?.[0]).toBeCloseTo(7, 12);
    expect(matrix.counts[0]?.[1]).toBeCloseTo(4 / 3, 12);
    // The matrix is symmetric.
    matrix.counts.forEach((row, c) => {
      row.forEach((o, k) => {
        expect(o).toBeCloseTo(matrix.counts[k]?.[c] ?? Number.NaN, 12);
      });
    });
  });

  it('is 1 for perfect agreement, null with no pairable value or no variation', () => {
    expect(
      krippendorffAlpha([
        [1, 0, 1],
        [1, 0, 1],
        [null, 0, null],
      ]),
    ).toBe(1);
    expect(
      krippendorffAlpha([
        [1, null],
        [null, 1],
      ]),
    ).toBeNull();
    expect(
      krippendorffAlpha([
        [1, 1],
        [1, 1],
      ]),
    ).toBeNull();
    expect(krippendorffAlpha([])).toBeNull();
  });

  it('is 0 for one unit split between two coders, and below 0 for systematic disagreement', () => {
    // One unit {0, 1}: o_01 = o_10 = 1, n = 2, so α = 1 − 1·2 / (1·1 + 1·1) = 0.
    expect(krippendorffAlpha([[0], [1]])).toBe(0);
    // Four units, each split {0, 1}: o_01 = o_10 = 4, n_0 = n_1 = 4, n = 8: α = 1 − 7·8 / (4·4·2) = −0.75.
    expect(
      krippendorffAlpha([
        [0, 1, 0, 1],
        [1, 0, 1, 0],
      ]),
    ).toBeCloseTo(-0.75, 12);
  });

  it('reads rows of different lengths as missing past their end', () => {
    expect(
      krippendorffAlpha([
        [1, 2, 3],
        [1, 2],
      ]),
    ).toBe(
      krippendorffAlpha([
        [1, 2, 3],
        [1, 2, null],
      ]),
    );
  });

  describe.each(metrics)('%s metric matches the numpy reference to 1e-9', (metric) => {
    it.each(reference.alpha)('$name', ({ data, alpha }) => {
      expectCloseOrNull(krippendorffAlpha(data, metric), alpha[metric], metric);
    });
  });
});

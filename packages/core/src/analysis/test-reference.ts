/**
 * Test support: the reference values printed by `packages/core/reference/reference.py` (scipy and
 * numpy, independent of this code), typed, plus a comparison that tells null from a number.
 */
import { expect } from 'vitest';
import referenceJson from '../../reference/reference-values.json' with { type: 'json' };
import type { AnalysisInput } from './session-analysis.js';

/** A Likert summary as JSON: the counts are a plain array there. */
export interface ReferenceLikert {
  readonly n: number;
  readonly mean: number | null;
  readonly median: number | null;
  readonly counts: readonly number[];
  readonly agreeShare: number | null;
}

/** Expected analysis as the Python reference prints it (plain JSON, so nothing readonly matters). */
export interface ReferenceAnalysis {
  readonly participants: number;
  readonly likert: Readonly<Record<string, ReferenceLikert>>;
  readonly concordance: { readonly segment1W: number | null; readonly segment5W: number | null };
  readonly participantsShift: readonly {
    readonly participantId: string;
    readonly tauWithGroupBefore: number | null;
    readonly tauWithGroupAfter: number | null;
    readonly top3JaccardBefore: number | null;
    readonly top3JaccardAfter: number | null;
  }[];
  readonly groupRanking: readonly string[];
}

/** Shape of reference-values.json. */
export interface ReferenceValues {
  readonly averageRanks: readonly { name: string; order: string[]; items: string[]; ranks: number[] }[];
  readonly kendallW: readonly {
    name: string;
    items: string[];
    orders: string[][];
    ranks: number[][];
    w: number | null;
  }[];
  readonly kendallTauB: readonly { name: string; x: number[]; y: number[]; tau: number | null }[];
  readonly jaccard: readonly { name: string; a: string[]; b: string[]; value: number | null }[];
  readonly likert: readonly { name: string; values: number[]; summary: ReferenceLikert }[];
  readonly scenarios: readonly { name: string; input: AnalysisInput; expected: ReferenceAnalysis }[];
}

/**
 * The reference values. The cast is needed because TypeScript infers a union of the scenarios'
 * object types, giving every mapping optional `undefined` keys that no index signature accepts; a
 * wrong shape still fails the tests, which read every field.
 */
export const reference = referenceJson as unknown as ReferenceValues;

/** Expects `actual` to be null exactly when `expected` is, and otherwise equal to 1e-9. */
export function expectCloseOrNull(actual: number | null, expected: number | null, what: string): void {
  if (expected === null) {
    expect(actual, what).toBeNull();
  } else {
    expect(actual, what).not.toBeNull();
    expect(actual ?? Number.NaN, what).toBeCloseTo(expected, 9);
  }
}

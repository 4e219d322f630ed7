/**
 * Test support: the reference values printed by `packages/core/reference/agreement.py` (numpy,
 * pairwise form of alpha, independent of this code), typed.
 */
import referenceJson from '../../reference/agreement-values.json' with { type: 'json' };
import type { AlphaMetric } from './krippendorff.js';

/** Shape of agreement-values.json. */
export interface AgreementReference {
  /** Krippendorff's (2011) published values for the worked example, rounded to three places. */
  readonly published: Readonly<Record<AlphaMetric, number>>;
  readonly alpha: readonly {
    readonly name: string;
    readonly data: (number | null)[][];
    readonly alpha: Readonly<Record<AlphaMetric, number | null>>;
  }[];
  /** Attributes as [code text, sign] pairs, used with every baseline scenario. */
  readonly attributes: readonly { readonly name: string; readonly codes: [string, 1 | -1][] }[];
  readonly baseline: readonly {
    readonly name: string;
    readonly units: string[];
    readonly codings: { coder: string; unit: string; code: string }[];
    readonly expected: {
      readonly coders: number;
      readonly units: number;
      readonly codes: { key: string; alpha: number | null; coders: number; units: number }[];
      readonly overall: number | null;
    };
    readonly expectedAttributes: { name: string; alpha: number | null; coders: number; units: number }[];
  }[];
}

/** The reference values; a wrong shape fails the tests, which read every field. */
export const agreementReference = referenceJson as unknown as AgreementReference;

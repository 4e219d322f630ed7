/**
 * Agreement on attributes over the baseline set: how consistently the coders' codes speak for or
 * against an attribute (focused coding's signed pairs, "warm" vs "cold"), as interval alpha.
 */
import { codeKey } from '../coding/codes.js';
import { type AgreementInteraction, type AgreementLabel, unitCodings } from './baseline.js';
import { krippendorffAlpha } from './krippendorff.js';

/** An attribute with the texts of its codes (the labels it names), each counting for (1) or against (−1) it. */
export interface AgreementAttribute {
  readonly id: string;
  readonly name: string;
  readonly participantId: string | null;
  readonly codes: readonly { readonly text: string; readonly sign: 1 | -1 }[];
}

/** One attribute over the baseline set. */
export interface AttributeAgreement {
  readonly id: string;
  readonly name: string;
  readonly participantId: string | null;
  /** Interval alpha over −1 (against), 0 (neither), 1 (for); null where undefined. */
  readonly alpha: number | null;
  /** Coders whose codes spoke for or against it on at least one unit. */
  readonly coders: number;
  /** Units on which some coder's codes spoke for or against it. */
  readonly units: number;
}

/**
 * Per attribute: a coder's value for a unit they coded is the sign of the sum of the signs of the
 * attribute's codes (compared as {@link codeKey} does, each counted once) they put on it: 1 (for),
 * −1 (against), 0 (none of its codes, or as many for as against); missing if they did not code the
 * unit. A code the attribute names with both signs (two labels of one text) counts by the sum of
 * its signs. Alpha is interval, so "for" against "against" weighs four times "for" against "neither".
 */
export function attributeAgreement(
  interactions: readonly AgreementInteraction[],
  labels: readonly AgreementLabel[],
  attributes: readonly AgreementAttribute[],
): AttributeAgreement[] {
  const { units, codings } = unitCodings(interactions, labels);
  // coder → unit → the code keys they put on it
  const coded = new Map<string, Map<number, Set<string>>>();
  for (const { coder, unit, key } of codings) {
    const byUnit = coded.get(coder) ?? new Map<number, Set<string>>();
    const keys = byUnit.get(unit) ?? new Set<string>();
    keys.add(key);
    byUnit.set(unit, keys);
    coded.set(coder, byUnit);
  }
  return attributes.map((attribute) => {
    const weight = new Map<string, number>();
    for (const code of attribute.codes) {
      const key = codeKey(code.text);
      if (key !== '') weight.set(key, (weight.get(key) ?? 0) + code.sign);
    }
    const spoke = new Set<string>();
    const touched = new Set<number>();
    const data = [...coded].map(([coder, byUnit]) =>
      units.map((_, u) => {
        const keys = byUnit.get(u);
        if (!keys) return null;
        let sum = 0;
        for (const key of keys) sum += weight.get(key) ?? 0;
        const value = Math.sign(sum);
        if (value !== 0) {
          spoke.add(coder);
          touched.add(u);
        }
        return value;
      }),
    );
    return {
      id: attribute.id,
      name: attribute.name,
      participantId: attribute.participantId,
      alpha: krippendorffAlpha(data, 'interval'),
      coders: spoke.size,
      units: touched.size,
    };
  });
}

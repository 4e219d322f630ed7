/**
 * Krippendorff's own guidance on alpha: rely on data with α ≥ 0.800; consider data with
 * 0.667 ≤ α < 0.800 only for tentative conclusions; below 0.667 draw none.
 */
export const alphaThresholds = { reliable: 0.8, tentative: 0.667 } as const;

/** How well coders agree, as the sentence keys of the `agreement` namespace name it. */
export type AgreementLevel = 'good' | 'tentative' | 'poor' | 'none';

/** Which band `alpha` falls in; null (no pairable values, or no variation) is `none`. */
export function agreementLevel(alpha: number | null): AgreementLevel {
  if (alpha === null) return 'none';
  if (alpha >= alphaThresholds.reliable) return 'good';
  if (alpha >= alphaThresholds.tentative) return 'tentative';
  return 'poor';
}

/** Alpha as shown: two decimals, or an en dash when undefined. */
export const formatAlpha = (alpha: number | null): string => (alpha === null ? '–' : alpha.toFixed(2));

/**
 * Numbers as people read them: at most `digits` decimals in the interface's language, never a raw
 * float such as 0.7701149425287356; "–" for a missing value.
 */
export function formatNumber(value: number | null | undefined, language: string, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  // Adding 0 turns the -0 that rounding a tiny negative gives into 0.
  const rounded = Number(value.toFixed(digits)) + 0;
  return new Intl.NumberFormat(language, { maximumFractionDigits: digits }).format(rounded);
}

/** A share (0–1) as a whole percentage, "–" when missing. */
export function formatShare(value: number | null | undefined, language: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 0 }).format(value);
}

/** A duration typed in minutes: its milliseconds, or why it is not one. */
export type ParsedMinutes =
  | { readonly ok: true; readonly ms: number }
  | { readonly ok: false; readonly error: 'empty' | 'notNumber' | 'tooShort' | 'tooLong' };

/** The server's limits for a duration (the contract's `DurationMs`). */
export const minDurationMs = 1_000;
export const maxDurationMs = 6 * 3_600_000;

/**
 * Minutes as a person types them: decimals with a point or a comma ("0.1" is 6 s, "1,5" is 90 s),
 * never rounded up to a whole minute. Below one second or above six hours is refused, with the
 * reason, rather than quietly changed.
 */
export function parseMinutes(text: string): ParsedMinutes {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '') return { ok: false, error: 'empty' };
  if (!/^\d*\.?\d+$|^\d+\.$/.test(trimmed)) return { ok: false, error: 'notNumber' };
  const ms = Math.round(Number(trimmed) * 60_000);
  if (ms < minDurationMs) return { ok: false, error: 'tooShort' };
  if (ms > maxDurationMs) return { ok: false, error: 'tooLong' };
  return { ok: true, ms };
}

/** 6_000 → "0:06", 5_400_000 → "90:00": what a typed duration really is. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

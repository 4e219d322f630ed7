import { describe, expect, it } from 'vitest';
import { formatDuration, parseMinutes } from './duration';

describe('minutes as typed', () => {
  it('keeps decimals: 0.1 min is 6 seconds, not a minute', () => {
    expect(parseMinutes('0.1')).toEqual({ ok: true, ms: 6_000 });
    expect(parseMinutes('1,5')).toEqual({ ok: true, ms: 90_000 });
    expect(parseMinutes(' 10 ')).toEqual({ ok: true, ms: 600_000 });
    expect(parseMinutes('.5')).toEqual({ ok: true, ms: 30_000 });
    expect(formatDuration(6_000)).toBe('0:06');
  });

  it('says why a value is not a duration instead of changing it', () => {
    expect(parseMinutes('')).toEqual({ ok: false, error: 'empty' });
    expect(parseMinutes('ten')).toEqual({ ok: false, error: 'notNumber' });
    expect(parseMinutes('-1')).toEqual({ ok: false, error: 'notNumber' });
    expect(parseMinutes('0')).toEqual({ ok: false, error: 'tooShort' });
    expect(parseMinutes('0.01')).toEqual({ ok: false, error: 'tooShort' });
    expect(parseMinutes('361')).toEqual({ ok: false, error: 'tooLong' });
  });
});

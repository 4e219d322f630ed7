import { describe, expect, it } from 'vitest';
import { keptSubmission, mergeRefusal, normalizedName, sharedNames } from './merge.js';

describe('merging participants', () => {
  const early = new Date('2026-01-01T10:00:00Z');
  const late = new Date('2026-01-01T10:05:00Z');

  it('keeps the only submission, or the later of two (the one merged into on a tie)', () => {
    expect(keptSubmission(null, null)).toBeNull();
    expect(keptSubmission(early, null)).toBe('into');
    expect(keptSubmission(null, early)).toBe('from');
    expect(keptSubmission(early, late)).toBe('from');
    expect(keptSubmission(late, early)).toBe('into');
    expect(keptSubmission(early, new Date(early))).toBe('into');
  });

  it('refuses to merge a participant into themselves', () => {
    expect(mergeRefusal('pa_1', 'pa_1')).toMatch(/themselves/);
    expect(mergeRefusal('pa_1', 'pa_2')).toBeNull();
  });

  it('finds names two people share, ignoring case and spacing', () => {
    expect(sharedNames(['Chen', ' chen ', 'Asha', 'आशा', 'आशा'])).toEqual(new Set(['chen', 'आशा']));
    expect(normalizedName('  Ana  Maria ')).toBe('ana maria');
  });
});

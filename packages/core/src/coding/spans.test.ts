import { describe, expect, it } from 'vitest';
import { checkSpan, describeSpanProblem, highlightSegments, spanFits, spansOverlap } from './spans.js';

describe('checkSpan', () => {
  it('accepts 0 ≤ start < end ≤ length, the whole text included', () => {
    expect(checkSpan({ start: 0, end: 5 }, 5)).toBeNull();
    expect(checkSpan({ start: 4, end: 5 }, 5)).toBeNull();
  });

  it('refuses zero-length, reversed, negative, past-the-end and fractional spans', () => {
    expect(checkSpan({ start: 2, end: 2 }, 5)).toBe('empty');
    expect(checkSpan({ start: 3, end: 2 }, 5)).toBe('empty');
    expect(checkSpan({ start: -1, end: 2 }, 5)).toBe('negative');
    expect(checkSpan({ start: 0, end: 6 }, 5)).toBe('past-end');
    expect(checkSpan({ start: 0, end: 1 }, 0)).toBe('past-end');
    expect(checkSpan({ start: 0.5, end: 2 }, 5)).toBe('not-integer');
  });

  it('counts UTF-16 code units, as the browser does', () => {
    const text = 'नमस्ते 👋';
    expect(checkSpan({ start: 0, end: text.length }, text.length)).toBeNull();
    expect(text.length).toBe(9);
  });

  it('says what is wrong and where', () => {
    expect(describeSpanProblem('labels[2].span', { start: 0, end: 9 }, 4, 'past-end')).toBe(
      "labels[2].span ends at 9, past the message's 4 characters",
    );
  });
});

describe('spanFits', () => {
  it('is false once the message became shorter or is gone', () => {
    expect(spanFits({ start: 0, end: 5 }, 'hello')).toBe(true);
    expect(spanFits({ start: 0, end: 5 }, 'hi')).toBe(false);
    expect(spanFits({ start: 0, end: 5 }, undefined)).toBe(false);
  });
});

describe('spansOverlap', () => {
  it('overlaps when a code unit is shared, not when ends touch', () => {
    expect(spansOverlap({ start: 0, end: 5 }, { start: 4, end: 8 })).toBe(true);
    expect(spansOverlap({ start: 0, end: 5 }, { start: 5, end: 8 })).toBe(false);
    expect(spansOverlap({ start: 2, end: 3 }, { start: 0, end: 10 })).toBe(true);
  });
});

describe('highlightSegments', () => {
  it('cuts the text into runs covered by the same codes, covering it exactly', () => {
    const segments = highlightSegments(10, [
      { id: 'a', start: 0, end: 5 },
      { id: 'b', start: 3, end: 8 },
    ]);
    expect(segments).toEqual([
      { start: 0, end: 3, ids: ['a'] },
      { start: 3, end: 5, ids: ['a', 'b'] },
      { start: 5, end: 8, ids: ['b'] },
      { start: 8, end: 10, ids: [] },
    ]);
  });

  it('gives one uncoded run for no spans, and leaves out spans that do not fit', () => {
    expect(highlightSegments(4, [])).toEqual([{ start: 0, end: 4, ids: [] }]);
    expect(highlightSegments(4, [{ id: 'stale', start: 2, end: 9 }])).toEqual([{ start: 0, end: 4, ids: [] }]);
    expect(highlightSegments(0, [])).toEqual([]);
  });

  it('stays fast and exact with 10,000 codes on one turn', () => {
    const spans = Array.from({ length: 10_000 }, (_, i) => ({ id: `c${i}`, start: i % 50, end: (i % 50) + 10 }));
    const segments = highlightSegments(100, spans);
    expect(segments.at(-1)).toEqual({ start: 59, end: 100, ids: [] });
    expect(segments[0]?.ids).toHaveLength(200);
  });
});

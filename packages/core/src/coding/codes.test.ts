import { describe, expect, it } from 'vitest';
import { codeKey, mergeCodes, mostUsedSpelling } from './codes.js';
import { distinctCodes } from './groupings.js';
import { tallyCodes } from './turns.js';

describe('merging codes', () => {
  it('compares trimmed and case-insensitive', () => {
    expect(codeKey('  Warm Tone ')).toBe('warm tone');
  });

  it('shows the spelling used most; a tie goes to the first one given', () => {
    const spelling = (...entries: [string, number][]) => mostUsedSpelling(new Map(entries));
    expect(spelling(['warm', 1], ['Warm', 2])).toBe('Warm');
    expect(spelling(['warm', 2], ['Warm', 2])).toBe('warm');
    expect(spelling(['Warm', 2], ['warm', 2])).toBe('Warm');
  });

  it('merges spellings in the order first seen, blanks left out, with what carries each', () => {
    const labels = [
      { id: 'a', text: 'warm' },
      { id: 'b', text: ' ' },
      { id: 'c', text: 'Cold' },
      { id: 'd', text: 'WARM ' },
      { id: 'e', text: 'warm' },
    ];
    expect(mergeCodes(labels, (l) => l.text)).toEqual([
      { key: 'warm', text: 'warm', count: 3, items: [labels[0], labels[3], labels[4]] },
      { key: 'cold', text: 'Cold', count: 1, items: [labels[2]] },
    ]);
  });

  it('counts a tally (spelling → labels) as that many labels', () => {
    const texts = ['Warm', 'warm', 'warm', ' Cold', 'cold', 'kind'];
    const tally = new Map<string, number>();
    for (const text of texts) tally.set(text.trim(), (tally.get(text.trim()) ?? 0) + 1);
    expect(tallyCodes(tally)).toEqual(tallyCodes(texts));
    expect(tallyCodes(tally)).toEqual([
      { key: 'warm', text: 'warm', count: 3 },
      { key: 'cold', text: 'Cold', count: 2 },
      { key: 'kind', text: 'kind', count: 1 },
    ]);
  });

  it('gives the suggestions and focused coding the same codes in the same spellings', () => {
    const labels = ['Empathy', 'empathy', 'EMPATHY', 'Empathy ', 'Terse', 'terse'].map((text, i) => ({
      id: `l${i}`,
      text,
    }));
    const suggested = tallyCodes(labels.map((l) => l.text));
    const grouped = distinctCodes(labels);
    expect(suggested.map((c) => c.text).sort()).toEqual(grouped.map((c) => c.text).sort());
    expect(grouped.map((c) => c.text)).toEqual(['Empathy', 'Terse']);
  });
});

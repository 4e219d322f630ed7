import { describe, expect, it } from 'vitest';
import { suggestMatches } from './matches.js';
import { contentWords, nameOf, wordCounts } from './words.js';

describe('wordCounts', () => {
  it('counts plain words over all texts, stop words and case aside, most frequent first', () => {
    expect(wordCounts(['BIAS', 'colonial bias', 'Bias to the British government', 'biased'])).toEqual([
      { term: 'bias', count: 3 },
      { term: 'biased', count: 1 },
      { term: 'british', count: 1 },
      { term: 'colonial', count: 1 },
      { term: 'government', count: 1 },
    ]);
  });

  it('keeps hyphenated words whole and drops numbers and single letters', () => {
    expect(contentWords('One-sided, 1857 a revolt’s view')).toEqual(['one-sided', "revolt's", 'view']);
  });

  it('keeps Devanagari and Arabic words whole, vowel signs and marks included', () => {
    // Split at the vowel signs, these were one-letter pieces and dropped: an empty word cloud.
    expect(contentWords('संतुलित दृष्टिकोण')).toEqual(['संतुलित', 'दृष्टिकोण']);
    expect(contentWords('مُتَوازِن ومحايد')).toEqual(['مُتَوازِن', 'ومحايد']);
    expect(wordCounts(['संतुलित', 'संतुलित दृष्टिकोण', 'متوازن'])).toEqual([
      { term: 'संतुलित', count: 2 },
      { term: 'متوازن', count: 1 },
      { term: 'दृष्टिकोण', count: 1 },
    ]);
  });
});

describe('nameOf', () => {
  it('names a group of texts by the words most of them share', () => {
    expect(nameOf(['colonial bias', 'western bias', 'bias bias bias', 'religious bias'])).toBe(
      'bias · colonial · religious',
    );
  });

  it('falls back to the first text when no word survives', () => {
    expect(nameOf(['the', 'of'])).toBe('the');
  });

  it('names a Hindi cluster by its words', () => {
    expect(nameOf(['संतुलित', 'संतुलित दृष्टिकोण', 'बहुत संतुलित'])).toMatch(/^संतुलित · /);
  });
});

describe('suggestMatches', () => {
  const similarity = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * (b[i] ?? 0), 0);
  it('suggests the most similar target for each source, with the similarity', () => {
    const suggestions = suggestMatches(
      [
        { id: 'a', value: [1, 0] },
        { id: 'b', value: [0.1, 0.9] },
      ],
      [
        { id: 'x', value: [0.9, 0.1] },
        { id: 'y', value: [0, 1] },
      ],
      similarity,
    );
    expect(suggestions).toEqual({
      a: { finalAttributeId: 'x', similarity: 0.9 },
      b: { finalAttributeId: 'y', similarity: 0.9 },
    });
  });

  it('suggests nothing when there are no targets', () => {
    expect(suggestMatches([{ id: 'a', value: [1] }], [], similarity)).toEqual({});
  });
});

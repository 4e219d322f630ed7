import { describe, expect, it } from 'vitest';
import { contentWords, lexicalSimilarity, suggestMatches } from './similarity.js';

describe('lexicalSimilarity', () => {
  it('is 1 for the same text and 0 for texts sharing nothing', () => {
    expect(lexicalSimilarity('Colonial bias', 'colonial BIAS')).toBeCloseTo(1, 12);
    expect(lexicalSimilarity('factual', 'dry')).toBe(0);
  });

  it('matches inflections through stems: "biased" is closer to "bias" than to "balanced"', () => {
    expect(contentWords('Biased answers')).toEqual(['bias', 'answer']);
    expect(lexicalSimilarity('biased', 'Bias: a one-sided view')).toBeGreaterThan(
      lexicalSimilarity('biased', 'balanced'),
    );
  });
});

describe('suggestMatches', () => {
  it('suggests the most similar final attribute for each segment-1 attribute', () => {
    const finals = [
      { id: 'f-bias', text: 'Western bias. Favouring Western perspectives over others' },
      { id: 'f-context', text: 'Cultural context. Explains the cultural background of events' },
    ];
    const suggestions = suggestMatches(
      [
        { id: 'a', text: 'Western-centric. The answer is biased toward Western views' },
        { id: 'b', text: 'Context. Gives cultural background' },
      ],
      finals,
    );
    expect(suggestions.a?.finalAttributeId).toBe('f-bias');
    expect(suggestions.b?.finalAttributeId).toBe('f-context');
    expect(suggestions.a?.similarity).toBeGreaterThan(0);
  });

  it('suggests nothing when there are no final attributes', () => {
    expect(suggestMatches([{ id: 'a', text: 'x' }], [])).toEqual({});
  });
});

import { describe, expect, it } from 'vitest';
import { codingTurns, rankSuggestions, tallyCodes } from './turns.js';

const label = (id: string, participantId: string | null, interactionId: string, messageIndex: number) => ({
  id,
  text: id,
  annotation: null,
  participantId,
  interactionId,
  messageIndex,
  spanStart: null,
  spanEnd: null,
});

describe('codingTurns', () => {
  it('orders own, baseline, shared; pairs each response with the prompt before it; counts coded turns', () => {
    const interactions = [
      {
        id: 'x',
        participantId: null,
        baseline: false,
        masked: false,
        messages: [{ role: 'assistant' as const, content: 'a' }],
      },
      {
        id: 'b',
        participantId: null,
        baseline: true,
        masked: false,
        messages: [
          { role: 'user' as const, content: 'q1' },
          { role: 'assistant' as const, content: 'r1' },
          { role: 'assistant' as const, content: ' ' },
          { role: 'user' as const, content: 'q2' },
          { role: 'assistant' as const, content: 'r2' },
        ],
      },
      {
        id: 'm',
        participantId: 'me',
        baseline: false,
        masked: false,
        messages: [{ role: 'assistant' as const, content: 'mine' }],
      },
    ];
    const { turns, progress } = codingTurns(
      'me',
      interactions,
      [
        label('l1', 'me', 'b', 4),
        label('l2', 'other', 'b', 1),
        { ...label('l3', 'me', 'm', 0), spanStart: 0, spanEnd: 9 },
      ],
      new Map([['m', [{ content: 'mine' }]]]),
    );
    expect(turns.map((t) => `${t.kind}:${t.interactionId}:${t.messageIndex}:${t.prompt}`)).toEqual([
      'own:m:0:null',
      'baseline:b:1:q1',
      'baseline:b:4:q2',
      'shared:x:0:null',
    ]);
    expect(turns[0]?.codes).toEqual([
      { id: 'l3', text: 'l3', note: null, span: { start: 0, end: 9 }, spanStale: true },
    ]);
    expect(turns[1]?.codes).toEqual([]);
    expect(progress).toEqual({ coded: 2, total: 4 });
  });
});

describe('suggestions', () => {
  it('merges spellings trimmed and case-insensitive, most used spelling first', () => {
    expect(tallyCodes(['Warm', ' warm', 'warm', 'cold', ''])).toEqual([
      { key: 'warm', text: 'warm', count: 3 },
      { key: 'cold', text: 'cold', count: 1 },
    ]);
  });

  it('offers prefixes first, then the nearest by meaning above the threshold, never the typed code', () => {
    const codes = tallyCodes(['warm', 'warmth', 'warmth', 'kind', 'cold', 'friendly']);
    const sim = codes.map((c) => ({ warmth: 0.9, warm: 1, kind: 0.6, friendly: 0.7, cold: 0.1 })[c.key] ?? 0);
    expect(rankSuggestions('Warm', codes, sim, 3)).toEqual([
      { text: 'warmth', count: 2, by: 'prefix' },
      { text: 'friendly', count: 1, by: 'meaning', similarity: 0.7 },
      { text: 'kind', count: 1, by: 'meaning', similarity: 0.6 },
    ]);
    expect(rankSuggestions('  ', codes, sim, 3)).toEqual([]);
    expect(rankSuggestions('w', codes, null, 1)).toHaveLength(1);
  });
});

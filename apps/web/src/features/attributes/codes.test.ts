import type { AttributeSuggestion, InteractionList, LabelList } from '@calma/protocol';
import { describe, expect, it } from 'vitest';
import { codedTurns, draftOfSuggestion, excerptOf, ownCodes, sameAsSaved, toAttributeCodes } from './codes';
import { emptyDraft } from './draft';

const label = (id: string, text: string, interactionId: string | null = 'in_1', messageIndex: number | null = 1) =>
  ({
    id,
    text,
    annotation: null,
    stage: 'initial',
    participantId: 'pa_1',
    interactionId,
    messageIndex,
    createdAt: '2026-01-01T00:00:00.000Z',
  }) as LabelList['labels'][number];

describe('focused coding helpers', () => {
  const labels = [label('lb_1', 'warm'), label('lb_2', 'Warm ', 'in_2', 1), label('lb_3', 'cold', 'in_1', 3)];

  it('saves a code by text as every label that carries it, each once', () => {
    const codes = ownCodes(labels);
    // Two spellings once each: the first one given names the code (as agreement and the codebook do).
    expect(codes[0]).toEqual({ text: 'warm', labelIds: ['lb_1', 'lb_2'] });
    expect(
      toAttributeCodes(
        [
          { text: 'warm', sign: 1 },
          { text: 'cold', sign: -1 },
          { text: 'gone', sign: 1 },
        ],
        codes,
      ),
    ).toEqual([
      { labelId: 'lb_1', sign: 1 },
      { labelId: 'lb_2', sign: 1 },
      { labelId: 'lb_3', sign: -1 },
    ]);
  });

  it('lists coded turns once, with an excerpt of assistant turns only', () => {
    const interactions = [
      {
        id: 'in_1',
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'A warm answer.' },
          { role: 'user', content: 'q2' },
          { role: 'assistant', content: 'Cold.' },
        ],
      },
    ] as unknown as InteractionList['interactions'];
    expect(codedTurns([...labels, label('lb_4', 'x', null, null)], interactions)).toEqual([
      { interactionId: 'in_1', messageIndex: 1, excerpt: 'A warm answer.' },
      { interactionId: 'in_2', messageIndex: 1, excerpt: null },
      { interactionId: 'in_1', messageIndex: 3, excerpt: 'Cold.' },
    ]);
    expect(excerptOf(`${'word '.repeat(60)}`, 40)).toMatch(/^(word ){7}word…$/);
  });

  it('opens a suggestion as a new draft, one code per text, keeping its signs', () => {
    const suggestion: AttributeSuggestion = {
      id: 'sg_1',
      name: 'warm',
      cohesion: 0.6,
      codes: [
        { labelId: 'lb_1', text: 'warm', sign: 1 },
        { labelId: 'lb_2', text: 'warm', sign: 1 },
        { labelId: 'lb_5', text: 'not warm', sign: -1 },
      ],
    };
    expect(draftOfSuggestion(suggestion)).toEqual({
      ...emptyDraft(),
      name: 'warm',
      codes: [
        { text: 'warm', sign: 1 },
        { text: 'not warm', sign: -1 },
      ],
      suggestionId: 'sg_1',
    });
  });

  it('tells a draft that says what was saved (spaces and example order aside) from a changed one', () => {
    const saved = {
      ...emptyDraft(),
      name: 'Warmth',
      examples: [
        { interactionId: 'a', messageIndex: 1, polarity: 'positive' as const },
        { interactionId: 'b', messageIndex: 1, polarity: 'negative' as const },
      ],
    };
    expect(sameAsSaved({ ...saved, name: 'Warmth ', examples: [...saved.examples].reverse() }, saved)).toBe(true);
    expect(sameAsSaved({ ...saved, definition: 'new' }, saved)).toBe(false);
    expect(sameAsSaved(saved, null)).toBe(false);
  });
});

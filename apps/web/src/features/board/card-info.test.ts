import { type Card, readCard } from '@calma/protocol/board';
import { describe, expect, it } from 'vitest';
import { cardInfo, promptAndResponse } from './card-info';

const card = (id: string, fields: Record<string, unknown>): Card => readCard(id, new Map(Object.entries(fields)));
const long = 'A response much longer than a tooltip. '.repeat(20).trim();
const interactions = [
  {
    id: 'i1',
    groupId: 'g',
    participantId: null,
    baseline: true,
    messages: [{ role: 'assistant' as const, content: 'only a response' }],
    createdAt: '2026-01-01T00:00:00.000Z',
  },
  {
    id: 'i2',
    groupId: 'g',
    participantId: 'p1',
    baseline: false,
    messages: [
      { role: 'user' as const, content: 'Who ruled?' },
      { role: 'assistant' as const, content: 'first answer' },
      { role: 'user' as const, content: 'Tell me more' },
      { role: 'user' as const, content: 'and why' },
      { role: 'assistant' as const, content: long },
    ],
    createdAt: '2026-01-01T00:00:00.000Z',
  },
];
const label = (
  id: string,
  extra: Partial<{
    participantId: string | null;
    interactionId: string | null;
    messageIndex: number | null;
    annotation: string | null;
  }>,
) => ({
  id,
  text: id,
  annotation: null,
  stage: 'focused' as const,
  participantId: null,
  interactionId: null,
  messageIndex: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

describe("a card's popover", () => {
  it('shows a label its annotation, the prompt, the whole response and where it came from', () => {
    const c = card('label-l1', {
      kind: 'label',
      text: 'पक्षपात',
      labelId: 'l1',
      interactionId: 'i2',
      authorId: 'p1',
      annotation: 'one-sided',
    });
    const info = cardInfo(c, {
      cards: [c],
      interactions,
      labels: [label('l1', { participantId: 'p1', interactionId: 'i2', messageIndex: 4 })],
      names: { p1: 'Asha' },
    });
    expect(info).toEqual({
      type: 'label',
      text: 'पक्षपात',
      annotation: 'one-sided',
      author: { type: 'person', name: 'Asha' },
      stage: 'focused',
      interaction: { number: 2, baseline: false, prompt: ['Tell me more', 'and why'], response: long },
      interactionMissing: false,
    });
  });

  it('says where a label without an interaction comes from (the seeded Table 1 labels)', () => {
    const c = card('label-l2', { kind: 'label', text: 'BIAS', labelId: 'l2', authorId: 'system' });
    const info = cardInfo(c, { cards: [c], interactions, labels: [label('l2', {})], names: {} });
    expect(info).toMatchObject({
      type: 'label',
      author: { type: 'study' },
      stage: 'focused',
      interaction: null,
      interactionMissing: false,
    });
  });

  it('finds a response with no prompt recorded, and the response a message index names', () => {
    expect(promptAndResponse(interactions[0] as (typeof interactions)[number], 0)).toEqual({
      prompt: [],
      response: 'only a response',
    });
    expect(promptAndResponse(interactions[1] as (typeof interactions)[number], 1)).toEqual({
      prompt: ['Who ruled?'],
      response: 'first answer',
    });
    // An index that is not the model's falls back to the last response.
    expect(promptAndResponse(interactions[1] as (typeof interactions)[number], 0).response).toBe(long);
  });

  it('gives attributes their definition and notes their author and the card they comment on', () => {
    const a = card('attr', { kind: 'attribute', text: 'Fairness', definition: 'Both sides', rank: 1, authorId: 'p2' });
    const n = card('note-1', { kind: 'note', text: 'why?', authorId: 'moderator', commentOn: 'attr' });
    const context = { cards: [a, n], interactions, labels: [], names: { p2: 'Ben' } };
    expect(cardInfo(a, context)).toEqual({
      type: 'attribute',
      text: 'Fairness',
      definition: 'Both sides',
      rank: 1,
      author: { type: 'person', name: 'Ben' },
      codes: null,
    });
    expect(cardInfo(n, context)).toEqual({
      type: 'note',
      text: 'why?',
      author: { type: 'moderator' },
      commentOn: 'Fairness',
      isComment: true,
    });
  });

  it('gives a focused-coding attribute its codes for and against, ignoring malformed ones', () => {
    const a = card('reflect-1', {
      kind: 'attribute',
      text: 'Warmth',
      definition: 'Care',
      reflectAttributeId: 'at1',
      codes: [{ text: 'warm', sign: 1 }, { text: 'cold', sign: -1 }, { text: 'odd', sign: 2 }, 'junk'],
      authorId: 'p2',
    });
    expect(cardInfo(a, { cards: [a], interactions, labels: [], names: { p2: 'Ben' } })).toMatchObject({
      type: 'attribute',
      rank: null,
      codes: [
        { text: 'warm', sign: 1 },
        { text: 'cold', sign: -1 },
      ],
    });
  });
});

import { describe, expect, it } from 'vitest';
import type { Principal } from './access.js';
import { type LabelContext, resolveLabels } from './material.js';

const moderator: Principal = { role: 'moderator', groupId: 'g1' };
const participant: Principal = { role: 'participant', groupId: 'g1', participantId: 'p1', displayName: 'Ana' };
const context: LabelContext = {
  participantIds: new Set(['p1', 'p2']),
  interactionLengths: new Map([['i1', 2]]),
  interactionMessages: new Map([
    [
      'i1',
      [
        { role: 'user', content: 'Why?' },
        { role: 'assistant', content: 'Because.' },
      ],
    ],
  ]),
};

describe('resolveLabels', () => {
  it("makes a participant's labels their own and trims text", () => {
    const result = resolveLabels(participant, [{ text: '  balanced ', stage: 'initial', annotation: '  ' }], context);
    expect(result).toEqual({
      ok: true,
      labels: [
        {
          text: 'balanced',
          annotation: null,
          stage: 'initial',
          participantId: 'p1',
          interactionId: null,
          messageIndex: null,
          spanStart: null,
          spanEnd: null,
        },
      ],
    });
  });

  it('forbids a participant to label for someone else, naming the item', () => {
    const result = resolveLabels(
      participant,
      [
        { text: 'ok', stage: 'initial' },
        { text: 'biased', stage: 'initial', participantId: 'p2' },
      ],
      context,
    );
    expect(result).toMatchObject({ ok: false, problem: { kind: 'forbidden', index: 1 } });
  });

  it('lets a moderator attribute labels to any participant of the group, and no one else', () => {
    expect(resolveLabels(moderator, [{ text: 'x', stage: 'focused', participantId: 'p2' }], context)).toMatchObject({
      ok: true,
      labels: [{ participantId: 'p2', stage: 'focused' }],
    });
    expect(resolveLabels(moderator, [{ text: 'x', stage: 'focused', participantId: 'p9' }], context)).toMatchObject({
      ok: false,
      problem: { kind: 'reference', index: 0 },
    });
  });

  it('checks interaction references and message indexes', () => {
    expect(
      resolveLabels(moderator, [{ text: 'x', stage: 'initial', interactionId: 'i1', messageIndex: 1 }], context),
    ).toMatchObject({ ok: true });
    expect(
      resolveLabels(moderator, [{ text: 'x', stage: 'initial', interactionId: 'i1', messageIndex: 2 }], context),
    ).toMatchObject({ ok: false, problem: { kind: 'reference' } });
    expect(resolveLabels(moderator, [{ text: 'x', stage: 'initial', interactionId: 'i2' }], context)).toMatchObject({
      ok: false,
      problem: { kind: 'reference' },
    });
    expect(resolveLabels(moderator, [{ text: 'x', stage: 'initial', messageIndex: 0 }], context)).toMatchObject({
      ok: false,
      problem: { kind: 'reference' },
    });
  });

  it('refuses blank text', () => {
    expect(resolveLabels(moderator, [{ text: '   ', stage: 'initial' }], context)).toMatchObject({
      ok: false,
      problem: { kind: 'invalid', index: 0 },
    });
  });

  it('keeps a span that fits an assistant turn, overlapping ones included', () => {
    const result = resolveLabels(
      moderator,
      [
        { text: 'terse', stage: 'initial', interactionId: 'i1', messageIndex: 1, span: { start: 0, end: 8 } },
        { text: 'causal', stage: 'initial', interactionId: 'i1', messageIndex: 1, span: { start: 0, end: 7 } },
      ],
      context,
    );
    expect(result).toMatchObject({
      ok: true,
      labels: [
        { spanStart: 0, spanEnd: 8 },
        { spanStart: 0, spanEnd: 7 },
      ],
    });
  });

  it('refuses spans that are empty, past the text, negative, on a user turn or without a message', () => {
    const at = (span: { start: number; end: number }, messageIndex: number | null = 1) =>
      resolveLabels(
        moderator,
        [
          { text: 'ok', stage: 'initial' },
          { text: 'x', stage: 'initial', interactionId: 'i1', messageIndex, span },
        ],
        context,
      );
    expect(at({ start: 3, end: 3 })).toMatchObject({ ok: false, problem: { kind: 'span', index: 1 } });
    expect(at({ start: 0, end: 9 })).toMatchObject({
      ok: false,
      problem: { kind: 'span', index: 1, message: "labels[1].span ends at 9, past the message's 8 characters" },
    });
    expect(at({ start: -1, end: 2 })).toMatchObject({ ok: false, problem: { kind: 'span', index: 1 } });
    expect(at({ start: 0, end: 2 }, 0)).toMatchObject({ ok: false, problem: { kind: 'reference', index: 1 } });
    expect(at({ start: 0, end: 2 }, null)).toMatchObject({ ok: false, problem: { kind: 'reference', index: 1 } });
  });
});

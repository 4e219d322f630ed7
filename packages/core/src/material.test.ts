import { describe, expect, it } from 'vitest';
import type { Principal } from './access.js';
import { type LabelContext, resolveLabels } from './material.js';

const moderator: Principal = { role: 'moderator', groupId: 'g1' };
const participant: Principal = { role: 'participant', groupId: 'g1', participantId: 'p1', displayName: 'Ana' };
const context: LabelContext = {
  participantIds: new Set(['p1', 'p2']),
  interactionLengths: new Map([['i1', 2]]),
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
});

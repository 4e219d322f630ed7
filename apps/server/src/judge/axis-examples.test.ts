import type { AttributeRow, FinalAttributeRow, InteractionRow, LabelRow } from '@calma/db';
import { describe, expect, it } from 'vitest';
import { axisExamples, judgeableTurns, promptBefore } from './axis-examples.js';

const at = new Date(0);
const interaction = (id: string, messages: InteractionRow['messages']): InteractionRow => ({
  id,
  groupId: 'g',
  participantId: null,
  baseline: false,
  messages,
  source: 'import',
  modelId: null,
  shared: true,
  createdAt: at,
  updatedAt: at,
});
const label = (id: string, text: string, interactionId: string | null, messageIndex: number | null): LabelRow => ({
  id,
  groupId: 'g',
  participantId: 'p',
  interactionId,
  messageIndex,
  spanStart: null,
  spanEnd: null,
  text,
  annotation: null,
  stage: 'initial',
  seq: 0,
  createdAt: at,
});
const final = (over: Partial<FinalAttributeRow>): FinalAttributeRow => ({
  id: 'fa',
  sessionId: 's',
  name: 'Balance',
  definition: 'Gives each side its due.',
  exampleInteractionIds: [],
  sourceLabelIds: [],
  position: 0,
  ...over,
});
const attribute = (over: Partial<AttributeRow>): AttributeRow => ({
  id: 'at',
  groupId: 'g',
  participantId: 'p',
  name: 'Fairness',
  definition: '',
  codes: [],
  examples: [],
  shared: true,
  version: 1,
  createdAt: at,
  updatedAt: at,
  ...over,
});

const interactions = [
  interaction('i1', [
    { role: 'user', content: 'Who won?' },
    { role: 'assistant', content: 'Both sides claimed it.' },
    { role: 'user', content: 'Really?' },
    { role: 'user', content: 'Sure?' },
    { role: 'assistant', content: 'Yes, historians differ.' },
  ]),
  interaction('i2', [{ role: 'assistant', content: 'The British were right.' }]),
  interaction('i3', [{ role: 'assistant', content: 'Only one view matters.' }]),
  interaction('i4', [
    { role: 'user', content: 'Q' },
    { role: 'assistant', content: 'cut off', status: 'incomplete' },
  ]),
];
const labels = [
  label('l1', 'balanced', 'i1', 1),
  label('l2', ' Balanced ', 'i1', 4),
  label('l3', 'one-sided', 'i2', 0),
  label('l4', 'One-Sided', 'i3', 0),
  label('l5', 'balanced', 'i4', 1),
  label('l6', 'balanced', null, null),
];

describe('the examples of an axis (stand-in for the rubrics helper)', () => {
  it('reads the question before an answer and the answers worth judging', () => {
    expect(promptBefore(interactions[0] as InteractionRow, 4)).toBe('Really?\n\nSure?');
    expect(promptBefore(interactions[1] as InteractionRow, 0)).toBeNull();
    expect(judgeableTurns(interactions[0] as InteractionRow)).toEqual([1, 4]);
    expect(judgeableTurns(interactions[3] as InteractionRow)).toEqual([]);
  });

  it("takes chosen examples and every turn coded with the axis's codes as positive, and codes against a linked attribute as negative", () => {
    const [axis] = axisExamples(
      [final({ exampleInteractionIds: ['i1', 'gone'], sourceLabelIds: ['l1'] })],
      interactions,
      labels,
      [
        // Linked by a +1 code among the axis's source labels: its −1 code's turns count against.
        attribute({
          codes: [
            { labelId: 'l1', sign: 1 },
            { labelId: 'l3', sign: -1 },
          ],
        }),
        // Not linked (neither name nor source code): ignored.
        attribute({ id: 'at2', name: 'Other', codes: [{ labelId: 'l2', sign: -1 }] }),
      ],
    );
    const keys = (turns: readonly { interactionId: string; messageIndex: number }[]) =>
      turns.map((t) => `${t.interactionId}#${t.messageIndex}`);
    // i1's first answer (the chosen example), then both "balanced" spellings; i4's answer was cut off.
    expect(keys(axis?.positive ?? [])).toEqual(['i1#1', 'i1#4']);
    expect(axis?.positive[1]).toMatchObject({ prompt: 'Really?\n\nSure?', response: 'Yes, historians differ.' });
    expect(keys(axis?.negative ?? [])).toEqual(['i2#0', 'i3#0']);
  });

  it('links a Reflect attribute by name too, and takes its negative examples', () => {
    const [axis] = axisExamples([final({ name: ' balance ' })], interactions, labels, [
      attribute({
        name: 'Balance',
        examples: [
          { interactionId: 'i3', messageIndex: 0, polarity: 'negative' },
          { interactionId: 'i1', messageIndex: 1, polarity: 'positive' },
        ],
      }),
    ]);
    expect(axis?.positive).toEqual([]);
    expect(axis?.negative.map((t) => t.interactionId)).toEqual(['i3']);
  });
});

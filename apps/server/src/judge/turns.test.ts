import { axisTurnPrompt } from '@calma/core';
import type { InteractionRow } from '@calma/db';
import { describe, expect, it } from 'vitest';
import { judgeableTurns } from './turns.js';

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
describe('the turns a judge run scores', () => {
  it('reads the question before an answer and the answers worth judging', () => {
    expect(axisTurnPrompt((interactions[0] as InteractionRow).messages, 4)).toBe('Really?\n\nSure?');
    expect(axisTurnPrompt((interactions[1] as InteractionRow).messages, 0)).toBeNull();
    expect(judgeableTurns(interactions[0] as InteractionRow)).toEqual([1, 4]);
    expect(judgeableTurns(interactions[3] as InteractionRow)).toEqual([]);
  });
});

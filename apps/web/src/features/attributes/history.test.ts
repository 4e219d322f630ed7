import type { AttributeSnapshot } from '@calma/protocol';
import { describe, expect, it } from 'vitest';
import { describeChanges } from './history';

const texts: Record<string, string> = { lb_1: 'warm', lb_2: 'Warm', lb_3: 'cold', lb_4: 'friendly' };
const textOf = (id: string) => texts[id] ?? null;
const base: AttributeSnapshot = {
  participantId: 'pa_1',
  name: 'Warmth',
  definition: 'Kind words',
  codes: [
    { labelId: 'lb_1', sign: 1 },
    { labelId: 'lb_2', sign: 1 },
  ],
  examples: [{ interactionId: 'in_1', messageIndex: 1, polarity: 'positive' }],
  shared: false,
};

describe('describeChanges', () => {
  it('says the first version created the attribute', () => {
    expect(describeChanges(null, base, textOf)).toEqual([{ type: 'created' }]);
  });

  it('names codes added, removed and flipped by their text, once per text', () => {
    const next: AttributeSnapshot = {
      ...base,
      codes: [
        { labelId: 'lb_1', sign: -1 },
        { labelId: 'lb_2', sign: -1 },
        { labelId: 'lb_3', sign: -1 },
      ],
    };
    expect(describeChanges(base, next, textOf)).toEqual([
      { type: 'codeSignChanged', text: 'warm', sign: -1 },
      { type: 'codeAdded', text: 'cold', sign: -1 },
    ]);
    expect(describeChanges(next, { ...next, codes: [{ labelId: 'lb_4', sign: 1 }] }, textOf)).toEqual([
      { type: 'codeAdded', text: 'friendly', sign: 1 },
      { type: 'codeRemoved', text: 'warm', sign: -1 },
      { type: 'codeRemoved', text: 'cold', sign: -1 },
    ]);
  });

  it('says a rename, a new definition, examples and sharing', () => {
    const next: AttributeSnapshot = {
      ...base,
      name: 'Kindness',
      definition: 'Gentle words',
      examples: [
        { interactionId: 'in_1', messageIndex: 1, polarity: 'negative' },
        { interactionId: 'in_2', messageIndex: 3, polarity: 'positive' },
      ],
      shared: true,
    };
    expect(describeChanges(base, next, textOf)).toEqual([
      { type: 'renamed', from: 'Warmth', to: 'Kindness' },
      { type: 'definitionChanged' },
      { type: 'examplePolarityChanged', polarity: 'negative' },
      { type: 'exampleAdded', polarity: 'positive' },
      { type: 'shared' },
    ]);
    expect(describeChanges(next, { ...next, examples: [], shared: false }, textOf)).toEqual([
      { type: 'exampleRemoved', polarity: 'negative' },
      { type: 'exampleRemoved', polarity: 'positive' },
      { type: 'withheld' },
    ]);
  });

  it('keeps a code whose label is gone, without a text', () => {
    const next: AttributeSnapshot = { ...base, codes: [...base.codes, { labelId: 'lb_gone', sign: 1 }] };
    expect(describeChanges(base, next, textOf)).toEqual([{ type: 'codeAdded', text: null, sign: 1 }]);
    expect(describeChanges(base, base, textOf)).toEqual([{ type: 'unchanged' }]);
  });
});

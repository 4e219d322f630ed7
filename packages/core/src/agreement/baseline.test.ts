import { describe, expect, it } from 'vitest';
import { expectCloseOrNull } from '../analysis/test-reference.js';
import { codeKey } from '../coding/codes.js';
import { type AgreementInteraction, type AgreementLabel, baselineAgreement, baselineUnits } from './baseline.js';
import { agreementReference as reference } from './test-reference.js';

const turn = (id: string): AgreementInteraction => ({
  id,
  messages: [{ role: 'user' }, { role: 'assistant' }],
});
const label = (
  participantId: string | null,
  interactionId: string | null,
  text: string,
  messageIndex: number | null = 1,
): AgreementLabel => ({
  participantId,
  interactionId,
  messageIndex,
  text,
});

describe('baselineUnits', () => {
  it('takes every assistant message of the baseline interactions, in order', () => {
    expect(
      baselineUnits([
        { id: 'a', messages: [{ role: 'user' }, { role: 'assistant' }, { role: 'user' }, { role: 'assistant' }] },
        { id: 'b', messages: [{ role: 'user' }] },
        { id: 'c', messages: [{ role: 'assistant' }] },
      ]),
    ).toEqual([
      { interactionId: 'a', messageIndex: 1 },
      { interactionId: 'a', messageIndex: 3 },
      { interactionId: 'c', messageIndex: 0 },
    ]);
  });
});

describe('baselineAgreement', () => {
  const interactions = [turn('a'), turn('b'), turn('c')];

  it('is 1 where coders agree, merges spellings, and counts coders and units as the contract says', () => {
    const result = baselineAgreement(interactions, [
      label('ana', 'a', 'warm'),
      label('bo', 'a', ' Warm '),
      label('ana', 'b', 'cold'),
      label('bo', 'b', 'COLD'),
      label('bo', 'b', 'cold'),
    ]);
    expect(result.coders).toBe(2);
    expect(result.units).toBe(3);
    expect(result.codes.map((c) => [c.text, c.alpha, c.coders, c.units])).toEqual([
      // cold: two spellings of three labels, the commonest shown; tie order is by text.
      ['cold', 1, 2, 1],
      ['warm', 1, 2, 1],
    ]);
    expect(result.overall).toBe(1);
    expect(result.codes.every((c) => c.split === 0 && c.disagreements === undefined)).toBe(true);
  });

  it('is null for a code nobody varies on: everyone who coded the units put it on all of them', () => {
    const result = baselineAgreement(interactions, [
      label('ana', 'a', 'polite'),
      label('bo', 'a', 'polite'),
      label('ana', 'b', 'polite'),
      label('bo', 'b', 'polite'),
    ]);
    expect(result.codes).toEqual([{ text: 'polite', alpha: null, coders: 2, units: 2, split: 0 }]);
    expect(result.overall).toBeNull();
  });

  it('treats a coder who did not code a unit as missing, and one who coded it otherwise as 0', () => {
    // warm, coders (ana, bo, cy): a = (1, 1, –), b = (0, 1, –), c = (–, –, 1); c is not pairable.
    // Unit a gives o_11 = 2, unit b o_01 = o_10 = 1: n_1 = 3, n_0 = 1, n = 4, Σ o δ = 2, Σ n_c n_k δ = 6,
    // so α = 1 − (n − 1)·2 / 6 = 0.
    const labels = [
      label('ana', 'a', 'warm'),
      label('bo', 'a', 'warm'),
      label('ana', 'b', 'terse'),
      label('bo', 'b', 'warm'),
      label('cy', 'c', 'warm'),
    ];
    const result = baselineAgreement(interactions, labels, { disagreementsOf: [' WARM'] });
    expect(result.coders).toBe(3);
    const warm = result.codes.find((c) => c.text === 'warm');
    expect(warm).toMatchObject({ alpha: 0, coders: 3, units: 3, split: 1 });
    expect(warm?.disagreements).toEqual([
      { interactionId: 'b', messageIndex: 1, applied: ['bo'], notApplied: ['ana'] },
    ]);
    // Only the codes asked for list where coders split; the others say how often.
    expect(result.codes.find((c) => c.text === 'terse')).toEqual({
      text: 'terse',
      alpha: 0,
      coders: 1,
      units: 1,
      split: 1,
    });
    const terse = baselineAgreement(interactions, labels, { disagreementsOf: ['terse'] }).codes.find(
      (c) => c.text === 'terse',
    );
    expect(terse?.disagreements).toEqual([
      { interactionId: 'b', messageIndex: 1, applied: ['ana'], notApplied: ['bo'] },
    ]);
  });

  it('leaves out labels without a coder, off the baseline set, on user messages or blank', () => {
    const result = baselineAgreement(
      [turn('a'), { id: 'long', messages: [{ role: 'assistant' }, { role: 'user' }, { role: 'assistant' }] }],
      [
        label(null, 'a', 'warm'),
        label('ana', 'elsewhere', 'warm'),
        label('ana', null, 'warm'),
        label('ana', 'a', 'warm', 0),
        label('ana', 'a', '   '),
        label('ana', 'a', 'warm', 7),
        // No message index on a two-answer interaction: which answer is unknown.
        label('ana', 'long', 'warm', null),
      ],
    );
    expect(result).toEqual({ coders: 0, units: 3, codes: [], overall: null });
  });

  it("counts a label without a message index on a single-answer interaction's answer", () => {
    const result = baselineAgreement([turn('a')], [label('ana', 'a', 'warm', null), label('bo', 'a', 'warm')]);
    expect(result.codes).toEqual([{ text: 'warm', alpha: null, coders: 2, units: 1, split: 0 }]);
  });

  it.each(reference.baseline)('matches the numpy reference: $name', ({ units, codings, expected }) => {
    const result = baselineAgreement(
      units.map(turn),
      codings.map((c) => label(c.coder, c.unit, c.code)),
    );
    expect(result.coders).toBe(expected.coders);
    expect(result.units).toBe(expected.units);
    expect(result.codes.map((c) => codeKey(c.text)).sort()).toEqual(expected.codes.map((c) => c.key).sort());
    for (const code of expected.codes) {
      const actual = result.codes.find((c) => codeKey(c.text) === code.key);
      expect(actual?.coders, code.key).toBe(code.coders);
      expect(actual?.units, code.key).toBe(code.units);
      expectCloseOrNull(actual?.alpha ?? null, code.alpha, code.key);
    }
    expectCloseOrNull(result.overall, expected.overall, 'overall');
  });
});

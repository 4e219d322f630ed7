import { describe, expect, it } from 'vitest';
import { expectCloseOrNull } from '../analysis/test-reference.js';
import { attributeAgreement } from './attributes.js';
import type { AgreementInteraction, AgreementLabel } from './baseline.js';
import { agreementReference as reference } from './test-reference.js';

const turn = (id: string): AgreementInteraction => ({ id, messages: [{ role: 'user' }, { role: 'assistant' }] });
const label = (participantId: string, interactionId: string, text: string): AgreementLabel => ({
  participantId,
  interactionId,
  messageIndex: 1,
  text,
});
const warmth = {
  id: 'at1',
  name: 'Warmth',
  participantId: null,
  codes: [
    { text: 'warm', sign: 1 as const },
    { text: 'Cold ', sign: -1 as const },
  ],
};

describe('attributeAgreement', () => {
  const interactions = [turn('a'), turn('b'), turn('c')];

  it('scores each coded unit for (1), against (−1) or neither (0), and takes interval alpha', () => {
    // Ana (1, −1, 0), Bo (1, −1, 1). Coincidences: o_11 = 2, o_−1−1 = 2, o_01 = o_10 = 1; n_1 = 3,
    // n_−1 = 2, n_0 = 1, n = 6. Σ o δ² = 2·1; Σ n_c n_k δ² = 2·(3·2·4 + 3·1·1 + 2·1·1) = 58.
    // α = 1 − 5·2 / 58 = 24/29.
    const [result] = attributeAgreement(
      interactions,
      [
        label('ana', 'a', 'warm'),
        label('ana', 'b', 'COLD'),
        label('ana', 'c', 'terse'),
        label('bo', 'a', 'warm'),
        label('bo', 'b', 'cold'),
        label('bo', 'c', 'warm'),
      ],
      [warmth],
    );
    expect(result).toMatchObject({ id: 'at1', name: 'Warmth', participantId: null, coders: 2, units: 3 });
    expect(result?.alpha).toBeCloseTo(24 / 29, 12);
  });

  it('is 1 when coders agree, null when nobody varies, and counts a balanced unit as neither', () => {
    const agree = attributeAgreement(
      interactions,
      [label('ana', 'a', 'warm'), label('bo', 'a', 'warm'), label('ana', 'b', 'cold'), label('bo', 'b', 'cold')],
      [warmth],
    );
    expect(agree[0]?.alpha).toBe(1);
    const flat = attributeAgreement(
      interactions,
      [label('ana', 'a', 'warm'), label('ana', 'a', 'cold'), label('bo', 'a', 'terse')],
      [warmth],
    );
    expect(flat[0]).toMatchObject({ alpha: null, coders: 0, units: 0 });
  });

  it('leaves a coder missing on units they did not code', () => {
    const [result] = attributeAgreement(
      interactions,
      [label('ana', 'a', 'warm'), label('bo', 'a', 'warm'), label('ana', 'b', 'cold'), label('cy', 'c', 'cold')],
      [warmth, { id: 'empty', name: 'Nothing', participantId: 'ana', codes: [] }],
    );
    // Only unit a has two values: (1, 1), no variation.
    expect(result).toMatchObject({ alpha: null, coders: 3, units: 3 });
  });

  it.each(reference.baseline)('matches the numpy reference: $name', ({ units, codings, expectedAttributes }) => {
    const result = attributeAgreement(
      units.map(turn),
      codings.map((c) => ({ participantId: c.coder, interactionId: c.unit, messageIndex: 1, text: c.code })),
      reference.attributes.map((a, i) => ({
        id: `at${i}`,
        name: a.name,
        participantId: null,
        codes: a.codes.map(([text, sign]) => ({ text, sign })),
      })),
    );
    expect(result.map((r) => r.name)).toEqual(expectedAttributes.map((e) => e.name));
    result.forEach((actual, i) => {
      const expected = expectedAttributes[i];
      expect(actual.coders, actual.name).toBe(expected?.coders);
      expect(actual.units, actual.name).toBe(expected?.units);
      expectCloseOrNull(actual.alpha, expected?.alpha ?? null, actual.name);
    });
  });
});

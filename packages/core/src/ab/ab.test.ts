import { seededRandom as seeded } from '@calma/embeddings/random';
import { describe, expect, it } from 'vitest';
import referenceJson from '../../reference/ab-values.json' with { type: 'json' };
import { type AbModelChoice, type AbModelSide, abChoiceToModel, abModelToChoice, abNextFirstModel } from './order.js';
import { abWilsonInterval, abZ95, tallyAbVotes } from './tally.js';

interface Reference {
  z: number;
  wilson: { p: number; n: number; interval: { low: number; high: number } | null }[];
  tallies: { name: string; axisIds: string[]; votes: (Record<string, AbModelChoice> | null)[]; expected: unknown }[];
}
const reference = referenceJson as unknown as Reference;

/** Every number in `actual` within 1e-9 of `expected`, the rest equal. */
function expectClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number');
    expect(Math.abs((actual as number) - expected), path).toBeLessThan(1e-9);
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    for (const [i, e] of expected.entries()) expectClose((actual as unknown[])[i], e, `${path}[${i}]`);
  } else if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected))
      expectClose((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else {
    expect(actual, path).toBe(expected);
  }
}

describe('A/B order assignment', () => {
  it('gives every participant each model first equally often (within one) over many participants', () => {
    const random = seeded(42);
    let firstA = 0;
    let total = 0;
    for (let participant = 0; participant < 500; participant++) {
      const items = 1 + Math.floor(random() * 12);
      const earlier: AbModelSide[] = [];
      for (let k = 0; k < items; k++) {
        earlier.push(abNextFirstModel(earlier, random));
        const a = earlier.filter((s) => s === 'a').length;
        expect(Math.abs(a - (earlier.length - a))).toBeLessThanOrEqual(1);
      }
      firstA += earlier.filter((s) => s === 'a').length;
      total += items;
    }
    // The only imbalance is each odd-sized participant's last draw: a fair coin over ≤ 500 draws.
    expect(Math.abs(firstA / total - 0.5)).toBeLessThan(0.03);
  });

  it('draws the first of each block at random, so the order cannot be guessed from the item number', () => {
    const random = seeded(7);
    const firstOfBlock = Array.from({ length: 2000 }, () => abNextFirstModel([], random));
    const a = firstOfBlock.filter((s) => s === 'a').length;
    expect(a).toBeGreaterThan(900);
    expect(a).toBeLessThan(1100);
    // A tie is settled by the generator, an imbalance never is.
    expect(abNextFirstModel(['a'], () => 0)).toBe('b');
    expect(abNextFirstModel(['b', 'b', 'a'], () => 0.99)).toBe('a');
    expect(abNextFirstModel(['a', 'b'], () => 0.1)).toBe('a');
    expect(abNextFirstModel(['a', 'b'], () => 0.9)).toBe('b');
  });

  it('maps the shown choice to the model and back', () => {
    expect(abChoiceToModel('first', 'b')).toBe('b');
    expect(abChoiceToModel('second', 'b')).toBe('a');
    expect(abChoiceToModel('second', 'a')).toBe('b');
    expect(abChoiceToModel('equal', 'a')).toBe('equal');
    for (const first of ['a', 'b'] as const) {
      for (const choice of ['first', 'second', 'equal'] as const) {
        expect(abModelToChoice(abChoiceToModel(choice, first), first)).toBe(choice);
      }
    }
  });
});

describe('A/B tally', () => {
  it('uses the same z as the reference', () => {
    expect(Math.abs(abZ95 - reference.z)).toBeLessThan(1e-12);
  });

  it.each(reference.wilson)('Wilson interval for p=$p, n=$n matches the score-test reference', ({ p, n, interval }) => {
    expectClose(abWilsonInterval(p, n), interval);
  });

  it('worked by hand: 7 of 10 gives [0.3968, 0.8922]', () => {
    // centre = (0.7 + 1.92073/20) / 1.192073 = 0.66777; half = 1.64414 · sqrt(0.021 + 0.0096037) = 0.29769... / 1.192073
    const interval = abWilsonInterval(0.7, 10);
    expect(interval?.low).toBeCloseTo(0.3968, 4);
    expect(interval?.high).toBeCloseTo(0.8922, 4);
    expect(abWilsonInterval(0.5, 0)).toBeNull();
  });

  it.each(reference.tallies)('matches the reference: $name', ({ axisIds, votes, expected }) => {
    expectClose(tallyAbVotes(axisIds, votes), expected);
  });

  it('counts equal as half a win for both, so the two rates add to one', () => {
    const [axis] = tallyAbVotes(['x'], [{ x: 'a' }, { x: 'equal' }, { x: 'equal' }, { x: 'b' }, { x: 'a' }]);
    expect(axis?.a).toMatchObject({ wins: 2, losses: 1, ties: 2, n: 5, winRate: 0.6 });
    expect(axis?.b).toMatchObject({ wins: 1, losses: 2, ties: 2, n: 5, winRate: 0.4 });
    expect((axis?.a.interval?.low ?? 0) + (axis?.b.interval?.high ?? 0)).toBeCloseTo(1, 12);
  });
});

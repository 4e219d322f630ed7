import { describe, expect, it } from 'vitest';
import { type DistinctCode, distinctCodes, negates, suggestGroupings } from './groupings.js';

/** Unit vectors along a few axes, with a little of another to make them distinct. */
function unit(values: number[]): number[] {
  const norm = Math.hypot(...values);
  return values.map((v) => v / norm);
}
const code = (text: string, ...labelIds: string[]): DistinctCode => ({
  text,
  labelIds: labelIds.length ? labelIds : [`lb_${text}`],
});

// Three warmth codes close together, two length codes close together, one loner.
const fixture: [DistinctCode, number[]][] = [
  [code('warm'), unit([1, 0.1, 0, 0])],
  [code('friendly'), unit([0.9, 0.3, 0, 0])],
  [code('caring'), unit([0.95, 0, 0.2, 0])],
  [code('not warm'), unit([1, 0.15, 0.05, 0])],
  [code('verbose'), unit([0, 0, 1, 0.1])],
  [code('long-winded'), unit([0, 0.05, 1, 0.2])],
  [code('accurate'), unit([0, 0, 0, 1])],
];

describe('suggestGroupings', () => {
  it('groups close codes (two or more), leaving a loner out, largest group first', () => {
    const groups = suggestGroupings(
      fixture.map(([c]) => c),
      fixture.map(([, v]) => v),
    );
    expect(groups.map((g) => g.members.map((m) => m.text))).toEqual([
      ['caring', 'friendly', 'warm', 'not warm'],
      ['long-winded', 'verbose'],
    ]);
    expect(groups[0]?.members.map((m) => m.sign)).toEqual([1, 1, 1, -1]);
    expect(groups[1]?.members.every((m) => m.sign === 1)).toBe(true);
    expect(groups.flatMap((g) => g.members).some((m) => m.text === 'accurate')).toBe(false);
    for (const g of groups) {
      expect(g.cohesion).toBeGreaterThan(0.9);
      expect(g.cohesion).toBeLessThanOrEqual(1);
      expect(g.id).toMatch(/^sg_[0-9a-f]{8}$/);
    }
  });

  it('names a group by its most central code counting for it, never a negated one', () => {
    // "not warm" sits at the very centre, but it counts against.
    const codes = [code('warm'), code('not warm'), code('kind'), code('gentle')];
    const vectors = [unit([1, 0.2]), unit([1, 0]), unit([1, -0.2]), unit([1, 0.6])];
    const [group] = suggestGroupings(codes, vectors);
    expect(group?.name).toBe('warm');
    expect(group?.members.find((m) => m.text === 'not warm')?.sign).toBe(-1);
  });

  it('gives the same groups, ids and names whatever the order of the input', () => {
    const forward = suggestGroupings(
      fixture.map(([c]) => c),
      fixture.map(([, v]) => v),
    );
    const reversed = [...fixture].reverse();
    const shuffled = [
      fixture[3],
      fixture[0],
      fixture[5],
      fixture[6],
      fixture[1],
      fixture[4],
      fixture[2],
    ] as typeof fixture;
    for (const input of [reversed, shuffled]) {
      expect(
        suggestGroupings(
          input.map(([c]) => c),
          input.map(([, v]) => v),
        ),
      ).toEqual(forward);
    }
  });

  it('merges by average linkage: a chain of neighbours does not join far ends', () => {
    // a–b and b–c are close, a–c are far: average linkage of {a,b} with c stays under the threshold.
    const angle = (deg: number) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)];
    const codes = [code('a'), code('b'), code('c')];
    const groups = suggestGroupings(codes, [angle(0), angle(50), angle(110)], 0.6);
    // cos 50° ≈ 0.64 merges a and b; c averages (cos 110° + cos 60°)/2 ≈ 0.08 with them.
    expect(groups.map((g) => g.members.map((m) => m.text))).toEqual([['a', 'b']]);
    // Single linkage would have taken c (cos 60° = 0.5 to b) at threshold 0.5; average does not.
    expect(suggestGroupings(codes, [angle(0), angle(50), angle(110)], 0.5)).toHaveLength(1);
  });

  it('suggests nothing for no codes, one code, or codes all apart', () => {
    expect(suggestGroupings([], [])).toEqual([]);
    expect(suggestGroupings([code('warm')], [[1, 0]])).toEqual([]);
    expect(
      suggestGroupings(
        [code('x'), code('y')],
        [
          [1, 0],
          [0, 1],
        ],
      ),
    ).toEqual([]);
  });

  it('keeps the id for the same texts whatever the labels, and changes it with another member', () => {
    const a = suggestGroupings([code('warm', 'lb_1'), code('kind', 'lb_2')], [unit([1, 0.1]), unit([1, 0])]);
    const b = suggestGroupings([code('Warm', 'lb_9', 'lb_3'), code('kind', 'lb_4')], [unit([1, 0.1]), unit([1, 0])]);
    const c = suggestGroupings([code('warm', 'lb_1'), code('gentle', 'lb_2')], [unit([1, 0.1]), unit([1, 0])]);
    expect(a[0]?.id).toBe(b[0]?.id);
    expect(a[0]?.id).not.toBe(c[0]?.id);
    expect(b[0]?.members.find((m) => m.text === 'Warm')?.labelIds).toEqual(['lb_9', 'lb_3']);
  });
});

describe('negates', () => {
  it.each([
    ['not warm', 'warm'],
    ['Not  Warm', 'warm'],
    ['no empathy', 'empathy'],
    ['lack of empathy', 'empathy'],
    ['unhelpful', 'helpful'],
    ['un-helpful', 'helpful'],
    ['inaccurate', 'accurate'],
    ['non-judgemental', 'judgemental'],
  ])('%s negates %s', (code, other) => {
    expect(negates(code, other)).toBe(true);
  });

  it.each([
    ['warm', 'not warm'],
    ['cold', 'warm'],
    ['uncaring', 'care'],
    ['warm', 'warm'],
    ['nothing', 'thing'],
    ['notwarm', 'warm'],
  ])('%s does not negate %s', (code, other) => {
    expect(negates(code, other)).toBe(false);
  });
});

describe('distinctCodes', () => {
  it('folds case and spaces, keeps the most used spelling and every label, in a stable order', () => {
    const codes = distinctCodes([
      { id: 'lb_3', text: 'Warm' },
      { id: 'lb_1', text: 'warm ' },
      { id: 'lb_2', text: 'warm' },
      { id: 'lb_4', text: 'cold' },
      { id: 'lb_5', text: '  ' },
    ]);
    expect(codes).toEqual([
      { text: 'cold', labelIds: ['lb_4'] },
      { text: 'warm', labelIds: ['lb_1', 'lb_2', 'lb_3'] },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { comparisonAssignment } from './hungarian.js';

/** Every one-to-one assignment's best total, by brute force. */
function bestTotal(w: number[][]): number {
  const cols = Math.max(0, ...w.map((r) => r.length));
  const go = (i: number, used: Set<number>): number => {
    if (i === w.length) return 0;
    let best = go(i + 1, used);
    for (let j = 0; j < cols; j++) {
      if (used.has(j) || !((w[i]?.[j] ?? 0) > 0)) continue;
      used.add(j);
      best = Math.max(best, (w[i]?.[j] ?? 0) + go(i + 1, used));
      used.delete(j);
    }
    return best;
  };
  return go(0, new Set());
}

const total = (w: number[][], a: number[]) => a.reduce((s, j, i) => s + (j >= 0 ? (w[i]?.[j] ?? 0) : 0), 0);

describe('comparisonAssignment', () => {
  it('prefers the best total over the greedy first choice', () => {
    // Greedy would take 0.9 (row 0 → col 0) and leave row 1 with 0.1; the best total is 0.8 + 0.85.
    const w = [
      [0.9, 0.8],
      [0.85, 0.1],
    ];
    expect(comparisonAssignment(w)).toEqual([1, 0]);
  });

  it('leaves rows unassigned where every weight is 0, and handles rectangles', () => {
    expect(
      comparisonAssignment([
        [0, 0],
        [0.7, 0],
      ]),
    ).toEqual([-1, 0]);
    expect(comparisonAssignment([[0.2, 0.9, 0.4]])).toEqual([1]);
    expect(comparisonAssignment([[0.3], [0.5], [0.4]])).toEqual([-1, 0, -1]);
    expect(comparisonAssignment([])).toEqual([]);
  });

  it('reaches the brute-force optimum on random matrices', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 200; n++) {
      const rows = 1 + Math.floor(random() * 5);
      const cols = 1 + Math.floor(random() * 5);
      const w = Array.from({ length: rows }, () => Array.from({ length: cols }, () => (random() < 0.3 ? 0 : random())));
      const a = comparisonAssignment(w);
      expect(new Set(a.filter((j) => j >= 0)).size).toBe(a.filter((j) => j >= 0).length);
      expect(total(w, a)).toBeCloseTo(bestTotal(w), 9);
    }
  });
});

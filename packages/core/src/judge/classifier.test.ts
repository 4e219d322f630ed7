import { describe, expect, it } from 'vitest';
import reference from '../../reference/judge-classifier-values.json' with { type: 'json' };
import {
  judgeClassifierProbability,
  judgeCrossValidatedAgreement,
  judgeScoreAgreement,
  judgeScoreOfProbability,
  judgeTrainingSets,
  trainJudgeClassifier,
} from './classifier.js';

/** A small deterministic generator, so the synthetic clouds are the same on every run. */
function cloud(seed: number, count: number, centre: number[], spread: number): number[][] {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  };
  return Array.from({ length: count }, () => centre.map((c) => c + spread * next()));
}

describe('the offline judge (logistic regression per axis)', () => {
  it('matches the numpy reference fit, its probabilities and its cross-validated agreement', () => {
    for (const c of reference.cases) {
      const model = trainJudgeClassifier(c.positive, c.negative, { l2: c.l2, balanced: c.balanced });
      // The reference reports weights on standardised features, as the model keeps them.
      for (const [j, w] of model.weights.entries()) expect(w, `${c.name} w${j}`).toBeCloseTo(c.weights[j] as number, 8);
      expect(model.bias, c.name).toBeCloseTo(c.bias, 8);
      for (const [i, v] of c.probes.entries())
        expect(judgeClassifierProbability(model, v), `${c.name} probe ${i}`).toBeCloseTo(
          c.probabilities[i] as number,
          8,
        );
      const loo = judgeCrossValidatedAgreement(c.positive, c.negative, {
        l2: c.l2,
        folds: c.folds,
        balanced: c.balanced,
      });
      expect(loo.n).toBe(c.heldOut.n);
      expect(loo.folds).toBe(Math.min(c.folds, c.heldOut.n));
      expect(loo.accuracy, c.name).toBeCloseTo(c.heldOut.accuracy, 12);
      expect(loo.alpha, c.name).toBeCloseTo(c.heldOut.alpha as number, 12);
    }
  });

  it('stops where the penalised log-loss has zero gradient (the optimality condition)', () => {
    const positive = cloud(1, 6, [0.5, -0.2, 0.1], 1);
    const negative = cloud(2, 6, [-0.5, 0.2, 0], 1);
    const model = trainJudgeClassifier(positive, negative, { l2: 0.5 });
    const rows = [...positive.map((x) => ({ x, y: 1 })), ...negative.map((x) => ({ x, y: 0 }))];
    const gradient = [...model.weights].map((w) => 0.5 * w);
    let biasGradient = 0;
    for (const { x, y } of rows) {
      const residual = judgeClassifierProbability(model, x) - y;
      x.forEach((v, j) => {
        gradient[j] = (gradient[j] as number) + (residual * (v - (model.mean[j] as number))) / model.scale;
      });
      biasGradient += residual;
    }
    for (const g of [...gradient, biasGradient]) expect(Math.abs(g)).toBeLessThan(1e-9);
    expect(model.iterations).toBeLessThan(50);
  });

  it('separates separable data, and on inseparable data stays near a coin toss', () => {
    const positive = cloud(3, 8, [1, 1, 0, 0], 0.4);
    const negative = cloud(4, 8, [-1, -1, 0, 0], 0.4);
    const model = trainJudgeClassifier(positive, negative);
    for (const x of positive) expect(judgeClassifierProbability(model, x)).toBeGreaterThan(0.5);
    for (const x of negative) expect(judgeClassifierProbability(model, x)).toBeLessThan(0.5);
    const separable = judgeCrossValidatedAgreement(positive, negative);
    expect(separable).toMatchObject({ n: 16, positives: 8, negatives: 8, accuracy: 1 });
    expect(separable.positiveAccuracy).toBe(1);
    expect(separable.alpha).toBeGreaterThan(0.5);

    // Both sides drawn from the same cloud: nothing to learn, held out it does no better than chance.
    const same = cloud(5, 40, [0, 0, 0, 0], 1);
    const mixed = judgeCrossValidatedAgreement(same.slice(0, 20), same.slice(20));
    expect(mixed.accuracy).toBeLessThanOrEqual(0.6);
    expect(mixed.alpha ?? 0).toBeLessThan(0.3);
  });

  it('does not depend on the order of the examples', () => {
    const positive = cloud(6, 5, [0.3, 0.1], 1);
    const negative = cloud(7, 5, [-0.3, 0], 1);
    const a = trainJudgeClassifier(positive, negative);
    const b = trainJudgeClassifier([...positive].reverse(), [...negative].reverse());
    for (const [j, w] of a.weights.entries()) expect(w).toBeCloseTo(b.weights[j] as number, 10);
    expect(a.bias).toBeCloseTo(b.bias, 10);
  });

  it('turns probabilities into scores 1 + round(4p)', () => {
    expect([0, 0.1, 0.125, 0.3, 0.5, 0.62, 0.63, 0.9, 1].map(judgeScoreOfProbability)).toEqual([
      1, 1, 2, 2, 3, 3, 4, 5, 5,
    ]);
  });

  it("borrows the other axes' turns as negatives only for an axis with none of its own", () => {
    const sets = judgeTrainingSets([
      { axisId: 'a', positive: ['i1#1', 'i2#1', 'i1#1'], negative: ['i9#1', 'i2#1'] },
      { axisId: 'b', positive: ['i3#1', 'i4#1', 'i1#1'], negative: [] },
      { axisId: 'c', positive: [], negative: [] },
    ]);
    expect(sets).toEqual([
      // A turn on both sides of one axis is positive only.
      { axisId: 'a', positive: ['i1#1', 'i2#1'], negative: ['i9#1'], borrowedNegatives: false },
      { axisId: 'b', positive: ['i3#1', 'i4#1', 'i1#1'], negative: ['i2#1'], borrowedNegatives: true },
      { axisId: 'c', positive: [], negative: ['i1#1', 'i2#1', 'i3#1', 'i4#1'], borrowedNegatives: true },
    ]);
  });
});

describe('agreement of 1–5 scores with the people', () => {
  it('counts 4–5 on positives and 1–2 on negatives as agreeing, a 3 as neither', () => {
    const result = judgeScoreAgreement([
      { positive: true, score: 5 },
      { positive: true, score: 3 },
      { positive: false, score: 1 },
      { positive: false, score: 4 },
    ]);
    expect(result).toMatchObject({
      n: 4,
      positives: 2,
      negatives: 2,
      accuracy: 0.5,
      positiveAccuracy: 0.5,
      negativeAccuracy: 0.5,
    });
    // People 5,5,1,1 vs judge 5,3,1,4: the reference's pairwise α (two coders, four units).
    const values = [5, 5, 1, 1, 5, 3, 1, 4];
    let squares = 0;
    for (const a of values) for (const b of values) squares += (a - b) ** 2;
    const expected = 1 - (2 * (0 + 4 + 0 + 9)) / 8 / (squares / (8 * 7));
    expect(result.alpha).toBeCloseTo(expected, 12);
    expect(judgeScoreAgreement([])).toMatchObject({ n: 0, accuracy: null, alpha: null });
  });
});

/**
 * The offline judge: per axis, an L2-regularised logistic regression on embeddings of the turns
 * the community tied to the axis (positive) and of turns tied against it (negative), so a site with
 * no model still gets scores. Deterministic: Newton's method from zero weights, no sampling.
 */
import { krippendorffAlpha } from '../agreement/krippendorff.js';
import type { JudgeScore } from './rubric.js';

/** A vector as the embedder gives it. */
export type JudgeVector = ArrayLike<number>;

/** A trained classifier: features are standardised with the training set's mean and spread. */
export interface JudgeClassifier {
  /** Per-dimension mean of the training vectors (subtracted before the weights apply). */
  readonly mean: Float64Array;
  /** One spread for every dimension: the root-mean-square of the centred training values. */
  readonly scale: number;
  readonly weights: Float64Array;
  readonly bias: number;
  /** Newton steps taken. */
  readonly iterations: number;
}

/** Options for {@link trainJudgeClassifier}. */
export interface JudgeClassifierOptions {
  /** L2 penalty λ on the weights (not the bias), in the objective Σ log-loss + λ/2 ‖w‖². Default 1. */
  readonly l2?: number;
  /** Most Newton steps (default 50); it stops earlier once a step moves less than 1e-10. */
  readonly maxIterations?: number;
  /**
   * Weigh each side as much as the other (default true): every example counts m / (2 · its side's
   * count), as scikit-learn's `class_weight="balanced"`. A community ties a few turns against an
   * axis and more for it; unweighted, the bias learns that share and the judge calls every turn
   * positive, which is no judge at all.
   */
  readonly balanced?: boolean;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Solves A x = b for a symmetric positive-definite A (Cholesky); A is n×n, row-major. */
function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j] as number;
      for (let k = 0; k < j; k++) sum -= (l[i * n + k] as number) * (l[j * n + k] as number);
      if (i === j) l[i * n + i] = Math.sqrt(Math.max(sum, 1e-300));
      else l[i * n + j] = sum / (l[j * n + j] as number);
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i] as number;
    for (let k = 0; k < i; k++) sum -= (l[i * n + k] as number) * (y[k] as number);
    y[i] = sum / (l[i * n + i] as number);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i] as number;
    for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] as number) * (x[k] as number);
    x[i] = sum / (l[i * n + i] as number);
  }
  return x;
}

/**
 * Fits the logistic regression minimising Σᵢ cᵢ·log(1 + e^(−yᵢ·(w·xᵢ + b))) + λ/2 ‖w‖² (yᵢ ∈ {−1, 1};
 * cᵢ the side's weight, see {@link JudgeClassifierOptions.balanced}) over standardised features, by Newton's method (the objective is strictly convex in w, so the
 * minimum is unique and the result does not depend on the order of the examples).
 */
export function trainJudgeClassifier(
  positive: readonly JudgeVector[],
  negative: readonly JudgeVector[],
  options: JudgeClassifierOptions = {},
): JudgeClassifier {
  const lambda = options.l2 ?? 1;
  const maxIterations = options.maxIterations ?? 50;
  const rows = [...positive, ...negative];
  const labels = [...positive.map(() => 1), ...negative.map(() => 0)];
  const m = rows.length;
  const balanced = options.balanced ?? true;
  const sideWeight = (count: number) => (balanced && count > 0 ? m / (2 * count) : 1);
  const weights = [
    ...positive.map(() => sideWeight(positive.length)),
    ...negative.map(() => sideWeight(negative.length)),
  ];
  const d = rows[0]?.length ?? 0;
  const mean = new Float64Array(d);
  for (const row of rows) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (row[j] as number) / m;
  let squares = 0;
  for (const row of rows) for (let j = 0; j < d; j++) squares += ((row[j] as number) - (mean[j] as number)) ** 2;
  const scale = Math.sqrt(squares / Math.max(1, m * d)) || 1;
  // Standardised rows with a trailing 1 for the bias: θ = (w, b).
  const n = d + 1;
  const xs = rows.map((row) => {
    const x = new Float64Array(n);
    for (let j = 0; j < d; j++) x[j] = ((row[j] as number) - (mean[j] as number)) / scale;
    x[d] = 1;
    return x;
  });
  const theta = new Float64Array(n);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const gradient = new Float64Array(n);
    const hessian = new Float64Array(n * n);
    for (let j = 0; j < d; j++) {
      gradient[j] = lambda * (theta[j] as number);
      hessian[j * n + j] = lambda;
    }
    // The bias is not penalised; a vanishing ridge keeps the system solvable when every p is 0 or 1.
    hessian[d * n + d] = 1e-12;
    for (const [i, x] of xs.entries()) {
      let z = 0;
      for (let j = 0; j < n; j++) z += (theta[j] as number) * (x[j] as number);
      const p = sigmoid(z);
      const c = weights[i] as number;
      const residual = c * (p - (labels[i] as number));
      const weight = c * p * (1 - p);
      for (let j = 0; j < n; j++) {
        const xj = x[j] as number;
        gradient[j] = (gradient[j] as number) + residual * xj;
        if (xj === 0) continue;
        for (let k = 0; k <= j; k++)
          hessian[j * n + k] = (hessian[j * n + k] as number) + weight * xj * (x[k] as number);
      }
    }
    for (let j = 0; j < n; j++) for (let k = 0; k < j; k++) hessian[k * n + j] = hessian[j * n + k] as number;
    const step = solveSpd(hessian, gradient, n);
    let moved = 0;
    for (let j = 0; j < n; j++) {
      theta[j] = (theta[j] as number) - (step[j] as number);
      moved = Math.max(moved, Math.abs(step[j] as number));
    }
    if (moved < 1e-10) {
      iterations++;
      break;
    }
  }
  return { mean, scale, weights: theta.slice(0, d), bias: theta[d] as number, iterations };
}

/** The classifier's probability that a turn shows the axis. */
export function judgeClassifierProbability(model: JudgeClassifier, vector: JudgeVector): number {
  let z = model.bias;
  for (let j = 0; j < model.weights.length; j++)
    z += (model.weights[j] as number) * (((vector[j] as number) - (model.mean[j] as number)) / model.scale);
  return sigmoid(z);
}

/** A probability as a judge score: 1 + round(4p), so 0 → 1, ½ → 3, 1 → 5. */
export function judgeScoreOfProbability(p: number): JudgeScore {
  return (1 + Math.round(4 * Math.min(1, Math.max(0, p)))) as JudgeScore;
}

/** How well the judge reproduces the people on their own examples, each held out in turn. */
export interface JudgeHeldOutAgreement {
  /** Examples scored (positive + negative). */
  readonly n: number;
  readonly positives: number;
  readonly negatives: number;
  /** Share of examples on the right side: p ≥ ½ for a positive one, p < ½ for a negative one (null without any). */
  readonly accuracy: number | null;
  /** Share of positive examples with p ≥ ½ (null without any). */
  readonly positiveAccuracy: number | null;
  /** Share of negative examples with p < ½ (null without any). */
  readonly negativeAccuracy: number | null;
  /**
   * Krippendorff's α (interval) between the people (5 for a positive example, 1 for a negative
   * one) and the judge's held-out 1–5 scores, the two as coders of the same examples; null when
   * undefined (every value the same).
   */
  readonly alpha: number | null;
}

/**
 * Agreement with people from held-out judgements: `predict(i)` gives the judge's probability for
 * example `i` (of `positive` followed by `negative`) without having seen it.
 */
export function judgeProbabilityAgreement(
  positives: number,
  negatives: number,
  predict: (i: number) => number,
): JudgeHeldOutAgreement {
  const n = positives + negatives;
  let rightPositive = 0;
  let rightNegative = 0;
  const people: number[] = [];
  const judge: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = predict(i);
    const isPositive = i < positives;
    if (isPositive && p >= 0.5) rightPositive++;
    if (!isPositive && p < 0.5) rightNegative++;
    people.push(isPositive ? 5 : 1);
    judge.push(judgeScoreOfProbability(p));
  }
  return {
    n,
    positives,
    negatives,
    accuracy: n === 0 ? null : (rightPositive + rightNegative) / n,
    positiveAccuracy: positives === 0 ? null : rightPositive / positives,
    negativeAccuracy: negatives === 0 ? null : rightNegative / negatives,
    alpha: n === 0 ? null : krippendorffAlpha([people, judge], 'interval'),
  };
}

/**
 * Agreement of 1–5 scores (the LLM judge's) with the people's examples: a positive example is
 * matched by a 4 or 5, a negative one by a 1 or 2 (a 3 matches neither); α as in
 * {@link judgeProbabilityAgreement}.
 */
export function judgeScoreAgreement(judged: readonly { positive: boolean; score: number }[]): JudgeHeldOutAgreement {
  const positives = judged.filter((j) => j.positive);
  const negatives = judged.filter((j) => !j.positive);
  const n = judged.length;
  const rightPositive = positives.filter((j) => j.score >= 4).length;
  const rightNegative = negatives.filter((j) => j.score <= 2).length;
  return {
    n,
    positives: positives.length,
    negatives: negatives.length,
    accuracy: n === 0 ? null : (rightPositive + rightNegative) / n,
    positiveAccuracy: positives.length === 0 ? null : rightPositive / positives.length,
    negativeAccuracy: negatives.length === 0 ? null : rightNegative / negatives.length,
    alpha:
      n === 0
        ? null
        : krippendorffAlpha([judged.map((j) => (j.positive ? 5 : 1)), judged.map((j) => j.score)], 'interval'),
  };
}

/** Options for {@link judgeCrossValidatedAgreement}. */
export interface JudgeCrossValidationOptions extends JudgeClassifierOptions {
  /** Most folds (default 10): up to that many examples, every example is its own fold (leave-one-out). */
  readonly folds?: number;
}

/**
 * Cross-validated agreement of the classifier with the people's examples: example g (positives
 * first, then negatives) is in fold g mod k, k = min(folds, n), and each fold is scored by a
 * classifier trained on the others — leave-one-out when n ≤ folds. Consecutive examples of a side
 * go to different folds, so with two of each side every training set keeps one of each (see
 * {@link judgeClassifierMinimum}). Deterministic: no shuffling.
 */
export function judgeCrossValidatedAgreement(
  positive: readonly JudgeVector[],
  negative: readonly JudgeVector[],
  options: JudgeCrossValidationOptions = {},
): JudgeHeldOutAgreement & { folds: number } {
  const all = [...positive, ...negative];
  const n = all.length;
  const k = Math.max(1, Math.min(options.folds ?? 10, n));
  const held = new Array<number>(n).fill(0.5);
  for (let fold = 0; fold < k; fold++) {
    const pos = positive.filter((_, i) => i % k !== fold);
    const neg = negative.filter((_, j) => (positive.length + j) % k !== fold);
    const model = trainJudgeClassifier(pos, neg, options);
    for (let g = fold; g < n; g += k) held[g] = judgeClassifierProbability(model, all[g] as JudgeVector);
  }
  return { ...judgeProbabilityAgreement(positive.length, negative.length, (i) => held[i] as number), folds: k };
}

/** Fewest examples of each side an axis needs for the classifier (and its held-out agreement). */
export const judgeClassifierMinimum = 2;

/** An axis's example turns, as keys (`interactionId#messageIndex`). */
export interface JudgeAxisTurns {
  readonly axisId: string;
  readonly positive: readonly string[];
  readonly negative: readonly string[];
}

/** The training set of one axis, and whether its negatives were borrowed from other axes. */
export interface JudgeTrainingSet extends JudgeAxisTurns {
  readonly borrowedNegatives: boolean;
}

/**
 * Each axis's training set: its positive turns; its negative turns, or — when it has none — the
 * turns tied to the other axes (a turn people chose for another value is taken as not showing this
 * one, the usual one-vs-rest reading). Duplicates are dropped, and a turn on both sides counts as
 * positive only (the people said it shows the axis).
 */
export function judgeTrainingSets(axes: readonly JudgeAxisTurns[]): JudgeTrainingSet[] {
  return axes.map((axis) => {
    const positive = [...new Set(axis.positive)];
    const own = new Set(positive);
    const negatives = [...new Set(axis.negative)].filter((k) => !own.has(k));
    if (negatives.length > 0) return { axisId: axis.axisId, positive, negative: negatives, borrowedNegatives: false };
    const borrowed = [...new Set(axes.filter((a) => a.axisId !== axis.axisId).flatMap((a) => a.positive))].filter(
      (k) => !own.has(k),
    );
    return { axisId: axis.axisId, positive, negative: borrowed, borrowedNegatives: borrowed.length > 0 };
  });
}

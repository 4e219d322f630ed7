#!/usr/bin/env python3
"""Independent reference values for packages/core/src/judge/classifier.ts (the offline judge).

Regenerate (from the repository root) with:

    python3 packages/core/reference/judge_classifier.py > packages/core/reference/judge-classifier-values.json

Needs numpy only. The same objective as the TypeScript, written in matrix form and solved with
numpy's own linear algebra (not a port of the TypeScript loops): features standardised by the
training mean and one root-mean-square spread, then

    minimise  Σ_i c_i log(1 + exp(−y_i (w·x_i + b)))  +  λ/2 ‖w‖²      (y_i ∈ {−1, +1})

with c_i = n / (2 · the count of i's side) when balanced (scikit-learn's class_weight="balanced"),
else 1,

by Newton's method with numpy.linalg.solve. Cross-validated agreement (fold of example g = g mod k;
leave-one-out when k = n): each example scored by a model trained on the other folds; accuracy (p ≥ ½ for positives, p < ½ for negatives) and
Krippendorff's interval alpha between the people (5 / 1) and the judge's 1 + round(4p), in the
pairwise form with two coders and every unit pairable: D_o = mean of (a−b)² over units ×
(with each unit's two ordered pairs), D_e over all 2n values.
"""

import json

import numpy as np


def fit(pos, neg, lam=1.0, balanced=True):
    x = np.array(pos + neg, dtype=float)
    y = np.array([1.0] * len(pos) + [0.0] * len(neg))
    n = len(x)
    c = np.array([n / (2 * len(pos)) if balanced else 1.0] * len(pos) + [n / (2 * len(neg)) if balanced else 1.0] * len(neg))
    mean = x.mean(axis=0)
    centred = x - mean
    scale = np.sqrt((centred**2).mean()) or 1.0
    z = np.hstack([centred / scale, np.ones((len(x), 1))])
    d = x.shape[1]
    penalty = np.diag([lam] * d + [1e-12])
    theta = np.zeros(d + 1)
    for _ in range(100):
        p = 1 / (1 + np.exp(-(z @ theta)))
        grad = z.T @ (c * (p - y)) + penalty @ theta
        hess = (z.T * (c * p * (1 - p))) @ z + penalty
        step = np.linalg.solve(hess, grad)
        theta -= step
        if np.abs(step).max() < 1e-12:
            break
    return mean, scale, theta


def prob(model, v):
    mean, scale, theta = model
    z = np.append((np.array(v, dtype=float) - mean) / scale, 1.0)
    return float(1 / (1 + np.exp(-(z @ theta))))


def score(p):
    # 1 + round(4p), rounding halves up as JavaScript's Math.round does for positives.
    return 1 + int(np.floor(4 * p + 0.5))


def alpha_interval(a, b):
    values = np.array(a + b, dtype=float)
    n = len(values)
    d_o = sum(2 * (x - y) ** 2 for x, y in zip(a, b)) / n
    diffs = values[:, None] - values[None, :]
    d_e = (diffs**2).sum() / (n * (n - 1))
    return None if d_e == 0 else 1 - d_o / d_e


def cross_validated(pos, neg, lam=1.0, folds=10, balanced=True):
    """Example g (positives first) is in fold g mod k, k = min(folds, n): leave-one-out when n <= folds."""
    people, judge, right = [], [], 0
    examples = [(v, True) for v in pos] + [(v, False) for v in neg]
    k = min(folds, len(examples))
    for i, (v, positive) in enumerate(examples):
        rest_pos = [u for j, (u, s) in enumerate(examples) if s and j % k != i % k]
        rest_neg = [u for j, (u, s) in enumerate(examples) if not s and j % k != i % k]
        p = prob(fit(rest_pos, rest_neg, lam, balanced), v)
        right += (p >= 0.5) == positive
        people.append(5 if positive else 1)
        judge.append(score(p))
    return {"n": len(examples), "accuracy": right / len(examples), "alpha": alpha_interval(people, judge)}


rng = np.random.default_rng(15)
cases = []
# Separable: two clouds in 6 dimensions.
pos = (rng.normal(0, 0.3, (5, 6)) + np.array([1, 1, 0, 0, 0, 0])).round(4).tolist()
neg = (rng.normal(0, 0.3, (5, 6)) + np.array([-1, -1, 0, 0, 0, 0])).round(4).tolist()
cases.append({"name": "separable", "positive": pos, "negative": neg, "l2": 1.0, "folds": 10})
# Inseparable: the same distribution on both sides.
pos = rng.normal(0, 1, (6, 4)).round(4).tolist()
neg = rng.normal(0, 1, (5, 4)).round(4).tolist()
cases.append({"name": "inseparable", "positive": pos, "negative": neg, "l2": 1.0, "folds": 11})
# Overlapping clouds, light penalty.
pos = (rng.normal(0, 1, (7, 5)) + 0.6).round(4).tolist()
neg = (rng.normal(0, 1, (7, 5)) - 0.6).round(4).tolist()
cases.append({"name": "overlapping", "positive": pos, "negative": neg, "l2": 0.1, "folds": 4})
# Few negatives (as communities tie fewer turns against an axis), weighted and not.
pos = (rng.normal(0, 1, (8, 5)) + 0.4).round(4).tolist()
neg = (rng.normal(0, 1, (3, 5)) - 0.4).round(4).tolist()
cases.append({"name": "imbalanced", "positive": pos, "negative": neg, "l2": 1.0, "folds": 11, "balanced": True})
cases.append({"name": "imbalanced-unweighted", "positive": pos, "negative": neg, "l2": 1.0, "folds": 11, "balanced": False})

out = []
for case in cases:
    balanced = case.setdefault("balanced", True)
    model = fit(case["positive"], case["negative"], case["l2"], balanced)
    probes = rng.normal(0, 1, (3, len(case["positive"][0]))).round(4).tolist()
    out.append(
        {
            **case,
            "weights": model[2][:-1].tolist(),
            "bias": float(model[2][-1]),
            "probes": probes,
            "probabilities": [prob(model, v) for v in probes],
            "heldOut": cross_validated(case["positive"], case["negative"], case["l2"], case["folds"], balanced),
        }
    )
print(json.dumps({"cases": out}, indent=2))

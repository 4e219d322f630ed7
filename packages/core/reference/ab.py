#!/usr/bin/env python3
"""Independent reference values for packages/core/src/ab (A/B win rates and 95 % intervals).

Regenerate (from the repository root) with:

    python3 packages/core/reference/ab.py > packages/core/reference/ab-values.json
    npx biome format --write packages/core/reference/ab-values.json

Python's standard library only. The TypeScript tests compare every value to 1e-9, so nothing here
comes from the TypeScript code, and the interval takes another road: the TypeScript uses Wilson's
closed form, this script finds the interval's ends as the proportions p at which the score test
is exactly on the edge,

    |p_hat - p| / sqrt(p (1 - p) / n) = z,

by bisection on each side of p_hat (Wilson 1927: the interval *is* the set of p the score test
does not reject). z is the 0.975 quantile of the standard normal, from statistics.NormalDist.

The win rate counts a tie ("equal") as half a win for each model: (wins + ties / 2) / n.
"""

import json
import math
import random
import sys
from statistics import NormalDist

Z = NormalDist().inv_cdf(0.975)


def score_edge(p_hat, n, lo, hi, inside_at_lo):
    """Bisection for the p in [lo, hi] where the score statistic crosses z."""

    def inside(p):
        if p <= 0.0 or p >= 1.0:
            return p_hat == p
        return abs(p_hat - p) / math.sqrt(p * (1 - p) / n) <= Z

    for _ in range(200):
        mid = (lo + hi) / 2
        if inside(mid) == inside_at_lo:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def wilson(p_hat, n):
    if n == 0:
        return None
    low = 0.0 if p_hat == 0 else score_edge(p_hat, n, p_hat, 0.0, True)
    high = 1.0 if p_hat == 1 else score_edge(p_hat, n, p_hat, 1.0, True)
    return {"low": low, "high": high}


def side(wins, losses, ties):
    n = wins + losses + ties
    rate = None if n == 0 else (wins + ties / 2) / n
    return {
        "wins": wins,
        "losses": losses,
        "ties": ties,
        "n": n,
        "winRate": rate,
        "interval": None if rate is None else wilson(rate, n),
    }


def tally(axis_ids, votes):
    out = []
    for axis in axis_ids:
        a = sum(1 for v in votes if v and v.get(axis) == "a")
        b = sum(1 for v in votes if v and v.get(axis) == "b")
        e = sum(1 for v in votes if v and v.get(axis) == "equal")
        out.append({"axisId": axis, "n": a + b + e, "a": side(a, b, e), "b": side(b, a, e)})
    return out


def scenario(name, axis_ids, votes):
    return {"name": name, "axisIds": axis_ids, "votes": votes, "expected": tally(axis_ids, votes)}


def build():
    rng = random.Random(15)
    axes = ["empathy", "accuracy", "clarity"]
    many = []
    for _ in range(57):
        item = {}
        for axis in axes:
            if rng.random() < 0.9:
                item[axis] = rng.choices(["a", "b", "equal"], weights=[5, 3, 2])[0]
        many.append(item if item else None)
    return {
        "z": Z,
        "wilson": [
            {"p": p, "n": n, "interval": wilson(p, n)}
            for p, n in [(0.0, 1), (1.0, 1), (0.5, 2), (0.7, 10), (0.25, 4), (0.9, 30), (0.5, 100), (0.03, 200)]
        ],
        "tallies": [
            scenario("no votes", ["empathy"], []),
            scenario("one win", ["empathy"], [{"empathy": "a"}]),
            scenario(
                "wins, losses and ties on two axes",
                ["empathy", "accuracy"],
                [
                    {"empathy": "a", "accuracy": "equal"},
                    {"empathy": "a", "accuracy": "b"},
                    {"empathy": "equal", "accuracy": "b"},
                    {"empathy": "b", "accuracy": "b"},
                    None,
                    {"empathy": "a"},
                ],
            ),
            scenario("57 items, random votes, some axes skipped", axes, many),
            # The votes apps/server/src/routes/ab/ab.test.ts casts through the API (by model).
            scenario(
                "route test: two participants, two items each",
                ["axis-1", "axis-2"],
                [
                    {"axis-1": "a", "axis-2": "a"},
                    {"axis-1": "a", "axis-2": "a"},
                    {"axis-1": "b", "axis-2": "a"},
                    {"axis-1": "equal", "axis-2": "a"},
                ],
            ),
        ],
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(build(), indent=2) + "\n")

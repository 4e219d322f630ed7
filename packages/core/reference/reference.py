#!/usr/bin/env python3
"""Independent reference values for packages/core/src/analysis.

Regenerate (from the repository root) with:

    python3 packages/core/reference/reference.py > packages/core/reference/reference-values.json

Needs numpy and scipy (checked with scipy 1.17). The TypeScript tests load the JSON this prints and
compare every number to 1e-9, so the values here must not come from the TypeScript code: ranks come
from scipy.stats.rankdata, tau-b from scipy.stats.kendalltau, W from a direct numpy transcription of
the formula, and analyze_session re-implements the contract's semantics on top of those.

The JSON is printed in the layout Biome gives it (`biome_json.py`, shared with agreement.py).
"""

import math

import numpy as np
from biome_json import print_json
from scipy.stats import kendalltau, rankdata

# --- statistics ------------------------------------------------------------------------------------


def rank_vector(order, items):
    """Average ranks over items from a best-first partial order; the unranked are tied last."""
    position = {}
    for item_id in order:
        if item_id in items and item_id not in position:
            position[item_id] = len(position)
    # Every unranked item gets the same score, worse than any ranked one, so rankdata ties them last.
    scores = [position.get(item_id, len(items)) for item_id in items]
    return [float(r) for r in rankdata(scores, method="average")]


def kendall_w(ranks):
    """Kendall's W with tie correction: 12 S / (m^2 (n^3 - n) - m sum T_j)."""
    m = len(ranks)
    if m < 2:
        return None
    matrix = np.asarray(ranks, dtype=float)
    n = matrix.shape[1]
    if n < 2:
        return None
    rank_sums = matrix.sum(axis=0)
    s = float(((rank_sums - m * (n + 1) / 2.0) ** 2).sum())
    tie_total = 0.0
    for row in matrix:
        _, sizes = np.unique(row, return_counts=True)
        tie_total += float((sizes.astype(float) ** 3 - sizes).sum())
    denominator = m * m * (n**3 - n) - m * tie_total
    if denominator == 0:
        return None
    return 12.0 * s / denominator


def tau_b(x, y):
    if len(x) < 2:
        return None
    statistic = kendalltau(x, y, variant="b").statistic
    return None if math.isnan(statistic) else float(statistic)


def jaccard(a, b):
    a, b = set(a), set(b)
    union = a | b
    return None if not union else len(a & b) / len(union)


def likert_summary(values):
    values = [v for v in values if isinstance(v, int) and 1 <= v <= 5]
    counts = [sum(1 for v in values if v == k) for k in range(1, 6)]
    if not values:
        return {"n": 0, "mean": None, "median": None, "counts": counts, "agreeShare": None}
    array = np.asarray(values, dtype=float)
    return {
        "n": len(values),
        "mean": float(array.mean()),
        "median": float(np.median(array)),
        "counts": counts,
        "agreeShare": float((array >= 4).mean()),
    }


# --- session analysis ------------------------------------------------------------------------------


def analyze_session(data):
    items = [a["id"] for a in data["finalAttributes"]]
    item_set = set(items)

    def final_only(ids):
        seen = []
        for i in ids:
            if i in item_set and i not in seen:
                seen.append(i)
        return seen

    # Re-submitting replaces: the last submission of a participant is the one that counts.
    seg1 = {s["participantId"]: s for s in data["segment1"]}
    seg5 = {s["participantId"]: s for s in data["segment5"]}

    likert = {}
    for item_id in items:
        likert[item_id] = likert_summary([s["likert"][item_id] for s in seg5.values() if item_id in s["likert"]])

    before = {}
    for pid, sub in seg1.items():
        best = {}
        for attr in sub["attributes"]:
            target = data["mapping"].get(attr["id"])
            if target is None or target not in item_set:
                continue
            best[target] = min(best.get(target, math.inf), attr["rank"])
        order = [t for t, _ in sorted(best.items(), key=lambda kv: kv[1])]
        before[pid] = (order, rank_vector(order, items))

    after = {}
    for pid, sub in seg5.items():
        order = final_only(sub["ranking"])
        after[pid] = (order, rank_vector(order, items))

    seg5_matrix = np.asarray([r for _, r in after.values()], dtype=float)

    def aggregate(ids):
        def key(item_id):
            i = items.index(item_id)
            mean_rank = float(seg5_matrix[:, i].mean()) if len(after) else 0.0
            mean_likert = likert[item_id]["mean"]
            return (mean_rank, -mean_likert if mean_likert is not None else math.inf, i)

        return sorted(ids, key=key)

    group_top3 = final_only(data["groupTop3"])
    picked = final_only(group_top3 + list(data["groupTop5"]))
    if picked:
        group_order = picked
    elif after:
        group_order = aggregate(items)
    else:
        group_order = []
    group_ranks = rank_vector(group_order, items)
    group_ranking = group_order + aggregate([i for i in items if i not in group_order])

    shifts = []
    for pid in sorted(set(seg1) | set(seg5)):
        b = before.get(pid)
        a = after.get(pid)
        shifts.append(
            {
                "participantId": pid,
                "tauWithGroupBefore": tau_b(b[1], group_ranks) if b else None,
                "tauWithGroupAfter": tau_b(a[1], group_ranks) if a else None,
                "top3JaccardBefore": jaccard(b[0], group_top3) if b else None,
                "top3JaccardAfter": jaccard(a[0][:3], group_top3) if a else None,
            }
        )

    return {
        "participants": len(set(seg1) | set(seg5)),
        "likert": likert,
        "concordance": {
            "segment1W": kendall_w([r for _, r in before.values()]),
            "segment5W": kendall_w([r for _, r in after.values()]),
        },
        "participantsShift": shifts,
        "groupRanking": group_ranking,
    }


# --- cases -----------------------------------------------------------------------------------------

ABCDE = ["a", "b", "c", "d", "e"]

RANK_CASES = [
    {"name": "subset of five, rest tied last", "order": ["b", "d"], "items": ABCDE},
    {"name": "full order", "order": ["c", "a", "e", "b", "d"], "items": ABCDE},
    {"name": "empty order ties everything", "order": [], "items": ABCDE},
    {"name": "unknown ids and duplicates", "order": ["x", "c", "c", "a", "y", "a"], "items": ["a", "b", "c", "d"]},
    {"name": "one unranked left", "order": ["d", "c", "b"], "items": ["a", "b", "c", "d"]},
]

# W cases are given as best-first orders so that the rank vectors come from rankdata, not from TS.
W_CASES = [
    {"name": "identical rankings", "items": ["a", "b", "c", "d"], "orders": [["a", "b", "c", "d"]] * 3},
    {"name": "two opposed raters", "items": ["a", "b", "c", "d"], "orders": [["a", "b", "c", "d"], ["d", "c", "b", "a"]]},
    {
        "name": "partial rankings, ties last",
        "items": ABCDE,
        "orders": [["b", "d"], ["b", "a", "d"], ["d"], ["a", "b", "c", "d", "e"]],
    },
    {
        "name": "a rater with all items tied",
        "items": ["a", "b", "c", "d"],
        "orders": [["a", "b", "c"], [], ["b", "a", "c"]],
    },
    {"name": "two items", "items": ["x", "y"], "orders": [["x"], ["y", "x"], ["x", "y"]]},
    {"name": "top-3 of six", "items": ["a", "b", "c", "d", "e", "f"], "orders": [["a", "b", "c"], ["c", "a", "f"], ["a", "c", "b"], ["e", "a"]]},
    {"name": "every rater all tied", "items": ["a", "b", "c"], "orders": [[], []]},
    {"name": "a single rater", "items": ["a", "b", "c"], "orders": [["a", "b"]]},
    {"name": "a single item", "items": ["a"], "orders": [["a"], []]},
]

TAU_CASES = [
    {"name": "ties in x only", "x": [1, 2, 2, 3, 4], "y": [1, 3, 2, 4, 5]},
    {"name": "ties in both", "x": [1, 2, 2, 4, 4, 5], "y": [2, 1, 3, 3, 5, 5]},
    {"name": "partial rankings, ties last", "x": [1, 2, 4, 4, 4], "y": [3.5, 1, 3.5, 2, 3.5]},
    {"name": "perfectly reversed", "x": [1, 2, 3, 4], "y": [4, 3, 2, 1]},
    {"name": "constant x", "x": [2, 2, 2], "y": [1, 2, 3]},
    {"name": "two pairs tied in y", "x": [1, 2], "y": [1.5, 1.5]},
    {"name": "two pairs", "x": [1, 2], "y": [2, 1]},
    {"name": "a single pair", "x": [1], "y": [1]},
]

JACCARD_CASES = [
    {"name": "overlap", "a": ["a", "b", "c"], "b": ["b", "c", "d", "e"]},
    {"name": "disjoint", "a": ["a"], "b": ["b"]},
    {"name": "one empty", "a": [], "b": ["b"]},
    {"name": "both empty", "a": [], "b": []},
    {"name": "duplicates collapse", "a": ["a", "a", "b"], "b": ["b", "a"]},
]

LIKERT_CASES = [
    {"name": "odd count", "values": [5, 4, 2, 4, 3]},
    {"name": "even count", "values": [1, 5, 4, 2]},
    {"name": "all agree", "values": [4, 5, 5]},
    {"name": "empty", "values": []},
]


def attributes(*ids):
    return [
        {"id": i, "name": f"Axis {i}", "definition": f"What {i} means", "exampleInteractionIds": [], "sourceLabelIds": []}
        for i in ids
    ]


SCENARIOS = [
    {
        "name": "group picks, a null mapping and a shared target",
        "input": {
            "finalAttributes": attributes("f1", "f2", "f3", "f4", "f5"),
            "groupTop3": ["f2", "f1", "f4"],
            "groupTop5": ["f2", "f4", "f5"],
            "mapping": {"a1": "f1", "a2": "f2", "a3": None, "b1": "f2", "b2": "f2", "b3": "f3", "d1": None, "d2": "zz"},
            "segment1": [
                {"participantId": "p1", "attributes": [{"id": "a1", "rank": 1}, {"id": "a2", "rank": 2}, {"id": "a3", "rank": 3}]},
                # b1 and b2 both become f2; listing the worse one first checks that the better rank wins.
                {"participantId": "p2", "attributes": [{"id": "b1", "rank": 3}, {"id": "b3", "rank": 2}, {"id": "b2", "rank": 1}]},
                {"participantId": "p4", "attributes": [{"id": "d1", "rank": 1}, {"id": "d2", "rank": 2}, {"id": "d3", "rank": 3}]},
            ],
            "segment5": [
                {
                    "participantId": "p2",
                    "likert": {"f1": 4, "f2": 5, "f3": 2, "f4": 4, "f5": 3},
                    "ranking": ["f2", "f1", "f4"],
                },
                {
                    "participantId": "p3",
                    "likert": {"f1": 5, "f2": 4, "f3": 3, "f4": 2, "f5": 4, "ghost": 5},
                    "ranking": ["f1", "ghost", "f2", "f5", "f3"],
                },
                {
                    "participantId": "p1",
                    "likert": {"f1": 3, "f2": 5, "f3": 1, "f4": 5, "f5": 2},
                    "ranking": ["f2", "f4", "f1", "f3", "f5"],
                },
            ],
        },
    },
    {
        "name": "no group picks: the segment-5 aggregate decides",
        "input": {
            "finalAttributes": attributes("g1", "g2", "g3", "g4"),
            "groupTop3": [],
            "groupTop5": [],
            "mapping": {"x1": "g3", "x2": "g1", "y1": "g4", "y2": "g4", "y3": None, "z1": "g2"},
            "segment1": [
                {"participantId": "px", "attributes": [{"id": "x1", "rank": 1}, {"id": "x2", "rank": 2}]},
                {"participantId": "py", "attributes": [{"id": "y2", "rank": 1}, {"id": "y1", "rank": 2}, {"id": "y3", "rank": 3}]},
                {"participantId": "pz", "attributes": [{"id": "z1", "rank": 1}]},
                {"participantId": "pw", "attributes": [{"id": "gone", "rank": 1}]},
            ],
            "segment5": [
                {"participantId": "px", "likert": {"g1": 4, "g2": 4, "g3": 5, "g4": 2}, "ranking": ["g3", "g2"]},
                {"participantId": "py", "likert": {"g1": 5, "g2": 3, "g3": 4, "g4": 4}, "ranking": ["g2", "g3"]},
                {"participantId": "pz", "likert": {"g1": 5, "g2": 4, "g3": 1, "g4": 4}, "ranking": ["g1", "g4", "g2", "g3"]},
            ],
        },
    },
    {
        "name": "top-3 only, one participant re-submitted",
        "input": {
            "finalAttributes": attributes("h1", "h2", "h3", "h4"),
            "groupTop3": ["h4", "h2"],
            "groupTop5": [],
            "mapping": {"u1": "h2", "u2": "h4", "v1": "h1", "v2": "h3"},
            "segment1": [
                {"participantId": "pu", "attributes": [{"id": "u1", "rank": 2}, {"id": "u2", "rank": 1}]},
                {"participantId": "pv", "attributes": [{"id": "v1", "rank": 1}]},
                {"participantId": "pv", "attributes": [{"id": "v2", "rank": 1}, {"id": "v1", "rank": 2}]},
            ],
            "segment5": [
                {"participantId": "pu", "likert": {"h1": 2, "h2": 4, "h3": 3, "h4": 5}, "ranking": ["h4", "h2", "h1"]},
            ],
        },
    },
    {
        "name": "nothing to compare with",
        "input": {
            "finalAttributes": attributes("k1", "k2", "k3"),
            "groupTop3": [],
            "groupTop5": [],
            "mapping": {"s1": "k2", "s2": "k1"},
            "segment1": [
                {"participantId": "ps", "attributes": [{"id": "s1", "rank": 1}, {"id": "s2", "rank": 2}]},
                {"participantId": "pt", "attributes": [{"id": "s2", "rank": 1}]},
            ],
            "segment5": [],
        },
    },
]


def build():
    return {
        "averageRanks": [dict(c, ranks=rank_vector(c["order"], c["items"])) for c in RANK_CASES],
        "kendallW": [
            dict(c, ranks=(ranks := [rank_vector(o, c["items"]) for o in c["orders"]]), w=kendall_w(ranks))
            for c in W_CASES
        ],
        "kendallTauB": [dict(c, tau=tau_b(c["x"], c["y"])) for c in TAU_CASES],
        "jaccard": [dict(c, value=jaccard(c["a"], c["b"])) for c in JACCARD_CASES],
        "likert": [dict(c, summary=likert_summary(c["values"])) for c in LIKERT_CASES],
        "scenarios": [dict(s, expected=analyze_session(s["input"])) for s in SCENARIOS],
    }


if __name__ == "__main__":
    print_json(build())

#!/usr/bin/env python3
"""Independent reference values for packages/core/src/agreement (Krippendorff's alpha).

Regenerate (from the repository root) with:

    python3 packages/core/reference/agreement.py > packages/core/reference/agreement-values.json

Needs numpy only (checked with numpy 2.4). The TypeScript tests load the JSON this prints and
compare every alpha to 1e-9, so the values here must not come from the TypeScript code. The
TypeScript builds Krippendorff's coincidence matrix; this script takes the other road through the
same definition, the pairwise form (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability",
and Hayes & Krippendorff 2007):

    D_o = 1/n · Σ_u 1/(m_u − 1) · Σ_{i≠j in u} δ²(v_i, v_j)
    D_e = 1/(n(n − 1)) · Σ_{i≠j} δ²(v_i, v_j)          (over all n pairable values)
    α   = 1 − D_o / D_e

where a unit is pairable when it holds at least two values (m_u ≥ 2), and α is undefined (None)
when no unit is pairable or D_e = 0 (every pairable value the same). The ordinal δ² uses the
frequencies n_g of the pairable values, as Krippendorff defines it.

`baseline` re-implements the contract's per-code agreement (GET /api/groups/:groupId/agreement) from
the coders' codes on units, so the TypeScript's mapping from labels to values is checked too, and
the attributes' agreement (interval alpha over −1/0/1, see attribute_agreement) for `attributes`.

The JSON is printed in the layout Biome gives it (`biome_json.py`, shared with reference.py).
"""


import numpy as np
from biome_json import print_json

# --- alpha, pairwise ----------------------------------------------------------------------------


def delta_squared(a, b, metric, frequencies):
    """Squared difference of two values for `metric`; arrays broadcast."""
    if metric == "nominal":
        return (a != b).astype(float)
    if metric == "interval":
        return (a - b) ** 2
    if metric == "ratio":
        total = a + b
        with np.errstate(divide="ignore", invalid="ignore"):
            result = ((a - b) / total) ** 2
        # Two zeros do not differ; the ratio metric is otherwise undefined at a + b = 0.
        return np.where(total == 0, 0.0, result)
    if metric == "ordinal":
        values = np.array(sorted(frequencies))
        counts = np.array([frequencies[v] for v in values], dtype=float)
        cumulative = np.concatenate([[0.0], np.cumsum(counts)])
        ia = np.searchsorted(values, a)
        ib = np.searchsorted(values, b)
        lo = np.minimum(ia, ib)
        hi = np.maximum(ia, ib)
        # Σ_{g=lo..hi} n_g − (n_lo + n_hi) / 2
        between = cumulative[hi + 1] - cumulative[lo] - (counts[lo] + counts[hi]) / 2.0
        return between**2
    raise ValueError(metric)


def alpha(data, metric):
    """Krippendorff's alpha of a coders × units table with None for missing values."""
    table = np.array([[np.nan if v is None else float(v) for v in row] for row in data], dtype=float)
    values, units = [], []
    for u in range(table.shape[1]):
        column = table[:, u]
        present = column[~np.isnan(column)]
        if len(present) >= 2:
            values.extend(present.tolist())
            units.extend([u] * len(present))
    n = len(values)
    if n == 0:
        return None
    v = np.array(values)
    unit = np.array(units)
    frequencies = {}
    for value in values:
        frequencies[value] = frequencies.get(value, 0) + 1
    d = delta_squared(v[:, None], v[None, :], metric, frequencies)
    np.fill_diagonal(d, 0.0)
    expected = d.sum() / (n * (n - 1))
    if expected == 0:
        return None
    same_unit = unit[:, None] == unit[None, :]
    m = np.bincount(unit)[unit].astype(float)
    observed = (d * same_unit / (m[:, None] - 1)).sum() / n
    return float(1.0 - observed / expected)


METRICS = ["nominal", "ordinal", "interval", "ratio"]

# --- cases ----------------------------------------------------------------------------------------

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four observers,
# twelve units, values 1..5, missing data. Published: nominal .743, ordinal .815, interval .849,
# ratio .797 (rounded to three places).
N = None
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}

FIXED_CASES = [
    {"name": "Krippendorff 2011, four observers", "data": KRIPPENDORFF_2011},
    {"name": "perfect agreement", "data": [[1, 2, 3, 1], [1, 2, 3, 1], [N, 2, 3, 1]]},
    {"name": "no variation: every value the same", "data": [[1, 1, N], [1, 1, 1]]},
    {"name": "no pairable unit", "data": [[1, N, N], [N, 2, N], [N, N, 3]]},
    {"name": "one unit, two values", "data": [[0], [1]]},
    {"name": "binary, systematic disagreement", "data": [[0, 1, 0, 1], [1, 0, 1, 0]]},
    {"name": "zeros for the ratio metric", "data": [[0, 0, 2, 3], [0, 1, 2, 4], [0, N, 1, N]]},
    {"name": "fractional scores", "data": [[0.5, 1.25, 3.0, N], [0.75, 1.0, 2.5, 4.0], [N, 1.5, 3.5, 3.75]]},
]


def random_cases(count, seed):
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(count):
        coders = int(rng.integers(2, 7))
        units = int(rng.integers(2, 21))
        categories = int(rng.integers(2, 6))
        missing = float(rng.choice([0.0, 0.2, 0.4, 0.6]))
        raw = rng.integers(1, categories + 1, size=(coders, units))
        # Agreement above chance in most cases: each coder copies a unit's "true" value half the time.
        truth = rng.integers(1, categories + 1, size=units)
        copy = rng.random(size=(coders, units)) < 0.5
        raw = np.where(copy, truth[None, :], raw)
        hidden = rng.random(size=(coders, units)) < missing
        data = [[None if hidden[c, u] else int(raw[c, u]) for u in range(units)] for c in range(coders)]
        cases.append(
            {
                "name": f"random {k + 1}: {coders} coders, {units} units, {categories} values, {missing:.0%} missing",
                "data": data,
            }
        )
    return cases


ALPHA_CASES = FIXED_CASES + random_cases(24, seed=20111)

# --- the contract's per-code agreement ------------------------------------------------------------


def baseline_agreement(units, codings):
    """units: unit ids; codings: [{coder, unit, code}] → the contract's body plus overall alpha.

    A coder's value for (unit, code): 1 if they put the code on the unit, 0 if they coded the unit
    with other codes only, missing if they did not code it. Codes compare trimmed and case-folded.
    """
    unit_set = set(units)
    applied = {}  # (coder, unit) -> set of codes
    spellings = {}
    for c in codings:
        text = c["code"].strip()
        if not text or c["unit"] not in unit_set:
            continue
        key = text.lower()
        spellings.setdefault(key, []).append(text)
        applied.setdefault((c["coder"], c["unit"]), set()).add(key)
    coders = sorted({coder for coder, _ in applied})
    codes = sorted(spellings)
    entries = []
    pooled_rows = {coder: [] for coder in coders}
    for code in codes:
        table = []
        for coder in coders:
            row = []
            for unit in units:
                done = applied.get((coder, unit))
                row.append(None if done is None else (1 if code in done else 0))
            table.append(row)
            pooled_rows[coder].extend(row)
        entries.append(
            {
                "key": code,
                "alpha": alpha(table, "nominal"),
                "coders": sum(1 for coder in coders if any(code in applied.get((coder, u), ()) for u in units)),
                "units": sum(1 for u in units if any(code in applied.get((coder, u), ()) for coder in coders)),
            }
        )
    overall = alpha([pooled_rows[c] for c in coders], "nominal") if coders and codes else None
    return {"coders": len(coders), "units": len(units), "codes": entries, "overall": overall}


def attribute_agreement(units, codings, attributes):
    """Per attribute: a coder's value on a unit they coded is the sign of the summed signs of the
    attribute's codes they put on it (each code once); missing if they did not code it; interval alpha."""
    unit_set = set(units)
    applied = {}
    for c in codings:
        key = c["code"].strip().lower()
        if key and c["unit"] in unit_set:
            applied.setdefault((c["coder"], c["unit"]), set()).add(key)
    coders = sorted({coder for coder, _ in applied})
    result = []
    for attribute in attributes:
        weight = {}
        for text, sign in attribute["codes"]:
            weight[text.strip().lower()] = weight.get(text.strip().lower(), 0) + sign
        table = [
            [
                None if (coder, u) not in applied else int(np.sign(sum(weight.get(k, 0) for k in applied[(coder, u)])))
                for u in units
            ]
            for coder in coders
        ]
        result.append(
            {
                "name": attribute["name"],
                "alpha": alpha(table, "interval"),
                "coders": sum(1 for row in table if any(row)),
                "units": sum(1 for u in range(len(units)) if any(row[u] for row in table)),
            }
        )
    return result


ATTRIBUTES = [
    {"name": "Warmth", "codes": [["warm", 1], ["Cold", -1]]},
    {"name": "Bias", "codes": [["biased", 1], ["balanced", -1], ["vague", 1]]},
    {"name": "Both ways", "codes": [["accurate", 1], ["accurate", -1], ["warm", 1]]},
]


CODE_WORDS = ["warm", "cold", "biased", "balanced", "vague", "accurate"]


def random_baseline(seed, spelling_noise):
    rng = np.random.default_rng(seed)
    units = [f"u{u}" for u in range(int(rng.integers(3, 9)))]
    coders = [f"p{c}" for c in range(int(rng.integers(2, 6)))]
    codings = []
    for coder in coders:
        for unit in units:
            if rng.random() < 0.3:
                continue  # this coder skipped the unit
            for word in CODE_WORDS[: int(rng.integers(2, len(CODE_WORDS) + 1))]:
                if rng.random() < 0.35:
                    text = word
                    if spelling_noise and rng.random() < 0.5:
                        text = rng.choice([word.upper(), f"  {word}", word.capitalize() + " "])
                    codings.append({"coder": coder, "unit": unit, "code": str(text)})
    # A coding on a unit outside the baseline set never counts.
    codings.append({"coder": coders[0], "unit": "elsewhere", "code": "off-set"})
    return {"name": f"random baseline {seed}", "units": units, "codings": codings}


BASELINE_SCENARIOS = [
    {
        "name": "two coders agree on one code, split on another, a third skips a unit",
        "units": ["a", "b", "c"],
        "codings": [
            {"coder": "ana", "unit": "a", "code": "warm"},
            {"coder": "ana", "unit": "b", "code": "Cold"},
            {"coder": "ana", "unit": "c", "code": "warm"},
            {"coder": "bo", "unit": "a", "code": "WARM "},
            {"coder": "bo", "unit": "b", "code": "cold"},
            {"coder": "bo", "unit": "b", "code": "vague"},
            {"coder": "bo", "unit": "c", "code": "warm"},
            {"coder": "cy", "unit": "a", "code": "warm"},
        ],
    },
    random_baseline(7, spelling_noise=False),
    random_baseline(8, spelling_noise=True),
    random_baseline(9, spelling_noise=True),
]


def build():
    return {
        "published": PUBLISHED,
        "alpha": [dict(c, alpha={m: alpha(c["data"], m) for m in METRICS}) for c in ALPHA_CASES],
        "attributes": ATTRIBUTES,
        "baseline": [
            dict(
                s,
                expected=baseline_agreement(s["units"], s["codings"]),
                expectedAttributes=attribute_agreement(s["units"], s["codings"], ATTRIBUTES),
            )
            for s in BASELINE_SCENARIOS
        ],
    }


if __name__ == "__main__":
    print_json(build())

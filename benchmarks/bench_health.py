"""Health scoring: ``HealthModel.score`` against a hand-written numpy two-level computation.

20 metrics in 4 groups (half Linear, half four-colour Thresholds, unequal weights), 5 % of the
values missing. Both sides compute the same things — every metric score, group scores with
renormalisation, the overall score, coverage with ``min_coverage``, band codes and the points
card — and must agree to 1e-9 (the script exits 1 if not).

    python benchmarks/bench_health.py            # 10k / 100k / 1M accounts
    python benchmarks/bench_health.py --quick    # small sizes (CI)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import successkit as sk
from _harness import interleaved, parse_args, table

N_METRICS = 20
N_GROUPS = 4
MISSING = 0.05
MIN_COVERAGE = 0.5
BAND_BOUNDS = np.array([0.0, 40.0, 70.0])


def make_spec(seed: int = 0) -> list[dict[str, Any]]:
    """Per metric: name, group, weight and scheme parameters."""
    rng = np.random.default_rng(seed)
    spec = []
    for j in range(N_METRICS):
        entry: dict[str, Any] = {
            "name": f"m{j:02d}",
            "group": f"g{j % N_GROUPS}",
            "weight": float(rng.integers(1, 4)),
        }
        if j % 2 == 0:
            low = float(rng.uniform(0.0, 0.3))
            entry.update(kind="linear", low=low, high=low + float(rng.uniform(0.4, 0.7)))
        else:
            cuts = np.sort(rng.uniform(0.05, 0.95, 3))
            entry.update(kind="thresholds", cuts=cuts.tolist())
        spec.append(entry)
    return spec


def make_model(spec: list[dict[str, Any]]) -> sk.HealthModel:
    metrics = []
    for entry in spec:
        if entry["kind"] == "linear":
            scheme: sk.Scheme = sk.Linear(entry["low"], entry["high"])
        else:
            scheme = sk.Thresholds(entry["cuts"])
        metrics.append(
            sk.Metric(entry["name"], scheme=scheme, weight=entry["weight"], group=entry["group"])
        )
    return sk.HealthModel(metrics, min_coverage=MIN_COVERAGE)


def make_data(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    data = {}
    for j in range(N_METRICS):
        values = rng.uniform(0.0, 1.0, n)
        values[rng.uniform(size=n) < MISSING] = np.nan
        data[f"m{j:02d}"] = values
    return data


def reference(data: dict[str, np.ndarray], spec: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """The same two-level computation, written directly in numpy, one metric at a time."""
    n = len(next(iter(data.values())))
    groups = sorted({e["group"] for e in spec})
    group_weight = {g: sum(e["weight"] for e in spec if e["group"] == g) for g in groups}
    total_weight = sum(group_weight.values())
    numerators = {g: np.zeros(n) for g in groups}
    denominators = {g: np.zeros(n) for g in groups}
    coverage = np.zeros(n)
    points = np.zeros(n)
    max_points = np.zeros(n)
    metric_scores = {}
    for entry in spec:
        values = data[entry["name"]]
        if entry["kind"] == "linear":
            s = np.clip((values - entry["low"]) / (entry["high"] - entry["low"]), 0, 1) * 100
            maximum = 1.0
        else:
            table_ = np.array([25.0, 50.0, 75.0, 100.0])
            s = table_[np.searchsorted(entry["cuts"], values, side="right")]
            s[np.isnan(values)] = np.nan
            maximum = 4.0
        metric_scores[entry["name"]] = s
        present = ~np.isnan(s)
        filled = np.where(present, s, 0.0)
        g, w = entry["group"], entry["weight"]
        numerators[g] += w * filled
        denominators[g] += w * present
        coverage += (w / total_weight) * present
        points += filled * (maximum / 100)
        max_points += maximum * present
    overall = np.zeros(n)
    weight_present = np.zeros(n)
    group_scores = {}
    for g in groups:
        with np.errstate(invalid="ignore", divide="ignore"):
            score_g = numerators[g] / denominators[g]
        group_scores[g] = score_g
        has = denominators[g] > 0
        overall += np.where(has, score_g, 0.0) * group_weight[g]
        weight_present += has * group_weight[g]
    with np.errstate(invalid="ignore", divide="ignore"):
        score = overall / weight_present
    score[coverage < MIN_COVERAGE - 1e-12] = np.nan
    bands = np.searchsorted(BAND_BOUNDS, score, side="right") - 1
    bands[np.isnan(score)] = -1
    return {
        "score": score,
        "coverage": coverage,
        "band": bands,
        "points": np.round(points, 9),
        "max_points": max_points,
        **{f"group {g}": v for g, v in group_scores.items()},
        **{f"metric {k}": v for k, v in metric_scores.items()},
    }


def ours(model: sk.HealthModel, pf: sk.Portfolio) -> dict[str, np.ndarray]:
    result = model.score(pf)
    return {
        "score": result.score,
        "coverage": result.coverage,
        "band": result.band_codes.astype(np.int64),
        "points": result.points,
        "max_points": result.max_points,
        **{f"group {g}": v for g, v in result.group_scores.items()},
        **{f"metric {k}": v for k, v in result.metric_scores.items()},
    }


def agree(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> list[str]:
    bad = []
    for key in b:
        if not np.allclose(a[key], b[key], rtol=1e-9, atol=1e-9, equal_nan=True):
            bad.append(key)
    return bad


def main() -> int:
    args = parse_args(__doc__ or "")
    sizes = [1_000, 10_000, 50_000] if args.quick else [10_000, 100_000, 1_000_000]
    repeat = args.repeat or (3 if args.quick else 5)
    spec = make_spec()
    model = make_model(spec)
    rows = []
    for n in sizes:
        data = make_data(n)
        pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), **data})
        bad = agree(ours(model, pf), reference(data, spec))
        if bad:
            print(f"MISMATCH at {n:,} accounts: {', '.join(bad)}", file=sys.stderr)
            return 1
        t_ours, t_ref = interleaved(
            lambda m=model, p=pf: m.score(p), lambda d=data: reference(d, spec), repeat=repeat
        )
        rows.append([n, t_ours * 1000, t_ref * 1000, t_ours / t_ref,
                     t_ours / n * 1e9])
    print(f"Health scoring: {N_METRICS} metrics in {N_GROUPS} groups "
          f"(half Linear, half Thresholds), {MISSING:.0%} missing, best of {repeat}")
    print(table(["accounts", "successkit ms", "numpy ms", "ratio", "ns / account"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Outcome validation: exact AUC, bootstrap interval and weight fitting against hand-written
numpy references.

* AUC: successkit's two binary searches against the textbook Mann–Whitney statistic from
  average ranks (argsort + tie groups), scores with many ties.
* Bootstrap: successkit's chunked counts matrices against a loop over replicates that
  resamples the same accounts (same random draws) and recomputes each AUC from ranks.
* Fit: successkit's projected Newton (non-negative weights) against plain IRLS logistic
  regression, on 20 metrics whose true effects are all protective (so no bound is active
  and both must find the same coefficients).

Each pair must agree (AUC to 1e-12, coefficients to 1e-6); the script exits 1 if not.

    python benchmarks/bench_outcomes.py            # 10k / 100k / 1M accounts
    python benchmarks/bench_outcomes.py --quick    # small sizes (CI)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import interleaved, parse_args, table
from successkit.outcomes import auc as auc_module
from successkit.outcomes.auc import bootstrap_auc, roc_auc
from successkit.outcomes.fitting import fit_weights

N_METRICS = 20


def make_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Metric scores (n × 20, rounded to whole points: ties), churn, and a health score."""
    rng = np.random.default_rng(seed)
    scores = np.round(rng.uniform(0, 100, size=(n, N_METRICS)))
    effects = np.linspace(2.0, 1.0, N_METRICS)  # all protective: no bound is active
    risk = (0.5 - scores / 100) @ effects - 1.4  # about 20 % churn
    churned = rng.random(n) < 1 / (1 + np.exp(-risk))
    health = np.round(scores.mean(axis=1))
    return scores, churned, health


# -- references -------------------------------------------------------------------------------


def reference_auc(score: np.ndarray, churned: np.ndarray) -> float:
    """Mann–Whitney U from average ranks of the risk (-score)."""
    risk = -score
    order = np.argsort(risk, kind="stable")
    ranked = risk[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    ends = np.r_[starts[1:], ranked.size]
    average = (starts + ends + 1) / 2.0  # 1-based average rank of each tie group
    ranks = np.empty(ranked.size)
    ranks[order] = np.repeat(average, ends - starts)
    n1 = int(churned.sum())
    n0 = churned.size - n1
    return float((ranks[churned].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def reference_bootstrap(score: np.ndarray, churned: np.ndarray, replicates: int,
                        seed: int) -> np.ndarray:
    """A loop over replicates, each resampling churners and stayers with the same draws as
    successkit (stayers indexed in sorted order) and recomputing the AUC from ranks."""
    risk = -score
    churners = risk[churned]
    stayers = np.sort(risk[~churned])
    n1, n0 = churners.size, stayers.size
    rng = np.random.default_rng(seed)
    chunk = max(1, auc_module._CHUNK_ELEMENTS // (n1 + n0 + 1))
    out = np.empty(replicates)
    labels = np.r_[np.ones(n1, dtype=bool), np.zeros(n0, dtype=bool)]
    for start in range(0, replicates, chunk):
        size = min(chunk, replicates - start)
        draws1 = rng.integers(0, n1, size=(size, n1))
        draws0 = rng.integers(0, n0, size=(size, n0))
        for r in range(size):
            resampled = np.r_[churners[draws1[r]], stayers[draws0[r]]]
            out[start + r] = reference_auc(-resampled, labels)
    return out


def reference_fit(scores: np.ndarray, churned: np.ndarray, l2: float) -> np.ndarray:
    """Unconstrained IRLS (Newton) logistic regression on -scores / 100, ridge l2."""
    n, m = scores.shape
    design = np.column_stack([np.ones(n), -scores / 100])
    y = churned.astype(float)
    beta = np.zeros(m + 1)
    penalty = np.full(m + 1, l2)
    penalty[0] = 0.0
    for _ in range(100):
        mu = 1 / (1 + np.exp(-(design @ beta)))
        gradient = design.T @ (mu - y) + penalty * beta
        hessian = (design * (mu * (1 - mu))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta[1:]


# -- main -------------------------------------------------------------------------------------


def measure(n: int, replicates: int, repeat: int) -> tuple[list[list[Any]], bool]:
    """Timings and agreement of the three tasks at ``n`` accounts."""
    scores, churned, health = make_data(n)
    rows: list[list[Any]] = []
    ok = True

    ours_t, ref_t = interleaved(lambda: roc_auc(health, churned),
                                lambda: reference_auc(health, churned), repeat=repeat)
    same = abs(roc_auc(health, churned) - reference_auc(health, churned)) < 1e-12
    ok &= same
    rows.append(["AUC", n, ours_t * 1e3, ref_t * 1e3, ours_t / ref_t, same])

    boot_n = min(n, 100_000)  # the reference loop is slow: cap its size
    h, c = health[:boot_n], churned[:boot_n]
    ours_t, ref_t = interleaved(
        lambda: bootstrap_auc(h, c, replicates=replicates, seed=1),
        lambda: reference_bootstrap(h, c, replicates, seed=1),
        repeat=1,
    )
    same = bool(np.allclose(bootstrap_auc(h, c, replicates=replicates, seed=1),
                            reference_bootstrap(h, c, replicates, seed=1), rtol=0, atol=1e-12))
    ok &= same
    rows.append([f"bootstrap ×{replicates}", boot_n, ours_t * 1e3, ref_t * 1e3,
                 ours_t / ref_t, same])

    names = tuple(f"m{j:02d}" for j in range(N_METRICS))
    ours_t, ref_t = interleaved(lambda: fit_weights(names, scores, churned, l2=1.0),
                                lambda: reference_fit(scores, churned, 1.0), repeat=repeat)
    ours = fit_weights(names, scores, churned, l2=1.0).coefficients
    ref = reference_fit(scores, churned, 1.0)
    same = bool((ref > 0).all() and np.allclose(ours, ref, rtol=0, atol=1e-6))
    ok &= same
    rows.append([f"fit {N_METRICS} metrics", n, ours_t * 1e3, ref_t * 1e3, ours_t / ref_t, same])
    return rows, ok


def main() -> int:
    args = parse_args(__doc__ or "")
    sizes = [2_000, 20_000] if args.quick else [10_000, 100_000, 1_000_000]
    replicates = 50 if args.quick else 200
    repeat = args.repeat or (2 if args.quick else 3)
    rows: list[list[Any]] = []
    ok = True
    for n in sizes:
        size_rows, same = measure(n, replicates, repeat)
        rows.extend(size_rows)
        ok &= same
    print(table(["task", "accounts", "successkit ms", "reference ms", "ratio", "same"], rows))
    if not ok:
        print("successkit and the reference disagree", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Exact ROC AUC from ranks, ARR-weighted AUC, and a vectorised bootstrap interval.

The AUC of a health score is the probability that an account which stayed scores higher
than one which churned, ties counting one half — the Mann–Whitney statistic, equal to the
area under the ROC curve of the risk ``-score``. With the stayers' scores sorted once, two
binary searches per churned account count the stayers below it and tied with it, so the
statistic is exact (integer counts) and costs ``O(n log n)``.

The bootstrap resamples churned and staying accounts separately (a stratified bootstrap,
so every replicate has both classes) and evaluates all replicates of a chunk at once: a
replicate is a matrix row of resampling counts, and its AUC is a weighted sum over the same
two searches, so no replicate ever re-sorts.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from successkit._arrays import BoolArray, FloatArray

__all__ = ["bootstrap_auc", "counts_auc", "roc_auc", "weighted_auc"]


# Elements of the counts matrices built per chunk of bootstrap replicates (memory bound).
_CHUNK_ELEMENTS = 4_000_000


def _positions(
    risk: FloatArray, churned: BoolArray
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], int, int]:
    """For each churned account: stayers with strictly lower risk, and with lower or equal."""
    stayers = np.sort(risk[~churned])
    churners = risk[churned]
    below = np.searchsorted(stayers, churners, side="left")
    upto = np.searchsorted(stayers, churners, side="right")
    return below, upto, int(churners.shape[0]), int(stayers.shape[0])


def roc_auc(score: FloatArray, churned: BoolArray, *, higher_is_better: bool = True) -> float:
    """Exact ROC AUC of ``score`` for predicting ``churned`` (ties count one half).

    A health score (``higher_is_better=True``) scores AUC 1 when every stayer outscores
    every churner; this equals ``sklearn.metrics.roc_auc_score(churned, -score)``. Both
    classes must be present and scores finite (callers drop missing scores first); NaN is
    returned when a class is empty.

    Examples
    --------
    >>> import numpy as np
    >>> roc_auc(np.array([90.0, 80.0, 40.0, 40.0]), np.array([False, False, True, False]))
    0.8333333333333334
    """
    risk = -score if higher_is_better else score
    below, upto, n1, n0 = _positions(risk, churned)
    if n1 == 0 or n0 == 0:
        return float("nan")
    # Integer counts: exact up to 2**53 pairs.
    return float(int(below.sum()) + int(upto.sum())) / (2.0 * n1 * n0)


def weighted_auc(
    score: FloatArray,
    churned: BoolArray,
    weight: FloatArray,
    *,
    higher_is_better: bool = True,
) -> float:
    """ROC AUC with every pair weighted by the product of its accounts' weights (e.g. ARR).

    Equal to ``roc_auc_score(churned, -score, sample_weight=weight)``. NaN when a class has
    no weight.

    Examples
    --------
    >>> import numpy as np
    >>> weighted_auc(np.array([90.0, 40.0, 50.0]), np.array([False, True, True]),
    ...              np.array([1.0, 3.0, 1.0]))
    1.0
    """
    risk = -score if higher_is_better else score
    stay = ~churned
    order = np.argsort(risk[stay], kind="stable")
    stayers = risk[stay][order]
    cumulative = np.concatenate([[0.0], np.cumsum(weight[stay][order])])
    churners = risk[churned]
    w1 = weight[churned]
    total1, total0 = float(w1.sum()), float(cumulative[-1])
    if total1 <= 0 or total0 <= 0:
        return float("nan")
    below = cumulative[np.searchsorted(stayers, churners, side="left")]
    upto = cumulative[np.searchsorted(stayers, churners, side="right")]
    return float(w1 @ (below + upto)) / (2.0 * total1 * total0)


def _resample_counts(
    rng: np.random.Generator, n: int, replicates: int
) -> npt.NDArray[np.int64]:
    """``replicates × n`` counts of how often each of ``n`` items is drawn (n draws each)."""
    draws = rng.integers(0, n, size=(replicates, n))
    draws += (np.arange(replicates) * n)[:, None]
    return np.bincount(draws.ravel(), minlength=replicates * n).reshape(replicates, n)


def bootstrap_auc(
    score: FloatArray,
    churned: BoolArray,
    *,
    replicates: int = 1000,
    seed: int = 0,
    higher_is_better: bool = True,
) -> FloatArray:
    """AUC of ``replicates`` stratified bootstrap resamples (seeded, reproducible).

    Churned and staying accounts are resampled separately with replacement, keeping the
    class sizes, so every replicate has an AUC. Replicates are computed a chunk at a time as
    counts matrices; there is no loop over accounts.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> churned = rng.random(400) < 0.2
    >>> score = rng.normal(size=400) - churned
    >>> aucs = bootstrap_auc(score, churned, replicates=200, seed=3)
    >>> aucs.shape, bool(0.6 < np.median(aucs) < 0.85)
    ((200,), True)
    """
    risk = -score if higher_is_better else score
    below, upto, n1, n0 = _positions(risk, churned)
    out = np.full(replicates, np.nan)
    if n1 == 0 or n0 == 0 or replicates <= 0:
        return out
    rng = np.random.default_rng(seed)
    chunk = max(1, _CHUNK_ELEMENTS // (n1 + n0 + 1))
    # Stayers are resampled by their position in sorted order (draws are exchangeable).
    for start in range(0, replicates, chunk):
        size = min(chunk, replicates - start)
        out[start : start + size] = counts_auc(
            below, upto, _resample_counts(rng, n1, size), _resample_counts(rng, n0, size)
        )
    return out


def counts_auc(
    below: npt.NDArray[np.intp],
    upto: npt.NDArray[np.intp],
    churner_counts: npt.NDArray[np.int64],
    stayer_counts: npt.NDArray[np.int64],
) -> FloatArray:
    """AUC of each row of resampling counts (churners in input order, stayers in sorted
    order), from the positions of the churners among the sorted stayers."""
    size, n0 = stayer_counts.shape
    cumulative = np.zeros((size, n0 + 1), dtype=np.int64)
    np.cumsum(stayer_counts, axis=1, out=cumulative[:, 1:])
    pairs = cumulative[:, below] + cumulative[:, upto]
    pair_counts = churner_counts.sum(axis=1) * cumulative[:, -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = (churner_counts * pairs).sum(axis=1) / (2.0 * pair_counts)
    return np.asarray(auc, dtype=np.float64)

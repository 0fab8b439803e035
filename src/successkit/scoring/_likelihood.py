"""The likelihood arithmetic behind a card's bands, all from counts: the binomial
log-likelihood of bands, the chi-square test bands must pass to beat a single band, each
band's weight of evidence, how much better a category's levels predict held-out folds than
one band, and whether missing values churn differently from a band."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from successkit._arrays import BoolArray, FloatArray

__all__ = ["SIGNIFICANCE", "chi2_tail", "critical_chi2", "levels_held_out", "loglik",
           "missing_signal", "woe"]

# Bands must beat one band by a likelihood-ratio test at this level, shared out over the
# splits that were searched (see :func:`critical_chi2`).
SIGNIFICANCE = 0.05


def chi2_tail(x: float, df: int) -> float:
    """The chance that a chi-square value with ``df`` (whole) degrees of freedom exceeds
    ``x``: a Poisson sum for even ``df``; erfc plus a series for odd.

    Examples
    --------
    >>> round(chi2_tail(3.841, 1), 3), round(chi2_tail(5.991, 2), 3)
    (0.05, 0.05)
    """
    if x <= 0.0:
        return 1.0
    half = x / 2.0
    if df % 2 == 0:
        term, total = 1.0, 1.0
        for i in range(1, df // 2):  # a loop over df / 2 terms
            term *= half / i
            total += term
        return min(math.exp(-half) * total, 1.0)
    term = math.sqrt(2.0 * x / math.pi) * math.exp(-half)
    total = math.erfc(math.sqrt(half))
    for i in range(df // 2):  # a loop over (df − 1) / 2 terms
        total += term
        term *= x / (2 * i + 3)
    return min(total, 1.0)


def critical_chi2(df: int, level: float) -> float:
    """The chi-square value with ``df`` degrees of freedom that chance exceeds with
    probability ``level``, found by bisection on the exact tail (:func:`chi2_tail`) for
    whole degrees of freedom.

    Examples
    --------
    >>> round(critical_chi2(1, 0.05), 2), round(critical_chi2(2, 0.05), 2)
    (3.84, 5.99)
    >>> round(critical_chi2(1, 0.001), 2), round(critical_chi2(9, 0.001), 2)
    (10.83, 27.88)
    """
    low, high = 0.0, 1.0
    while chi2_tail(high, df) > level:  # double until the tail is thin enough
        high *= 2.0
    for _ in range(60):  # bisection: far finer than any test needs
        mid = (low + high) / 2.0
        if chi2_tail(mid, df) > level:
            low = mid
        else:
            high = mid
    return (low + high) / 2.0


def loglik(n: FloatArray, e: FloatArray) -> FloatArray:
    """Binomial log-likelihood of each group at its own churn rate."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = e / n
        terms = e * np.log(rate) + (n - e) * np.log1p(-rate)
    result: FloatArray = np.nan_to_num(terms, nan=0.0)
    return result


def woe(accounts: FloatArray, churned: FloatArray, rate: float, prior: float) -> FloatArray:
    """Weight of evidence of staying per band, the churn rate shrunk toward ``rate``.

    Examples
    --------
    >>> woe(np.array([100.0, 100.0]), np.array([10.0, 30.0]), 0.2, 0.0).round(3).tolist()
    [0.811, -0.539]
    >>> woe(np.array([100.0, 0.0]), np.array([10.0, 0.0]), 0.2, 0.0).round(3).tolist()
    [0.811, 0.0]
    """
    # A band no account holds (with no prior) reads as the overall rate: no evidence.
    held = accounts + prior
    shrunk = np.divide(churned + prior * rate, held, out=np.full(held.shape, float(rate)),
                       where=held > 0)
    shrunk = np.clip(shrunk, 1e-6, 1 - 1e-6)
    result: FloatArray = np.log((1 - shrunk) / shrunk) - np.log((1 - rate) / rate)
    return result


def levels_held_out(codes: npt.NDArray[np.intp], churned: BoolArray,
                    folds: npt.NDArray[np.intp], n_folds: int, prior: float) -> float:
    """How much better the groups of ``codes`` (``0 ..``; a category's levels) predict
    each held-out fold than one group: the held-out log-likelihood of each group's churn
    rate, learnt without the fold and shrunk toward the training folds' overall rate by
    ``prior`` pseudo-accounts, less that of the overall rate, summed over the folds.

    Levels that differ only by chance predict held-out accounts worse than the overall
    rate, the more so the more levels there are:

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> folds = rng.integers(0, 5, 20_000)
    >>> churned = rng.random(20_000) < 0.3
    >>> noise = rng.integers(0, 150, 20_000)
    >>> plan = rng.integers(0, 2, 20_000)
    >>> churned |= (plan == 1) & (rng.random(20_000) < 0.2)
    >>> levels_held_out(noise, churned, folds, 5, 20.0) < 0 < levels_held_out(
    ...     plan, churned, folds, 5, 20.0)
    True
    """
    size = int(codes.max()) + 1 if codes.size else 1
    cell = folds * size + codes
    accounts = np.bincount(cell, minlength=n_folds * size).reshape(n_folds, size)
    lost = np.bincount(cell, weights=churned, minlength=n_folds * size).reshape(n_folds, size)
    n_train = accounts.sum(axis=0) - accounts
    e_train = lost.sum(axis=0) - lost
    overall = e_train.sum(axis=1, keepdims=True) / np.maximum(
        n_train.sum(axis=1, keepdims=True), 1.0)
    shrunk = (e_train + prior * overall) / np.maximum(n_train + prior, 1e-300)
    level = np.clip(shrunk, 1e-6, 1 - 1e-6)
    base = np.clip(overall, 1e-6, 1 - 1e-6)
    gain = lost * np.log(level / base) + (accounts - lost) * np.log((1 - level) / (1 - base))
    return float(gain.sum())


def missing_signal(n_missing: float, e_missing: float, n_ref: float, e_ref: float,
                   *, min_count: int) -> bool:
    """Whether missing values churn differently (two-proportion z ≥ 1.96) from the band a
    missing value would otherwise score as, with at least ``min_count`` of them."""
    if n_missing < min_count or n_ref <= 0:
        return False
    p1, p2 = e_missing / n_missing, e_ref / n_ref
    pooled = (e_missing + e_ref) / (n_missing + n_ref)
    var = pooled * (1 - pooled) * (1 / n_missing + 1 / n_ref)
    if var <= 0:
        return p1 != p2
    return bool(abs(p1 - p2) / np.sqrt(var) >= 1.96)

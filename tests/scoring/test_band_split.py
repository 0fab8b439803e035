"""The band count held-out folds choose: every band count's held-out log-likelihood, summed
in one pass over the candidate bins, matches a plain count of each band, fold by fold."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from successkit.scoring._band_split import TOLERANCE, feasible, held_out_bands, partitions
from successkit.scoring._binning import _free_blocks, _monotone_blocks

counts = st.tuples(st.integers(2, 5), st.integers(1, 30)).flatmap(
    lambda shape: st.lists(st.tuples(st.integers(0, 60), st.floats(0.0, 1.0)),
                           min_size=shape[0] * shape[1], max_size=shape[0] * shape[1]
                           ).map(lambda cells, shape=shape: (shape, cells)))


def _reference(n_f: np.ndarray, e_f: np.ndarray, former, k: int, min_share: float
               ) -> np.ndarray:
    """Every band count's held-out log-likelihood per fold, one band at a time."""
    folds, size = n_f.shape
    scores = [[0.0] * k for _ in range(folds)]
    for f in range(folds):
        n_train = [float(n_f[:, b].sum() - n_f[f, b]) for b in range(size)]
        e_train = [float(e_f[:, b].sum() - e_f[f, b]) for b in range(size)]
        if n_f[f].sum() == 0 or sum(n_train) == 0:
            continue
        parts = partitions(former(np.array(n_train), np.array(e_train)), k=k,
                           least=min_share * sum(n_train))
        for m in range(1, k + 1):
            starts = feasible(parts, m)
            ends = [*starts[1:], size]
            total = 0.0
            for lo, hi in zip(starts, ends, strict=True):
                rate = (sum(e_train[lo:hi]) + 0.5) / (sum(n_train[lo:hi]) + 1.0)
                churned = float(e_f[f, lo:hi].sum())
                stayed = float(n_f[f, lo:hi].sum()) - churned
                total += churned * math.log(rate) + stayed * math.log1p(-rate)
            scores[f][m - 1] = total
    return np.array(scores)


def _fewest_within_reach(table: np.ndarray, slack: float) -> tuple[int, int]:
    """The band counts the one-standard-error rule may choose, read off the reference's
    held-out table: the fewest whose total is within reach of the best, give or take
    ``slack`` (sums taken in another order may differ in their last digits)."""
    totals = table.sum(axis=0)
    best = int(np.argmax(totals))
    spread = np.sqrt(table.shape[0]) * np.std(table - table[:, [best]], axis=0, ddof=1)
    reach = totals[best] - np.maximum(spread, TOLERANCE)
    return (int(np.flatnonzero(totals >= reach - slack)[0]) + 1,
            int(np.flatnonzero(totals >= reach + slack)[0]) + 1)


@settings(max_examples=80, deadline=None)
@given(counts, st.integers(2, 8), st.sampled_from([0.0, 0.05, 0.2]), st.booleans())
def test_held_out_band_count_matches_a_band_by_band_count(
        data: tuple[tuple[int, int], list[tuple[int, float]]], k: int, min_share: float,
        free: bool) -> None:
    (folds, size), cells = data
    n_f = np.array([n for n, _ in cells], dtype=np.float64).reshape(folds, size)
    e_f = np.floor(n_f * np.array([r for _, r in cells]).reshape(folds, size))

    def former(n: np.ndarray, e: np.ndarray) -> list[list[float]]:
        return _free_blocks(n, e) if free else _monotone_blocks(n, e, 1)

    m, scores = held_out_bands(n_f, e_f, former, k, min_share)
    table = _reference(n_f, e_f, former, k, min_share)
    fewest, surely = _fewest_within_reach(table, slack=1e-9)
    assert fewest <= m <= surely
    np.testing.assert_allclose(scores, table[:, m - 1], rtol=1e-9, atol=1e-9)

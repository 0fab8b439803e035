"""Splitting ordered blocks of candidate bins into bands: the best split for every band
count, exactly, by dynamic programming; and the band count that held-out folds choose.

The blocks come from :mod:`successkit.scoring._binning` (pooled so the churn rate runs one
way, or turns once); these functions only cut them, so they work for any shape. Loops run
over band counts, folds and the few dozen blocks, never over accounts.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from successkit._arrays import FloatArray
from successkit.scoring._likelihood import loglik

__all__ = ["TOLERANCE", "Former", "feasible", "held_out_bands", "partitions"]

# More bands must predict held-out accounts better by at least this log-likelihood (and
# by a standard error of the difference, see ``held_out_bands``).
TOLERANCE = 0.5

#: Makes the blocks bands are cut from (``[first bin, accounts, churned]``, in value order)
#: out of candidate bins' counts.
Former = Callable[[FloatArray, FloatArray], list[list[float]]]


def partitions(
    blocks: list[list[float]], *, k: int, least: float
) -> list[tuple[list[int], float] | None]:
    """For each band count ``m = 1..k``: the best split of the (shaped) blocks into ``m``
    contiguous bands of at least ``least`` accounts each — as the first candidate bin of
    each band — and its log-likelihood, or ``None`` when no such split exists. Exact, by
    dynamic programming over the blocks' counts."""
    arr = np.array(blocks)
    b = arr.shape[0]
    n_cum = np.concatenate([[0.0], np.cumsum(arr[:, 1])])
    e_cum = np.concatenate([[0.0], np.cumsum(arr[:, 2])])
    # gain[i, j]: log-likelihood of one band over blocks i..j-1 (−inf when too small).
    i, j = np.triu_indices(b + 1, 1)
    n = n_cum[j] - n_cum[i]
    gain = np.full((b + 1, b + 1), -np.inf)
    gain[i, j] = np.where(n >= least, loglik(n, e_cum[j] - e_cum[i]), -np.inf)
    best = np.full((k + 1, b + 1), -np.inf)  # best[m, j]: blocks 0..j-1 in m bands
    back = np.zeros((k + 1, b + 1), dtype=np.intp)
    best[0, 0] = 0.0
    for m in range(1, k + 1):  # a loop over band counts (k is small)
        totals = best[m - 1][:, None] + gain  # split point i → end j
        back[m] = np.argmax(totals, axis=0)
        best[m] = totals[back[m], np.arange(b + 1)]
    result: list[tuple[list[int], float] | None] = []
    for m in range(1, k + 1):
        if not np.isfinite(best[m, b]):
            result.append(None)
            continue
        ends = [b]
        for level in range(m, 0, -1):
            ends.append(int(back[level, ends[-1]]))
        # The first band starts at the first candidate bin even when that bin is empty.
        starts = [0, *(int(blocks[lo][0]) for lo in ends[::-1][1:-1])]
        result.append((starts, float(best[m, b])))
    return result


def feasible(parts: list[tuple[list[int], float] | None], m: int) -> list[int]:
    """The starts of the best feasible split with at most ``m`` bands (one band if none)."""
    for count in range(m, 0, -1):
        part = parts[count - 1]
        if part is not None:
            return part[0]
    return [0]


def held_out_bands(n_f: FloatArray, e_f: FloatArray, former: Former, k: int,
                    min_share: float) -> tuple[int, FloatArray]:
    """The band count whose splits, learnt without each fold, predict that fold best (the
    smallest within ``TOLERANCE`` log-likelihood units of the best), and its held-out
    log-likelihood in each fold. ``former`` makes the blocks the bands are cut from (with
    their shape: monotone, or one turn) out of the training folds' counts."""
    folds, size = n_f.shape
    n_all, e_all = n_f.sum(axis=0), e_f.sum(axis=0)
    scores = np.zeros((folds, k))
    for f in range(folds):  # a loop over folds
        n_train, e_train = n_all - n_f[f], e_all - e_f[f]
        if n_f[f].sum() == 0 or n_train.sum() == 0:
            continue
        parts = partitions(former(n_train, e_train), k=k,
                            least=min_share * float(n_train.sum()))
        starts = [np.asarray(feasible(parts, m)) for m in range(1, k + 1)]
        # Every band count's bands at once: count m's bands are bins m·size onward, so one
        # bincount per total serves them all (each band sums its bins in the same order).
        flat: npt.NDArray[np.intp] = (np.stack([
            np.searchsorted(s, np.arange(size), side="right") - 1 for s in starts])
            + (np.arange(k) * size)[:, None]).ravel()
        nt, et, nh, eh = (np.bincount(flat, np.tile(counts, k), minlength=k * size
                                      ).reshape(k, size)
                          for counts in (n_train, e_train, n_f[f], e_f[f]))
        rate = (et + 0.5) / (nt + 1.0)
        held = eh * np.log(rate) + (nh - eh) * np.log1p(-rate)
        for m in range(k):  # a loop over band counts: each sums only its own bands
            scores[f, m] = float(np.sum(held[m, :starts[m].size]))
    totals = scores.sum(axis=0)
    best = int(np.argmax(totals))
    # The one-standard-error rule: the fewest bands whose held-out total is within one
    # standard error (of its difference from the best's, across the folds) of the best —
    # at least ``TOLERANCE``.
    spread = np.sqrt(folds) * np.std(scores - scores[:, [best]], axis=0, ddof=1)
    m = int(np.flatnonzero(totals >= totals[best] - np.maximum(spread, TOLERANCE))[0]) + 1
    return m, scores[:, m - 1]

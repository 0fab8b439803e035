"""Cut points: rounded quantile candidates, candidates close to a chosen cut, each cut moved
to the roundest number the data allow — so a card reads ``login_rate ≥ 0.7``, not
``≥ 0.7013`` — and the least-squares split of bins into bands."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from successkit._arrays import FloatArray
from successkit.scoring._likelihood import loglik
from successkit.scoring._number_runs import Runs

__all__ = ["ROUNDING_COST", "candidate_cuts", "least_squares_split", "near_cuts", "readable",
           "round_cuts", "round_significant"]


def round_significant(values: FloatArray, digits: int = 3) -> FloatArray:
    """``values`` rounded to ``digits`` significant digits (0 stays 0)."""
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(divide="ignore"):
        magnitude = np.floor(np.log10(np.abs(values)))
    # Below ~1e-300 the scale 10**(digits - 1 - magnitude) overflows: such values are kept.
    tiny = magnitude < -300
    magnitude = np.where(np.isfinite(magnitude) & ~tiny, magnitude, 0.0)
    scale = 10.0 ** (digits - 1 - magnitude)
    with np.errstate(over="ignore"):  # rounding up past the largest float keeps the value
        candidate = np.round(values * scale) / scale
    rounded: FloatArray = np.where(tiny | ~np.isfinite(candidate), values, candidate)
    return rounded


def readable(raw: FloatArray) -> FloatArray:
    """Distinct increasing ``raw`` values rounded to the fewest significant digits (2 to 4)
    that keep them apart, so cuts read ``0.35``, not ``0.3527``.

    Examples
    --------
    >>> readable(np.array([0.3527, 0.7013])).tolist(), readable(np.array([1.01, 1.02])).tolist()
    ([0.35, 0.7], [1.01, 1.02])
    """
    for digits in (2, 3, 4):
        cuts = np.unique(round_significant(raw, digits))
        if cuts.size == raw.size:
            break
    return cuts


def candidate_cuts(present: FloatArray, candidates: int, *, is_sorted: bool = False
                   ) -> FloatArray:
    """Distinct rounded quantile cuts strictly above the smallest value (so no band is
    empty by construction at the bottom); ``is_sorted``: ``present`` is already sorted."""
    qs = np.linspace(0.0, 1.0, candidates + 1)[1:-1]
    # ``np.quantile(..., method="inverted_cdf")`` read off one sort: a sort is cheaper
    # than the partitions behind many quantiles.
    ordered = present if is_sorted else np.sort(present)
    at = np.clip(np.ceil(ordered.size * qs - 1).astype(np.intp), 0, ordered.size - 1)
    cuts = readable(np.unique(ordered[at]))
    low, high = float(ordered[0]), float(ordered[-1])
    cuts = cuts[(cuts > low) & (cuts <= high)]
    if cuts.size == 0 and high > low:  # rounding swallowed every cut: cut at the median
        cuts = np.array([float(np.quantile(present, 0.5, method="higher"))])
        if cuts[0] <= low:
            cuts = np.array([high])
    result: FloatArray = cuts
    return result

def near_cuts(present: FloatArray, cuts: FloatArray, starts: list[int]) -> FloatArray:
    """``cuts`` and, around each chosen cut (``cuts[s − 1]`` for ``s`` in ``starts[1:]``),
    between its neighbouring candidates, up to 16 more at the fewest significant digits
    that give at least three — so a threshold at 0.5 is found as ``0.5``, not as
    ``0.4999``."""
    extra = [cuts]
    for s in starts[1:]:  # a loop over the few chosen cuts
        low = float(cuts[s - 2]) if s >= 2 else float(present[0])
        high = float(cuts[s]) if s < cuts.size else float(present[-1])
        window = present[np.searchsorted(present, low, side="left"):
                         np.searchsorted(present, high, side="left")]
        if window.size < 2:
            continue
        at = np.linspace(0, window.size - 1, 17).astype(np.intp)
        raw = np.unique(window[at])
        for digits in (2, 3, 4):
            local = np.unique(round_significant(raw, digits))
            local = local[(local > low) & (local < high)]
            if local.size >= 3:
                break
        extra.append(local)
    merged = np.unique(np.concatenate(extra))
    result: FloatArray = merged[(merged > present[0]) & (merged <= present[-1])]
    return result

# A cut moves to a rounder number when that costs less than this log-likelihood.
ROUNDING_COST = 1.0


def round_cuts(cuts: FloatArray, runs: Runs, present: FloatArray,
               direction: int | FloatArray, least: float) -> FloatArray:
    """Each cut moved to the roundest number (fewest significant digits) that keeps the
    cuts in order, every band at least ``least`` accounts and the churn rates monotone in
    ``direction`` (or, per step between bands, in each of its signs: a turn), and costs
    under :data:`ROUNDING_COST` log-likelihood — a threshold the data put at 0.701 reads
    0.7."""
    out = cuts.copy()

    def fit_of(candidate: FloatArray) -> float | None:
        n_f, e_f = runs.counts(candidate)
        n, e = n_f.sum(axis=0), e_f.sum(axis=0)
        rate = e / np.maximum(n, 1.0)
        steps = np.diff(rate) * direction
        if n.min() < least or bool(np.any(steps > 1e-12)):
            return None
        return float(loglik(n, e).sum())

    base = fit_of(out)
    if base is None:
        return out
    for j in range(out.size):  # a loop over the few cuts
        low = float(out[j - 1]) if j else float(present[0])
        high = float(out[j + 1]) if j + 1 < out.size else np.inf
        for digits in (1, 2, 3):
            rounded = float(round_significant(np.array([out[j]]), digits)[0])
            if rounded == float(out[j]):
                break
            if not (low < rounded < high and rounded <= float(present[-1])):
                continue
            trial = out.copy()
            trial[j] = rounded
            found = fit_of(trial)
            if found is not None and found >= base - ROUNDING_COST:
                out, base = trial, found
                break
    return out


def least_squares_split(weight: FloatArray, weighted: FloatArray, accounts: FloatArray, k: int,
                        least: float) -> tuple[FloatArray, Callable[[int], list[int]]]:
    """The best splits of consecutive bins into bands of at least ``least`` ``accounts``
    each, by least squares: for each band count ``m = 1 .. k``, the most weighted sum of
    squares the bands' means explain (``Σ_band (Σ weighted)² / Σ weight``, −inf when no
    split into ``m`` bands is feasible), found exactly by dynamic programming, and a
    function giving the first bin of each band of the best ``m``-band split.

    ``weighted`` is each bin's weight times its value: bins of values ``t`` with weights 1
    give the bands that leave the least spread of ``t`` inside them.

    Examples
    --------
    >>> explained, firsts = least_squares_split(np.full(4, 1.0), np.array([0.0, 0.1, 5.0,
    ...                                         5.2]), np.full(4, 10.0), k=3, least=10)
    >>> firsts(2)
    [0, 2]
    """
    b = weight.size
    cw = np.concatenate([[0.0], np.cumsum(weight)])
    cwz = np.concatenate([[0.0], np.cumsum(weighted)])
    cn = np.concatenate([[0.0], np.cumsum(accounts)])
    i, j = np.triu_indices(b + 1, 1)
    total_w, total_wz = cw[j] - cw[i], cwz[j] - cwz[i]
    # gain[i, j]: the weighted sum of squares one band over bins i .. j − 1 explains.
    gain = np.full((b + 1, b + 1), -np.inf)
    gain[i, j] = np.where(cn[j] - cn[i] >= least,
                          total_wz * total_wz / np.maximum(total_w, 1e-300), -np.inf)
    best = np.full((k + 1, b + 1), -np.inf)
    back = np.zeros((k + 1, b + 1), dtype=np.intp)
    best[0, 0] = 0.0
    for m in range(1, k + 1):  # a loop over band counts (k is small)
        totals = best[m - 1][:, None] + gain
        back[m] = np.argmax(totals, axis=0)
        best[m] = totals[back[m], np.arange(b + 1)]

    def firsts(m: int) -> list[int]:
        ends = [b]
        for level in range(m, 0, -1):  # backtrack over the few bands
            ends.append(int(back[level, ends[-1]]))
        return ends[::-1][:-1]

    explained: FloatArray = best[1:, b]
    return explained, firsts

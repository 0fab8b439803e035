"""Bands of a number whose churn follows a smooth curve: finer quantile bands whose points
lie on a logistic curve in the value (or its log), kept when that predicts held-out folds
better than free monotone steps.

A free step per band is the right card when churn jumps at a threshold (usage below one
login per seat); when it falls steadily with the value (tenure, charges), a few wide steps
lose what happens inside each band, and many free steps are noisy. Here the bands are
``k`` bands of the value (each at least ``min_share`` of the accounts, cuts rounded to
readable numbers) and each band's log-odds lies on ``a + s × t̄`` — ``t̄`` the band's mean
of the value or of ``sign(x) log(1 + |x|)`` — two numbers to learn whatever the band
count, so the staircase follows the curve with little variance. The cuts are quantiles,
a blend of quantiles and even widths, or *even-effect* cuts: those that leave the least
spread of ``t`` inside the bands, so the steps are narrow where the curve is steep (the
first months of tenure) and wide where it is flat; the shape that predicts held-out folds
best is kept. The points stay monotone in the direction (``s`` never runs against it),
and the card still reads as bands and points.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from successkit._arrays import BoolArray, FloatArray
from successkit.scoring._binning import HIGHER, Bins
from successkit.scoring._cut_points import candidate_cuts, least_squares_split, readable
from successkit.scoring._likelihood import SIGNIFICANCE, critical_chi2
from successkit.scoring._number_runs import Runs, read_runs

__all__ = ["smooth_number"]

# The ridge on a curve's slope (per standard deviation of the bands' mean value).
_RIDGE = 1.0
# Even-effect bands are made of this many quantile candidates at most.
_FINE = 100


def _first_at_least(u_at: Callable[[npt.NDArray[np.intp]], FloatArray], size: int,
                    targets: FloatArray) -> npt.NDArray[np.intp]:
    """The first index ``i`` in ``0 .. size`` with ``u(i) ≥ target`` for each target, for a
    nondecreasing ``u`` evaluated only at a few indices (a binary search per target)."""
    low = np.zeros(targets.size, dtype=np.intp)
    high = np.full(targets.size, size, dtype=np.intp)
    while bool(np.any(low < high)):  # about log2(size) rounds over the few targets
        active = low < high
        mid = (low + high) // 2
        below = u_at(np.minimum(mid, size - 1)) < targets
        low = np.where(active & below, mid + 1, low)
        high = np.where(active & ~below, mid, high)
    return low


def _readable_cuts(x: FloatArray, tx_at: Callable[[npt.NDArray[np.intp]], FloatArray],
                   k: int, mix: float, least: float) -> FloatArray:
    """Cuts for ``k`` bands evenly spaced in a blend of the accounts' rank (``mix`` 0:
    quantiles) and the transformed value (``mix`` 1: equal widths), rounded to readable
    numbers, dropping any that leave a band under ``least`` accounts; ``x`` is sorted and
    ``tx_at`` gives its transform at given indices. Only a few indices are read: the
    blend is nondecreasing along ``x``, so each cut is a binary search."""
    size = x.size
    ends = tx_at(np.array([0, size - 1], dtype=np.intp))
    t0 = float(ends[0])
    span = float(ends[1] - t0) or 1.0

    def u_at(i: npt.NDArray[np.intp]) -> FloatArray:
        # The same float operations, element by element, as on the whole sorted column.
        rank = i / size
        u: FloatArray = (1 - mix) * rank + mix * (tx_at(i) - t0) / span
        return u

    at = _first_at_least(u_at, size, np.arange(1, k) / k)
    cuts = readable(np.unique(x[np.minimum(at, size - 1)]))
    cuts = cuts[(cuts > x[0]) & (cuts <= x[-1])]
    counts = np.diff(np.concatenate([[0], np.searchsorted(x, cuts, side="left"),
                                     [size]]))
    kept: list[float] = []
    since = 0.0
    for j, cut in enumerate(cuts.tolist()):  # a loop over the few cuts
        since += float(counts[j])
        if since >= least and float(counts[j + 1:].sum()) >= least:
            kept.append(cut)
            since = 0.0
    return np.asarray(kept, dtype=np.float64)


def _even_effect_cuts(x: FloatArray, t: FloatArray, fine: FloatArray, k: int, least: float
                      ) -> FloatArray:
    """Cuts for at most ``k`` bands, each of at least ``least`` accounts, that leave the
    least spread of the transformed value ``t`` inside the bands (the smallest within-band
    sum of squares, found exactly by dynamic programming over the readable quantile
    candidates ``fine``): on a curve linear in ``t`` those are the staircase's best steps —
    narrow where the curve is steep (the first months of tenure), wide where it is flat.
    ``x`` is sorted and ``t`` its transform."""
    starts = np.concatenate([[0], np.searchsorted(x, fine, side="left")])
    accounts = np.diff(np.append(starts, x.size)).astype(np.float64)
    # ``reduceat`` reads one value for an empty run (two rounded candidates with no value
    # between them), so those are zeroed.
    sums = np.where(accounts > 0, np.add.reduceat(t, starts), 0.0)
    explained, firsts = least_squares_split(accounts, sums, accounts, k, least)
    m = 1
    while m < k and np.isfinite(explained[m]) and explained[m] > explained[m - 1]:
        m += 1  # more bands while they leave less spread
    cuts: FloatArray = np.asarray([fine[i - 1] for i in firsts(m)[1:]], dtype=np.float64)
    return cuts


def _fit_curve(g: FloatArray, n: FloatArray, e: FloatArray, sign: int
               ) -> tuple[float, float]:
    """``(a, s)`` of the churn log-odds ``a + s g`` fitted by Newton steps on band counts,
    with ``s`` of sign ``sign`` (0 if the data run the other way)."""
    total = float(n.sum())
    rate = min(max(float(e.sum()) / max(total, 1.0), 1e-6), 1 - 1e-6)
    a, s = float(np.log(rate / (1 - rate))), 0.0
    for _ in range(30):  # a few Newton steps on two numbers
        # Clipped: bands that (nearly) separate churn push the curve toward infinity.
        p = 1.0 / (1.0 + np.exp(-np.clip(a + s * g, -30.0, 30.0)))
        w = n * p * (1 - p)
        r = e - n * p
        # The 2 × 2 Newton system, solved in closed form.
        # A unit ridge on the slope keeps bands that separate churn finite.
        h00, h01, h11 = float(w.sum()) + 1e-9, float(w @ g), float(w @ (g * g)) + _RIDGE
        r0, r1 = float(r.sum()), float(r @ g) - _RIDGE * s
        det = h00 * h11 - h01 * h01
        if det <= 0:
            break
        da, ds = (h11 * r0 - h01 * r1) / det, (h00 * r1 - h01 * r0) / det
        if not np.isfinite(da + ds):
            break
        da, ds = min(max(da, -5.0), 5.0), min(max(ds, -5.0), 5.0)  # damped steps
        a, s = a + da, s + ds
        if max(abs(da), abs(ds)) < 1e-9:
            break
    if s * sign < 0:
        return float(np.log(rate / (1 - rate))), 0.0
    return a, s


def _loglik(n: FloatArray, e: FloatArray, eta: FloatArray) -> float:
    p = np.clip(1.0 / (1.0 + np.exp(-np.clip(eta, -30.0, 30.0))), 1e-12, 1 - 1e-12)
    return float(np.sum(e * np.log(p) + (n - e) * np.log1p(-p)))


def smooth_number(
    values: FloatArray,
    churned: BoolArray,
    *,
    k: int,
    direction: int,
    min_share: float,
    folds: npt.NDArray[np.intp],
    n_folds: int,
    runs: Runs | None = None,
) -> Bins | None:
    """Quantile bands of a number column (NaN missing) with points on a smooth monotone
    curve in ``direction`` (:data:`~successkit.scoring._binning.HIGHER`: churn falls as the
    value grows), or ``None`` when fewer than three bands fit or the curve says nothing;
    ``held_out`` is the curve's log-likelihood on held-out ``folds`` (present values);
    ``runs``: the column already read by
    :func:`~successkit.scoring._number_runs.read_runs` with these folds.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> tenure = rng.uniform(0, 72, 5000).round()
    >>> churned = rng.random(5000) < 1 / (1 + np.exp(np.log1p(tenure) - 2))
    >>> bins = smooth_number(tenure, churned, k=5, direction=1, min_share=0.05,
    ...                      folds=np.arange(5000) % 5, n_folds=5)
    >>> bins.cuts, bins.n_bands  # narrow steps where churn falls fastest
    ((5.0, 13.0, 26.0, 45.0), 5)
    >>> all(np.diff(bins.profile) > 0)  # the log-odds of staying rise with tenure
    True
    """
    if runs is None:
        runs = read_runs(values, churned, folds, n_folds)
    ordered = runs.ordered
    size_all = ordered.size
    if size_all == 0:
        return None
    # Fewer than three distinct values: read off the sorted column at two places.
    second = int(np.searchsorted(ordered, ordered[0], side="right"))
    if second >= size_all or int(np.searchsorted(
            ordered, ordered[second], side="right")) >= size_all:
        return None
    sign = -1 if direction == HIGHER else 1  # of the churn log-odds' slope
    least = min_share * float(size_all)

    def signed_log(v: FloatArray) -> FloatArray:
        result: FloatArray = np.sign(v) * np.log1p(np.abs(v))
        return result

    def plain_at(i: npt.NDArray[np.intp]) -> FloatArray:
        return ordered[i]

    def log_at(i: npt.NDArray[np.intp]) -> FloatArray:
        return signed_log(ordered[i])

    # Every statistic below is a total over a band and a fold: counts from the runs, and
    # the bands' sums of the value (or its log) from runs of the sorted column.
    scaled: dict[int, FloatArray] = {0: ordered}
    counted: dict[tuple[float, ...], tuple[FloatArray, FloatArray]] = {}
    best: tuple[float, FloatArray, FloatArray, FloatArray, FloatArray] | None = None
    fine = candidate_cuts(ordered, _FINE, is_sorted=True)
    tried = 0
    for scale, at in ((0, plain_at), (1, log_at)):
        if scale not in scaled:
            scaled[scale] = signed_log(ordered)
        for mix in (0.0, 0.5, None):  # a loop over six candidate shapes
            cuts = (_even_effect_cuts(ordered, scaled[scale], fine, k, least) if mix is None
                    else _readable_cuts(ordered, at, k, mix, least))
            if cuts.size < 2:
                continue
            tried += 1
            key = tuple(cuts.tolist())
            if key not in counted:  # quantile cuts are the same for both scales
                counted[key] = runs.counts(cuts)
            n_f, e_f = counted[key]
            n, e = n_f.sum(axis=0), e_f.sum(axis=0)
            edges = np.searchsorted(ordered, cuts, side="left")
            # Bands hold at least ``least`` accounts, so every run is non-empty.
            g = np.add.reduceat(scaled[scale], np.concatenate([[0], edges])) / np.maximum(
                n, 1.0)
            g = (g - float(g.mean())) / (float(g.std()) or 1.0)
            score = 0.0
            for f in range(n_folds):  # a loop over folds
                a, s = _fit_curve(g, n - n_f[f], e - e_f[f], sign)
                score += _loglik(n_f[f], e_f[f], a + s * g)
            if best is None or score > best[0]:
                best = (score, g, cuts, n, e)
    if best is None:
        return None
    held_out, g, cuts, n, e = best
    size = cuts.size + 1
    a, s = _fit_curve(g, n, e, sign)
    rate = min(max(float(e.sum()) / max(float(n.sum()), 1.0), 1e-6), 1 - 1e-6)
    base = _loglik(n, e, np.full(size, np.log(rate / (1 - rate))))
    # The curve must beat one band by the same likelihood-ratio test as steps (1 degree
    # of freedom), shared out over the shapes tried.
    if s == 0.0 or 2.0 * (_loglik(n, e, a + s * g) - base) < critical_chi2(
            1, SIGNIFICANCE / tried):
        return None
    # Weight of evidence of staying: the curve's log-odds against the overall odds,
    # rounded far below a point so that summing the rows in another order changes nothing.
    profile = np.round(-(a + s * g) - np.log((1 - rate) / rate), 9)
    return Bins(
        cuts=tuple(float(c) for c in cuts),
        direction=direction,
        profile=tuple(float(v) for v in profile),
        accounts=(*(int(c) for c in n), runs.n_missing),
        churned=(*(round(float(c)) for c in e), runs.e_missing),
        held_out=held_out,
    )

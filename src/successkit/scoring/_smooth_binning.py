"""Bands of a number whose churn follows a smooth curve: finer quantile bands whose points
lie on a logistic curve in the value (or its log), kept when that predicts held-out folds
better than free monotone steps.

A free step per band is the right card when churn jumps at a threshold (usage below one
login per seat); when it falls steadily with the value (tenure, charges), a few wide steps
lose what happens inside each band, and many free steps are noisy. Here the bands are the
``k`` quantile bands of the value (each at least ``min_share`` of the accounts, cuts
rounded to readable numbers) and each band's log-odds lies on ``a + s × t̄`` — ``t̄`` the
band's mean of the value or of ``sign(x) log(1 + |x|)`` — two numbers to learn whatever
the band count, so the staircase follows the curve with little variance. The points stay
monotone in the direction (``s`` never runs against it), and the card still reads as
bands and points.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from successkit._arrays import BoolArray, FloatArray
from successkit.scoring._binning import HIGHER, Bins, round_significant

__all__ = ["smooth_number"]

# A smooth curve must beat one band by a likelihood-ratio test at 0.1 % (1 degree of
# freedom), as steps must.
_CHI2_999_1 = 10.83
# The ridge on a curve's slope (per standard deviation of the bands' mean value).
_RIDGE = 1.0


def _readable_cuts(x: FloatArray, tx: FloatArray, k: int, mix: float,
                   least: float) -> FloatArray:
    """Cuts for ``k`` bands evenly spaced in a blend of the accounts' rank (``mix`` 0:
    quantiles) and the transformed value ``tx`` (``mix`` 1: equal widths), rounded to
    readable numbers, dropping any that leave a band under ``least`` accounts; ``x`` is
    sorted, ``tx`` its transform."""
    rank = np.arange(x.size) / x.size
    span = float(tx[-1] - tx[0]) or 1.0
    u = (1 - mix) * rank + mix * (tx - tx[0]) / span
    at = np.searchsorted(u, np.arange(1, k) / k)
    raw = np.unique(x[np.minimum(at, x.size - 1)])
    for digits in (2, 3, 4):  # the fewest significant digits that keep them apart
        cuts = np.unique(round_significant(raw, digits))
        if cuts.size == raw.size:
            break
    cuts = cuts[(cuts > x[0]) & (cuts <= x[-1])]
    counts = np.diff(np.concatenate([[0], np.searchsorted(x, cuts, side="left"),
                                     [x.size]]))
    kept: list[float] = []
    since = 0.0
    for j, cut in enumerate(cuts.tolist()):  # a loop over the few cuts
        since += float(counts[j])
        if since >= least and float(counts[j + 1:].sum()) >= least:
            kept.append(cut)
            since = 0.0
    return np.asarray(kept, dtype=np.float64)


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
) -> Bins | None:
    """Quantile bands of a number column (NaN missing) with points on a smooth monotone
    curve in ``direction`` (:data:`~successkit.scoring._binning.HIGHER`: churn falls as the
    value grows), or ``None`` when fewer than three bands fit or the curve says nothing;
    ``held_out`` is the curve's log-likelihood on held-out ``folds`` (present values).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> tenure = rng.uniform(0, 72, 5000).round()
    >>> churned = rng.random(5000) < 1 / (1 + np.exp(np.log1p(tenure) - 2))
    >>> bins = smooth_number(tenure, churned, k=5, direction=1, min_share=0.05,
    ...                      folds=np.arange(5000) % 5, n_folds=5)
    >>> bins.cuts, bins.n_bands
    ((14.0, 29.0, 43.0, 58.0), 5)
    >>> all(np.diff(bins.profile) > 0)  # the log-odds of staying rise with tenure
    True
    """
    missing = np.isnan(values)
    present = values[~missing]
    y = churned[~missing].astype(np.float64)
    ordered = np.sort(present)
    if np.count_nonzero(np.diff(ordered)) < 2:  # fewer than three distinct values
        return None
    fold = folds[~missing]
    sign = -1 if direction == HIGHER else 1  # of the churn log-odds' slope
    least = min_share * float(present.size)
    best: tuple[float, FloatArray, FloatArray, npt.NDArray[np.intp], FloatArray,
                FloatArray] | None
    best = None
    counted: dict[tuple[float, ...], tuple[npt.NDArray[np.intp], FloatArray, FloatArray]] = {}
    def signed_log(v: FloatArray) -> FloatArray:
        result: FloatArray = np.sign(v) * np.log1p(np.abs(v))
        return result

    for t, ordered_t in ((present, ordered), (signed_log(present), signed_log(ordered))):
        for mix in (0.0, 0.5):  # a loop over four candidate shapes
            cuts = _readable_cuts(ordered, ordered_t, k, mix, least)
            if cuts.size < 2:
                continue
            size = cuts.size + 1
            key = tuple(cuts.tolist())
            if key not in counted:  # quantile cuts are the same for both scales
                band: npt.NDArray[np.intp] = np.searchsorted(cuts, present, side="right")
                slot = fold * size + band
                counts = np.bincount(slot, minlength=n_folds * size).astype(np.float64)
                bad = np.asarray(np.bincount(slot, weights=y, minlength=n_folds * size),
                                 dtype=np.float64)
                counted[key] = (band, counts.reshape(n_folds, -1), bad.reshape(n_folds, -1))
            codes, n_f, e_f = counted[key]
            n, e = n_f.sum(axis=0), e_f.sum(axis=0)
            g = np.bincount(codes, weights=t, minlength=size) / np.maximum(n, 1.0)
            g = (g - float(g.mean())) / (float(g.std()) or 1.0)
            score = 0.0
            for f in range(n_folds):  # a loop over folds
                a, s = _fit_curve(g, n - n_f[f], e - e_f[f], sign)
                score += _loglik(n_f[f], e_f[f], a + s * g)
            if best is None or score > best[0]:
                best = (score, g, cuts, codes, n, e)
    if best is None:
        return None
    held_out, g, cuts, codes, n, e = best
    size = cuts.size + 1
    a, s = _fit_curve(g, n, e, sign)
    rate = min(max(float(e.sum()) / max(float(n.sum()), 1.0), 1e-6), 1 - 1e-6)
    base = _loglik(n, e, np.full(size, np.log(rate / (1 - rate))))
    if s == 0.0 or 2.0 * (_loglik(n, e, a + s * g) - base) < _CHI2_999_1:
        return None
    # Weight of evidence of staying: the curve's log-odds against the overall odds,
    # rounded far below a point so that summing the rows in another order changes nothing.
    profile = np.round(-(a + s * g) - np.log((1 - rate) / rate), 9)
    row_codes = np.full(values.shape, size, dtype=np.int16)
    row_codes[~missing] = codes.astype(np.int16)
    return Bins(
        cuts=tuple(float(c) for c in cuts),
        direction=direction,
        profile=tuple(float(v) for v in profile),
        accounts=(*(int(c) for c in n), int(missing.sum())),
        churned=(*(round(float(c)) for c in e), int(churned[missing].sum())),
        held_out=held_out,
        row_codes=row_codes,
    )

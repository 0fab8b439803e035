"""The regression behind a fitted card: an additive logistic model of churn with points per
band, monotone in each number's direction, fitted by cyclic block Newton steps on per-band
sums; and the row keys that choose folds and samples.

A card's linear predictor (the log-odds of staying) is an intercept plus one value per band
of each metric. Bands of one metric never overlap, so that metric's block of the Newton
curvature is diagonal: a step needs only each band's summed gradient and curvature — two
``np.bincount`` calls over the band codes — and the best monotone step is the weighted
isotonic regression (pool adjacent violators) of the Newton targets. The metrics are
updated in turn (backfitting) until no band value moves, so a metric's points are those it
earns *next to* the others, not on its own. Every pass is O(rows × metrics) with no design
matrix: the memory a fit needs beyond its input is a few float64 vectors per row.

A metric's block is either free band values (monotone where ordered) or one coefficient
≥ 0 times a fixed profile (the bands' weight of evidence): the classic scorecard, with a
single number to learn per metric.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import BoolArray, FloatArray
from successkit.errors import ModelError
from successkit.scoring._turns import peaked
from successkit.scoring.isotonic import pool_adjacent_violators

__all__ = [
    "Additive",
    "RowKeys",
    "Shape",
    "backfit",
    "cv_folds",
    "isotonic",
    "log_loss",
    "predictor",
    "residuals",
]

Codes = npt.NDArray[np.int16]

# The largest change of one band value in one Newton step (log-odds): keeps the first
# steps of a nearly separating band from overshooting.
_MAX_STEP = 2.0
# The chunk of rows used when reading band codes into the linear predictor.
CHUNK = 1 << 16


@attrs.frozen(kw_only=True, eq=False)
class Additive:
    """Band values per metric (log-odds of staying), intercept, passes and the mean
    log-loss (without the penalty)."""

    tables: tuple[FloatArray, ...]
    intercept: float
    passes: int
    loss: float


def isotonic(target: FloatArray, weight: FloatArray, direction: int) -> FloatArray:
    """The weighted least-squares fit to ``target`` that never decreases (``direction``
    1) or never increases (−1), by pool adjacent violators.

    Examples
    --------
    >>> isotonic(np.array([1.0, 3.0, 2.0]), np.array([1.0, 1.0, 1.0]), 1).tolist()
    [1.0, 2.5, 2.5]
    """
    values = target if direction > 0 else -target
    # A floor on the weights: two empty bands pool to their plain average.
    fitted = pool_adjacent_violators(values, np.maximum(weight, 1e-12))
    result: FloatArray = fitted if direction > 0 else -fitted
    return result


@attrs.frozen(kw_only=True, eq=False)
class Shape:
    """How one metric's band values may move: the first ``ordered`` codes monotone in
    ``direction`` (1 never down, −1 never up) — up to code ``turn`` and the other way
    after it, when set — or the codes of ``order`` never down along it, the rest free;
    or, with a ``profile``, only as one coefficient ≥ 0 times that profile (the penalty
    then applies to the coefficient)."""

    ordered: int = 0
    direction: int = 1
    turn: int | None = None
    profile: FloatArray | None = None
    #: Codes in an order their values must never decrease along (a category's levels by
    #: observed churn), instead of ``ordered``.
    order: npt.NDArray[np.intp] | None = None


def _project(target: FloatArray, weight: FloatArray, shape: Shape) -> FloatArray:
    if shape.order is not None:
        out = target.copy()
        out[shape.order] = isotonic(target[shape.order], weight[shape.order], 1)
        return out
    if shape.ordered < 2:
        return target
    out = target.copy()
    head = slice(0, shape.ordered)
    if shape.turn is None:
        steps = np.subtract(target[1:shape.ordered], target[:shape.ordered - 1])
        steps *= shape.direction
        if np.minimum.reduce(steps) >= 0.0:
            return target  # already in order: nothing to pool
        out[head] = isotonic(target[head], weight[head], shape.direction)
    else:  # rising to the turn then falling (direction 1), or the reverse
        sign = float(shape.direction)
        out[head] = sign * peaked(sign * target[head], weight[head], shape.turn)
    return out


def log_loss(eta: FloatArray, stay: FloatArray) -> float:
    """Mean log-loss of the staying probabilities ``sigmoid(eta)``."""
    return float(np.mean(np.logaddexp(0.0, -eta) + (1.0 - stay) * eta)) if eta.size else 0.0


def _sigmoid(eta: FloatArray, out: FloatArray) -> FloatArray:
    np.negative(eta, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.reciprocal(out, out=out)
    return out


def _coefficient(table: FloatArray, profile: FloatArray | None) -> float:
    if profile is None:
        return 0.0
    norm = float(profile @ profile)
    return max(float(table @ profile) / norm, 0.0) if norm > 0 else 0.0


def predictor(codes: Sequence[Codes], tables: Sequence[FloatArray], intercept: float,
              n: int) -> FloatArray:
    """The linear predictor of every row: the intercept plus each metric's band value."""
    eta = np.full(n, intercept)
    for c, table in zip(codes, tables, strict=True):  # a loop over metrics
        eta += table[c]
    return eta


def residuals(codes: Sequence[Codes], fit: Additive, churned: BoolArray
              ) -> tuple[FloatArray, FloatArray]:
    """Each row's residual of staying (stayed − P(stay)) and the curvature P(1 − P) under
    ``fit``: what a score test of a metric not (or not freely) on the card reads.

    Examples
    --------
    >>> fit = Additive(tables=(np.array([0.0, 0.0]),), intercept=0.0, passes=1, loss=0.0)
    >>> residual, curve = residuals([np.array([0, 1], np.int16)], fit, np.array([True, False]))
    >>> residual.tolist(), curve.tolist()
    ([-0.5, 0.5], [0.25, 0.25])
    """
    eta = predictor(codes, fit.tables, fit.intercept, churned.shape[0])
    p = 1.0 / (1.0 + np.exp(-np.clip(eta, -30.0, 30.0)))
    residual: FloatArray = (~churned).astype(np.float64) - p
    return residual, p * (1.0 - p)


def backfit(
    codes: Sequence[Codes],
    shapes: Sequence[Shape],
    sizes: Sequence[int],
    churned: BoolArray,
    *,
    l2: float,
    anchor: Sequence[FloatArray] | None = None,
    start: tuple[Sequence[FloatArray], float] | None = None,
    max_passes: int = 60,
    tol: float = 1e-3,
) -> Additive:
    """``P(stay) = sigmoid(b + Σ_j f_j[code_j])`` with each ``f_j`` shaped by its
    :class:`Shape`, penalised by ``½ l2 Σ (f − anchor)²`` (anchor 0 by default).

    ``codes[j]`` is the band of every row for metric ``j`` (``0 .. sizes[j] − 1``);
    ``start`` warm-starts ``(tables, intercept)``. Passes stop once no band value (nor the
    intercept) moves by ``tol`` log-odds, or after ``max_passes`` — a nearly collinear
    pair of metrics converges slowly, and the points are rounded far coarser than that.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> band = rng.integers(0, 3, 20_000).astype(np.int16)
    >>> truth = np.array([0.0, 1.0, 1.5])
    >>> churned = rng.random(20_000) < 1 / (1 + np.exp(truth[band]))
    >>> fit = backfit([band], [Shape(ordered=3, direction=1)], [3], churned, l2=1.0)
    >>> np.round(fit.tables[0] - fit.tables[0][0], 1).tolist()
    [0.0, 1.0, 1.5]
    """
    n = churned.shape[0]
    stay = (~churned).astype(np.float64)
    m = len(codes)
    # Read as machine-size indices once: every pass counts and gathers by them.
    codes = [np.asarray(c, dtype=np.intp) for c in codes]
    anchors = [np.zeros(s) for s in sizes] if anchor is None else [a.copy() for a in anchor]
    if start is None:
        rate = float(stay.mean()) if n else 0.5
        rate = min(max(rate, 1e-6), 1 - 1e-6)
        tables = [a.copy() for a in anchors]
        intercept = float(np.log(rate / (1 - rate)))
    else:
        tables = [t.astype(np.float64, copy=True) for t in start[0]]
        intercept = float(start[1])
    eta = predictor(codes, tables, intercept, n)
    p = np.empty(n)
    residual = np.empty(n)
    curve = np.empty(n)
    shapes = list(shapes)
    coefs = [_coefficient(t, shape.profile) for t, shape in zip(tables, shapes, strict=True)]
    passes = 0
    for passes in range(1, max_passes + 1):  # a loop over passes and metrics  # noqa: B007
        moved = 0.0
        for j in range(m):
            _sigmoid(eta, p)
            np.subtract(p, stay, out=residual)
            np.subtract(1.0, p, out=curve)
            curve *= p
            grad = np.asarray(np.bincount(codes[j], residual, minlength=sizes[j]), np.float64)
            hess = np.asarray(np.bincount(codes[j], curve, minlength=sizes[j]), np.float64)
            f = tables[j]
            weight = hess + l2
            target = f - (grad + l2 * (f - anchors[j])) / weight
            profile = shapes[j].profile
            if profile is None:
                new = _project(target, weight, shapes[j])
            else:
                # One coefficient: a Newton step along the profile, kept ≥ 0.
                slope = float(grad @ profile) + l2 * coefs[j]
                bend = float(hess @ (profile * profile)) + l2
                step_c = max(coefs[j] - slope / bend, 0.0) - coefs[j]
                reach = _MAX_STEP / max(float(np.abs(profile).max(initial=0.0)), 1e-12)
                step_c = min(max(step_c, -reach), reach)
                coefs[j] += step_c
                new = f + step_c * profile
            delta = new - f
            if profile is None:
                np.minimum(np.maximum(delta, -_MAX_STEP, out=delta), _MAX_STEP, out=delta)
            largest = float(np.maximum.reduce(np.abs(delta))) if delta.size else 0.0
            if not largest < np.inf:  # NaN or infinite
                raise ModelError("the card's regression diverged; use a larger l2")
            tables[j] = f + delta
            eta += delta.take(codes[j])
            moved = max(moved, largest)
        _sigmoid(eta, p)
        step = float((stay - p).sum()) / max(float((p * (1.0 - p)).sum()), 1e-300)
        # Where nearly every prediction is saturated the curvature vanishes and a full
        # Newton step overshoots without bound; the intercept moves as far as a band may.
        step = min(max(step, -_MAX_STEP), _MAX_STEP)
        intercept += step
        eta += step
        # A constant added to a metric's band values and taken off the intercept predicts
        # the same; the penalty is least when the values sit around their anchor on
        # average, as they do at the optimum. Passes alone trade that constant between
        # the intercept and fifty metrics a little at a time, so it is set exactly here.
        for j in range(m):
            if shapes[j].profile is None:
                shift = float(np.add.reduce(tables[j] - anchors[j])) / sizes[j]
                tables[j] = tables[j] - shift
                intercept += shift
                moved = max(moved, abs(shift))
        if moved < tol and abs(step) < tol:
            break
    return Additive(tables=tuple(tables), intercept=intercept, passes=passes,
                    loss=log_loss(eta, stay))


@attrs.frozen(kw_only=True, eq=False)
class RowKeys:
    """A hash of each row's group (an account id, a period): rows of one group share it
    and shuffled rows keep it, so folds and samples read off it depend on the data, never
    on the row order."""

    hash: npt.NDArray[np.uint64]

    @classmethod
    def of(cls, groups: npt.NDArray[np.str_]) -> RowKeys:
        text = np.ascontiguousarray(np.asarray(groups).astype(np.str_))
        n = text.shape[0]
        width = max(text.dtype.itemsize // 4, 1)
        chars = text.view(np.uint32).reshape(n, width) if n else np.zeros((0, width), np.uint32)
        value = np.full(n, 14695981039346656037, dtype=np.uint64)  # FNV-1a, 64 bits
        prime = 1099511628211
        # Ids are padded with zeros to the array's width (often far more than their length:
        # 22 characters for "a1" … "a999999"); past the longest id every step only
        # multiplies by the prime, so those steps are one multiplication.
        used = int(np.char.str_len(text).max(initial=0)) if n else 0
        for j in range(used):  # a loop over character positions, not rows
            value ^= chars[:, j]
            value *= np.uint64(prime)
        value *= np.uint64(pow(prime, width - used, 1 << 64))
        # Mix the high bits down, so any modulus spreads the keys evenly.
        value ^= value >> np.uint64(29)
        value *= np.uint64(0xBF58476D1CE4E5B9)
        value ^= value >> np.uint64(32)
        return cls(hash=value)

    def folds(self, folds: int) -> npt.NDArray[np.intp]:
        """The fold of each row (``0 .. folds − 1``)."""
        fold: npt.NDArray[np.intp] = (self.hash % np.uint64(folds)).astype(np.intp)
        return fold

    def take(self, rows: npt.NDArray[np.intp]) -> RowKeys:
        """The keys of ``rows`` only."""
        return RowKeys(hash=self.hash[rows])

    def sample(self, rows: int) -> npt.NDArray[np.intp]:
        """About ``rows`` rows, whole groups at a time (all rows when there are fewer): the
        groups whose keys' high bits are smallest, so a sample of a sample is a sample."""
        n = self.hash.shape[0]
        if n <= rows:
            return np.arange(n)
        # The high bits pick the sample, independently of the folds (the low bits).
        bits = self.hash >> np.uint64(40)
        limit = np.partition(bits, rows - 1)[rows - 1]
        chosen: npt.NDArray[np.intp] = np.flatnonzero(bits <= limit)
        return chosen


def cv_folds(groups: npt.NDArray[np.str_], folds: int) -> npt.NDArray[np.intp]:
    """Fold of each row: rows of one group (an account id, a period) share a fold.

    Folds follow a hash of the group keys, not row order, so shuffled rows get the same
    folds.

    Examples
    --------
    >>> folds = cv_folds(np.array(["b", "a", "b", "c"]), 2)
    >>> bool(folds[0] == folds[2])
    True
    """
    return RowKeys.of(groups).folds(folds)

"""Isotonic regression by pool-adjacent-violators, for monotone calibration curves."""

from __future__ import annotations

import numpy as np

from successkit._arrays import FloatArray

__all__ = ["isotonic_decreasing", "pool_adjacent_violators"]



def pool_adjacent_violators(values: FloatArray, weights: FloatArray) -> FloatArray:
    """The non-decreasing sequence closest to ``values`` in weighted least squares.

    Adjacent blocks that violate the order are pooled into their weighted mean until none
    does. The loop runs over blocks (at most once per input value, amortised linear time),
    so callers aggregate tied inputs first: a calibration curve has one value per distinct
    score, not per account.

    Examples
    --------
    >>> import numpy as np
    >>> pool_adjacent_violators(np.array([1.0, 3.0, 2.0, 4.0]), np.ones(4)).tolist()
    [1.0, 2.5, 2.5, 4.0]
    """
    means: list[float] = []
    masses: list[float] = []
    lengths: list[int] = []
    for value, weight in zip(values.tolist(), weights.tolist(), strict=True):
        mean, mass, length = value, weight, 1
        while means and means[-1] >= mean:
            previous, previous_mass = means.pop(), masses.pop()
            total = previous_mass + mass
            mean = (previous * previous_mass + mean * mass) / total if total > 0 else mean
            mass = total
            length += lengths.pop()
        means.append(mean)
        masses.append(mass)
        lengths.append(length)
    return np.repeat(np.asarray(means, dtype=np.float64), lengths)


def isotonic_decreasing(
    x: FloatArray, y: FloatArray, weights: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """Distinct ``x`` ascending and the non-increasing fit of ``y`` at each of them.

    Tied ``x`` are averaged first (weighted), as scikit-learn's ``IsotonicRegression``
    does, so the fit equals ``IsotonicRegression(increasing=False)`` at every knot.

    Examples
    --------
    >>> import numpy as np
    >>> knots, fit = isotonic_decreasing(np.array([10.0, 20, 20, 30]),
    ...                                  np.array([1.0, 0, 1, 1]))
    >>> knots.tolist(), fit.tolist()
    ([10.0, 20.0, 30.0], [1.0, 0.6666666666666666, 0.6666666666666666])
    """
    w = np.ones_like(x) if weights is None else weights
    knots, inverse = np.unique(x, return_inverse=True)
    inverse = inverse.reshape(-1)
    mass = np.bincount(inverse, w, minlength=knots.shape[0]).astype(np.float64)
    sums = np.bincount(inverse, w * y, minlength=knots.shape[0]).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(mass > 0, sums / np.where(mass > 0, mass, 1.0), 0.0)
    # Non-increasing in x is non-decreasing in reversed x.
    fit = pool_adjacent_violators(means[::-1], mass[::-1])[::-1]
    return knots, np.ascontiguousarray(fit)

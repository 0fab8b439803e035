"""Schemes that read a number: :class:`Thresholds` (steps between cut points),
:class:`Linear` (a ramp between two values) and :class:`Percentile` (rank among the
accounts scored together)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from functools import cached_property
from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import FloatArray
from successkit.data.column import Column
from successkit.errors import DataError, ModelError
from successkit.scoring._scheme import (
    Scheme,
    as_scores,
    flag,
    floats,
    lookup,
    optional_floats,
    positive,
    to_max_points,
)
from successkit.scoring._serial import number

__all__ = ["Linear", "Percentile", "Thresholds"]


# Up to this many cuts, Thresholds counts comparisons instead of searching.
_FEW_CUTS = 16
# The shapes a Thresholds scheme's points may take along the values.
SHAPES = ("monotone", "middle_is_best", "middle_is_worst", "free")


def _to_shape(value: Any) -> str:
    if not isinstance(value, str) or value not in SHAPES:
        raise ModelError(f"shape must be one of {', '.join(SHAPES)}; got {value!r}")
    return str(value)


def turns_once(points: tuple[float, ...], shape: str) -> bool:
    """Whether ``points`` (in value order) rise then fall (``middle_is_best``) or fall then
    rise (``middle_is_worst``), either side possibly flat."""
    steps = np.diff(np.asarray(points, dtype=np.float64))
    if shape == "middle_is_worst":
        steps = -steps
    falling = np.flatnonzero(steps < 0)
    # Once the points fall, they never rise again.
    return falling.size == 0 or not bool(np.any(steps[falling[0]:] > 0))


def _to_special(value: Any) -> tuple[tuple[float, float], ...]:
    """Special values → points, as ``(value, points)`` pairs in value order: from a
    mapping, or from pairs (as the JSON writes them)."""
    if value is None:
        return ()
    # Pairs are read as pairs, not through a dict, so a value listed twice is caught.
    items = list(value.items()) if isinstance(value, Mapping) else None
    if isinstance(value, (list, tuple)) and all(
            isinstance(p, (list, tuple)) and len(p) == 2 for p in value):
        items = [tuple(p) for p in value]
    if items is None:
        raise ModelError(f"special takes a mapping of value → points, got {value!r}")
    found = [(number(v, what="a special value"),
              number(p, what=f"the points of special value {v!r}")) for v, p in items]
    codes = [v for v, _ in found]
    if len(set(codes)) != len(codes):
        raise ModelError(f"special lists a value twice: {sorted(codes)}")
    if any(p < 0 for _, p in found):
        raise ModelError(f"special points must not be negative, got {dict(found)}")
    return tuple(sorted(found))


def _to_low(value: Any) -> float:
    return number(value, what="low")


def _to_high(value: Any) -> float:
    return number(value, what="high")


@attrs.frozen(repr=False)
class Thresholds(Scheme):
    """Step bands: values between consecutive ``cuts`` earn the same points.

    ``cuts`` must increase strictly; they split values into ``len(cuts) + 1`` bands. A value
    equal to a cut belongs to the band above it. ``points`` lists the points of the bands
    from the worst band to the best (non-decreasing, so a better value never earns fewer
    points); by default ``1, 2, …, len(cuts) + 1``. With ``higher_is_better=False`` the
    lowest values are the best band.

    ``shape="middle_is_best"`` (or ``"middle_is_worst"``) is a band of middle values that
    earns the most (the fewest) points: too few support tickets can mean a disengaged
    account as surely as too many mean a struggling one. ``points`` then lists the bands in
    value order, lowest values first, rising to their peak and falling after it (or the
    reverse); ``higher_is_better`` does not apply. ``shape="free"`` lists them in value
    order too, in any order of points: a satisfaction score whose least and most
    satisfied accounts both leave, as a card fitted from outcomes can find.

    ``special`` gives a few exact values points of their own, whatever band they fall
    in: a code such as ``-1`` for "never asked", or ``0`` months for an account not yet
    live. Their points may be anything from 0 up (above the best band's too), and they
    follow no order; with ``special`` the cuts may be empty (one band for every other
    value). Missing values stay missing.

    Four colours (Sansan's health card) are three cuts and four points.

    .. versionadded:: 0.1
    .. versionchanged:: 0.2
       ``special``, and ``shape="free"``.

    Examples
    --------
    >>> import successkit as sk
    >>> login = sk.Thresholds([0.25, 0.5, 0.75])
    >>> login.max_points
    4.0
    >>> login.to_points(sk.Column.number([0.1, 0.5, 0.63, None])).tolist()
    [1.0, 3.0, 3.0, nan]
    >>> tickets = sk.Thresholds([2, 5, 10], higher_is_better=False)
    >>> tickets.to_points(sk.Column.number([0, 5, 12])).tolist()
    [4.0, 2.0, 1.0]
    >>> engaged = sk.Thresholds([1, 6], points=[2, 10, 0], shape="middle_is_best")
    >>> engaged.to_points(sk.Column.number([0, 3, 9])).tolist()
    [2.0, 10.0, 0.0]
    >>> satisfied = sk.Thresholds([0.12, 0.47, 0.72], points=[0, 20, 5, 30], shape="free")
    >>> satisfied.to_points(sk.Column.number([0.1, 0.4, 0.5, 0.9])).tolist()
    [0.0, 20.0, 5.0, 30.0]
    >>> nps = sk.Thresholds([7, 9], points=[0, 5, 10], special={-1: 3})
    >>> nps.to_points(sk.Column.number([-1, 2, 8, 10])).tolist()
    [3.0, 0.0, 5.0, 10.0]
    """

    cuts: tuple[float, ...] = attrs.field(converter=floats)
    points: tuple[float, ...] = attrs.field(default=None, converter=optional_floats)
    higher_is_better: bool = attrs.field(default=True, converter=flag)
    #: ``"monotone"``, the band of middle values the best (``"middle_is_best"``) or
    #: the worst (``"middle_is_worst"``), or ``"free"``; see above.
    shape: str = attrs.field(default="monotone", converter=_to_shape, kw_only=True)
    #: Exact values with points of their own, as ``(value, points)`` pairs; see above.
    special: tuple[tuple[float, float], ...] = attrs.field(
        default=None, converter=_to_special, kw_only=True)

    def __attrs_post_init__(self) -> None:
        cuts = self.cuts
        if not cuts and not self.special:
            raise ModelError("Thresholds needs at least one cut (or special values)")
        if any(b <= a for a, b in itertools.pairwise(cuts)):
            raise ModelError(f"cuts must increase strictly, got {list(cuts)}")
        bands = len(cuts) + 1
        points: tuple[float, ...] | None = self.points
        if points is None:
            points = tuple(float(k) for k in range(1, bands + 1))
            object.__setattr__(self, "points", points)
        if len(points) != bands:
            raise ModelError(
                f"{len(cuts)} cuts make {bands} bands, so points needs {bands} entries, "
                f"got {len(points)}"
            )
        if min(points) < 0:
            raise ModelError(f"points must not be negative, got {list(points)}")
        if self.shape != "monotone":
            if not self.higher_is_better:
                raise ModelError(f"a {self.shape} scheme lists its points in value order; "
                                 "higher_is_better does not apply to it")
            if self.shape != "free" and not turns_once(points, self.shape):
                order = ("rise to one peak and then fall" if self.shape == "middle_is_best"
                         else "fall to one low and then rise")
                raise ModelError(f"points of a {self.shape} scheme are listed in value "
                                 f"order and must {order}, got {list(points)}")
        elif any(b < a for a, b in itertools.pairwise(points)):
            raise ModelError(
                "points are listed from the worst band to the best and must not decrease, "
                f"got {list(points)} (use higher_is_better=False for lower-is-better values)"
            )
        if self.max_points <= 0:
            raise ModelError("the best band must earn more than 0 points")

    def __repr__(self) -> str:
        # The shape and special values only when set, as the JSON writes them.
        shape = f", shape={self.shape!r}" if self.shape != "monotone" else ""
        special = f", special={dict(self.special)!r}" if self.special else ""
        return (f"Thresholds(cuts={self.cuts!r}, points={self.points!r}, "
                f"higher_is_better={self.higher_is_better!r}{shape}{special})")

    @property
    def max_points(self) -> float:
        return max((*self.points, *(p for _, p in self.special)))

    @property
    def points_by_value(self) -> tuple[float, ...]:
        """The bands' points in value order, lowest values first.

        Examples
        --------
        >>> import successkit as sk
        >>> sk.Thresholds([2, 5], points=[1, 2, 3], higher_is_better=False).points_by_value
        (3.0, 2.0, 1.0)
        """
        return self.points[::-1] if not self.higher_is_better else self.points

    @cached_property
    def _tables(self) -> tuple[FloatArray, FloatArray]:
        # The cut table ends with NaN, which numpy sorts last; the score table lists the
        # bands in value order, then the special values, then NaN for missing values.
        cuts = np.array([*self.cuts, np.nan])
        table = as_scores(np.array([*self.points_by_value, *(p for _, p in self.special),
                                    np.nan]), self.max_points)
        return cuts, table

    def bands_of(self, values: FloatArray) -> npt.NDArray[np.intp]:
        """Each value's band: ``0 .. len(cuts)`` in value order, then one band per special
        value (in value order), and missing values last.

        Examples
        --------
        >>> import numpy as np
        >>> import successkit as sk
        >>> nps = sk.Thresholds([7, 9], special={-1: 2})
        >>> nps.bands_of(np.array([-1.0, 3.0, 8.0, 10.0, np.nan])).tolist()
        [3, 0, 1, 2, 4]
        """
        try:
            numbers = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            raise DataError(f"bands_of reads numbers, got {values!r}") from None
        return self._bands(numbers).astype(np.intp)

    def _bands(self, values: FloatArray) -> npt.NDArray[np.integer[Any]]:
        first = len(self.cuts) + 1  # the first special value's band
        band: npt.NDArray[np.integer[Any]]
        if len(self.cuts) > _FEW_CUTS or first + len(self.special) > 255:
            band = np.searchsorted(self._tables[0], values, side="right")
        else:
            # The band is the number of cuts at or below the value. For a handful of cuts,
            # counting comparisons is several times faster than a binary search per value.
            band = (np.greater_equal(values, self.cuts[0]).view(np.uint8) if self.cuts
                    else np.zeros(values.shape, dtype=np.uint8))
            above = np.empty(values.shape, dtype=np.bool_)
            for cut in self.cuts[1:]:
                np.greater_equal(values, cut, out=above)
                band += above.view(np.uint8)
        np.copyto(band, first + len(self.special), where=np.isnan(values))
        for j, (value, _) in enumerate(self.special):  # a loop over the few special values
            np.copyto(band, first + j, where=values == value)
        return band

    def scores(self, column: Column, *, out: FloatArray | None = None) -> FloatArray:
        return lookup(self._tables[1], self._bands(column.values), out)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "thresholds",
            "cuts": list(self.cuts),
            "points": list(self.points),
            "higher_is_better": self.higher_is_better,
        }
        if self.shape != "monotone":  # written only when set: monotone fingerprints stay
            out["shape"] = self.shape
        if self.special:  # pairs, as JSON keys are text; written only when set, as above
            out["special"] = [list(pair) for pair in self.special]
        return out

    def describe(self) -> str:
        cuts = ", ".join(f"{c:g}" for c in self.cuts)
        points = "/".join(f"{p:g}" for p in self.points)
        order = "" if self.higher_is_better else ", lower is better"
        if self.shape != "monotone":
            order = f", {self.shape.replace('_', ' ')}"
        special = "".join(f"; {v:g} → {p:g}" for v, p in self.special)
        where = f"thresholds at {cuts}" if self.cuts else "any value"
        return f"{where} → {points} points{order}{special}"


@attrs.frozen
class Linear(Scheme):
    """Clipped linear: ``low`` scores 0, ``high`` scores 100, straight in between.

    Values beyond either end are clipped. ``low > high`` means lower values are better.
    ``max_points`` sets the value's weight on the unweighted points card (default 1).

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> sk.Linear(0.25, 0.75).scores(sk.Column.number([0.1, 0.5, 0.9, None])).tolist()
    [0.0, 50.0, 100.0, nan]
    >>> sk.Linear(10, 0).scores(sk.Column.number([0, 2.5])).tolist()
    [100.0, 75.0]
    """

    low: float = attrs.field(converter=_to_low)
    high: float = attrs.field(converter=_to_high)
    max_points: float = attrs.field(
        default=1.0, kw_only=True, converter=to_max_points, validator=positive
    )

    def __attrs_post_init__(self) -> None:
        if self.low == self.high:
            raise ModelError(f"low and high must differ, both are {self.low:g}")
        if not np.isfinite(self.high - self.low):
            raise ModelError(f"low {self.low:g} and high {self.high:g} are too far apart")

    def scores(self, column: Column, *, out: FloatArray | None = None) -> FloatArray:
        # Divide rather than multiply by a reciprocal, so round inputs give round scores.
        # Values far outside [low, high] may overflow to ±inf; clipping makes them 0 or 100.
        with np.errstate(over="ignore"):
            result: FloatArray = np.subtract(column.values, self.low, out=out)
            np.divide(result, self.high - self.low, out=result)
        np.clip(result, 0.0, 1.0, out=result)
        np.multiply(result, 100.0, out=result)
        return result

    def to_dict(self) -> dict[str, Any]:
        return {"type": "linear", "low": self.low, "high": self.high, "max_points": self.max_points}

    def describe(self) -> str:
        return f"linear from {self.low:g} (0) to {self.high:g} (100)"


@attrs.frozen
class Percentile(Scheme):
    """Rank within the scored population: the share of accounts below, ties counting half.

    A value's score is ``100 × (below + equal / 2) / n`` over the ``n`` accounts with a value,
    so tied values get the score of their mean rank and a lone account scores 50. The score
    depends on who is scored together: an account scored alone always gets 50.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> sk.Percentile().scores(sk.Column.number([10, 20, 20, 40, None])).tolist()
    [12.5, 50.0, 50.0, 87.5, nan]
    """

    population_dependent: ClassVar[bool] = True

    higher_is_better: bool = attrs.field(default=True, converter=flag)
    max_points: float = attrs.field(
        default=1.0, kw_only=True, converter=to_max_points, validator=positive
    )

    def scores(self, column: Column, *, out: FloatArray | None = None) -> FloatArray:
        values = column.values
        present = np.sort(values)  # NaN sorts last
        n = int(np.count_nonzero(~np.isnan(present)))
        result = np.full(values.shape, np.nan) if out is None else out
        if n == 0:
            result[...] = np.nan
            return result
        present = present[:n]
        below = np.searchsorted(present, values, side="left")
        upto = np.searchsorted(present, values, side="right")
        np.add(below, upto, out=result, casting="unsafe")
        np.multiply(result, 50.0 / n, out=result)
        if not self.higher_is_better:
            np.subtract(100.0, result, out=result)
        result[np.isnan(values)] = np.nan
        return result

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "percentile",
            "higher_is_better": self.higher_is_better,
            "max_points": self.max_points,
        }

    def describe(self) -> str:
        return "percentile rank" + ("" if self.higher_is_better else ", lower is better")

"""Schemes: how a raw value becomes points, and points a metric score between 0 and 100.

Every scheme maps a value to points between 0 and its :attr:`~Scheme.max_points`; the metric
score is ``100 × points / max_points``. Missing values stay missing (NaN): a scheme never
invents a number for them. All schemes work on whole columns at once.
"""

from __future__ import annotations

import abc
import itertools
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt

from successkit.data.column import Column
from successkit.data.kinds import Kind
from successkit.errors import ModelError
from successkit.scoring._serial import as_mapping, field, number

__all__ = ["Categories", "Linear", "Percentile", "Scheme", "Thresholds", "scheme_from_dict"]

FloatArray = npt.NDArray[np.float64]

# Up to this many cuts, Thresholds counts comparisons instead of searching.
_FEW_CUTS = 16


class Scheme(abc.ABC):
    """Base class of the schemes: a raw value → points in ``[0, max_points]``.

    Subclasses say which column :attr:`kind` they read and implement :meth:`scores`.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> isinstance(sk.Linear(0, 1), sk.Scheme), sk.Categories({"good": 1}).kind.value
    (True, 'category')
    """

    __slots__ = ()

    #: The kind of column the scheme reads (numbers or categories).
    kind: ClassVar[Kind] = Kind.NUMBER
    #: Whether a value's score depends on the other accounts scored with it.
    population_dependent: ClassVar[bool] = False

    @property
    @abc.abstractmethod
    def max_points(self) -> float:
        """The most points a value can earn."""

    @abc.abstractmethod
    def scores(self, column: Column, *, out: FloatArray | None = None) -> FloatArray:
        """Metric scores (0–100, NaN where the value is missing) for a whole column.

        ``column`` has been read as :attr:`kind`; ``out`` is an optional float array of
        the same length to write into.
        """

    @abc.abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types, with a ``"type"`` key naming the scheme."""

    def to_points(self, column: Column) -> FloatArray:
        """Points per value (``scores × max_points / 100``), NaN where missing."""
        return self.scores(column) * (self.max_points / 100.0)

    def unknown(self, column: Column) -> tuple[str, ...]:
        """Values present in ``column`` that the scheme cannot score (unknown categories)."""
        return ()

    def describe(self) -> str:
        """A one-line human description (used by explanations and docs)."""
        return repr(self)


def _lookup(
    table: FloatArray, index: npt.NDArray[np.integer[Any]], out: FloatArray | None
) -> FloatArray:
    """``table[index]``, written into ``out`` when given (fancy indexing and a copy beat
    ``np.take(..., out=)`` several times over)."""
    found: FloatArray = table[index]
    if out is None:
        return found
    np.copyto(out, found)
    return out


def _floats(value: Any) -> tuple[float, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise ModelError(f"expected a sequence of numbers, got {value!r}")
    return tuple(number(v, what="every entry") for v in value)


def _optional_floats(value: Any) -> tuple[float, ...] | None:
    return None if value is None else _floats(value)


def _to_low(value: Any) -> float:
    return number(value, what="low")


def _to_high(value: Any) -> float:
    return number(value, what="high")


def _to_max_points(value: Any) -> float:
    return number(value, what="max_points")


def _positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value <= 0:
        raise ModelError(f"{attribute.name} must be positive, got {value!r}")


def _flag(value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ModelError(f"higher_is_better must be true or false, got {value!r}")
    return bool(value)


@attrs.frozen
class Thresholds(Scheme):
    """Step bands: values between consecutive ``cuts`` earn the same points.

    ``cuts`` must increase strictly; they split values into ``len(cuts) + 1`` bands. A value
    equal to a cut belongs to the band above it. ``points`` lists the points of the bands
    from the worst band to the best (non-decreasing, so a better value never earns fewer
    points); by default ``1, 2, …, len(cuts) + 1``. With ``higher_is_better=False`` the
    lowest values are the best band.

    Four colours (Sansan's health card) are three cuts and four points.

    .. versionadded:: 0.1

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
    """

    cuts: tuple[float, ...] = attrs.field(converter=_floats)
    points: tuple[float, ...] = attrs.field(default=None, converter=_optional_floats)
    higher_is_better: bool = attrs.field(default=True, converter=_flag)

    def __attrs_post_init__(self) -> None:
        cuts = self.cuts
        if not cuts:
            raise ModelError("Thresholds needs at least one cut")
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
        if any(b < a for a, b in itertools.pairwise(points)):
            raise ModelError(
                "points are listed from the worst band to the best and must not decrease, "
                f"got {list(points)} (use higher_is_better=False for lower-is-better values)"
            )
        if points[-1] <= 0:
            raise ModelError("the best band must earn more than 0 points")

    @property
    def max_points(self) -> float:
        return self.points[-1]

    @cached_property
    def _tables(self) -> tuple[FloatArray, FloatArray]:
        # The cut table ends with NaN, which numpy sorts last: searchsorted then sends a
        # missing value to the extra last slot of the score table, whose entry is NaN.
        by_value = self.points if self.higher_is_better else self.points[::-1]
        cuts = np.array([*self.cuts, np.nan])
        table = np.array([*by_value, np.nan]) * (100.0 / self.max_points)
        return cuts, table

    def scores(self, column: Column, *, out: FloatArray | None = None) -> FloatArray:
        cuts, table = self._tables
        values = column.values
        if len(self.cuts) > _FEW_CUTS:
            band = np.searchsorted(cuts, values, side="right")
        else:
            # The band is the number of cuts at or below the value. For a handful of cuts,
            # counting comparisons is several times faster than a binary search per value.
            band = np.greater_equal(values, self.cuts[0]).view(np.uint8)
            above = np.empty(values.shape, dtype=np.bool_)
            for cut in self.cuts[1:]:
                np.greater_equal(values, cut, out=above)
                band += above.view(np.uint8)
            np.copyto(band, len(self.cuts) + 1, where=np.isnan(values))
        return _lookup(table, band, out)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "thresholds",
            "cuts": list(self.cuts),
            "points": list(self.points),
            "higher_is_better": self.higher_is_better,
        }

    def describe(self) -> str:
        cuts = ", ".join(f"{c:g}" for c in self.cuts)
        points = "/".join(f"{p:g}" for p in self.points)
        order = "" if self.higher_is_better else ", lower is better"
        return f"thresholds at {cuts} → {points} points{order}"


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
        default=1.0, kw_only=True, converter=_to_max_points, validator=_positive
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


def _to_mapping(value: Any) -> tuple[tuple[str, float], ...]:
    mapping = as_mapping(value)
    if mapping is None:
        raise ModelError(f"Categories takes a mapping of category → points, got {value!r}")
    items = []
    for label, points in mapping.items():
        if not isinstance(label, str) or not label:
            raise ModelError(f"category labels must be non-empty text, got {label!r}")
        items.append((label, number(points, what=f"points of category {label!r}")))
    return tuple(sorted(items, key=lambda item: (item[1], item[0])))


@attrs.frozen
class Categories(Scheme):
    """Points per category label, e.g. key-person touch ``bad`` / ``fair`` / ``good`` /
    ``excellent``.

    A label the mapping does not know scores as missing, and :meth:`unknown` reports it (the
    health result lists such labels in its ``notes``).

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> touch = sk.Categories({"bad": 1, "fair": 2, "good": 3, "excellent": 4})
    >>> column = sk.Column.from_labels(["good", "great", None])
    >>> touch.to_points(column).tolist()
    [3.0, nan, nan]
    >>> touch.unknown(column)
    ('great',)
    """

    kind: ClassVar[Kind] = Kind.CATEGORY

    mapping: tuple[tuple[str, float], ...] = attrs.field(converter=_to_mapping)

    def __attrs_post_init__(self) -> None:
        if not self.mapping:
            raise ModelError("Categories needs at least one category")
        negative = [label for label, points in self.mapping if points < 0]
        if negative:
            raise ModelError(f"points must not be negative (categories {negative})")
        if self.max_points <= 0:
            raise ModelError("at least one category must earn more than 0 points")

    @property
    def max_points(self) -> float:
        return max(points for _, points in self.mapping)

    def _table(self, column: Column) -> FloatArray:
        known = dict(self.mapping)
        scale = 100.0 / self.max_points
        # One entry per category of the column plus a trailing NaN that code -1 selects.
        return np.array(
            [known.get(label, np.nan) * scale for label in column.categories] + [np.nan]
        )

    def scores(self, column: Column, *, out: FloatArray | None = None) -> FloatArray:
        return _lookup(self._table(column), column.values, out)

    def unknown(self, column: Column) -> tuple[str, ...]:
        known = dict(self.mapping)
        strangers = [k for k, label in enumerate(column.categories) if label not in known]
        if not strangers:
            return ()
        counts = np.bincount(column.values[~column.missing], minlength=len(column.categories))
        return tuple(column.categories[k] for k in strangers if counts[k])

    def to_dict(self) -> dict[str, Any]:
        return {"type": "categories", "mapping": dict(self.mapping)}

    def describe(self) -> str:
        return ", ".join(f"{label} {points:g}" for label, points in self.mapping)


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

    higher_is_better: bool = attrs.field(default=True, converter=_flag)
    max_points: float = attrs.field(
        default=1.0, kw_only=True, converter=_to_max_points, validator=_positive
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


def scheme_from_dict(data: Mapping[str, Any]) -> Scheme:
    """Rebuild a scheme from its ``to_dict()``.

    Examples
    --------
    >>> import successkit as sk
    >>> from successkit.scoring.schemes import scheme_from_dict
    >>> scheme_from_dict(sk.Linear(0, 1).to_dict()) == sk.Linear(0, 1)
    True
    """
    where = "scheme"
    kind = field(data, "type", where=where)
    if kind == "thresholds":
        return Thresholds(
            field(data, "cuts", where=where),
            points=data.get("points"),
            higher_is_better=data.get("higher_is_better", True),
        )
    if kind == "linear":
        return Linear(
            number(field(data, "low", where=where), what="low", where=where),
            number(field(data, "high", where=where), what="high", where=where),
            max_points=number(data.get("max_points", 1.0), what="max_points", where=where),
        )
    if kind == "categories":
        return Categories(field(data, "mapping", where=where))
    if kind == "percentile":
        return Percentile(
            data.get("higher_is_better", True),
            max_points=number(data.get("max_points", 1.0), what="max_points", where=where),
        )
    raise ModelError(
        f"unknown scheme type {kind!r}; expected thresholds, linear, categories or percentile"
    )

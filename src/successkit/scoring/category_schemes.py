"""The scheme that reads a category: :class:`Categories`, points per label."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np

from successkit._arrays import FloatArray
from successkit.data.column import Column
from successkit.data.kinds import Kind
from successkit.errors import ModelError
from successkit.scoring._scheme import Scheme, as_scores, lookup
from successkit.scoring._serial import as_mapping, number

__all__ = ["Categories"]


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


def _to_other(value: Any) -> float | None:
    return None if value is None else number(value, what="other")


@attrs.frozen
class Categories(Scheme):
    """Points per category label, e.g. key-person touch ``bad`` / ``fair`` / ``good`` /
    ``excellent``.

    A label the mapping does not know scores ``other`` points when ``other`` is given (an
    "other" band for levels the card never saw; :meth:`unseen` names them, and the health
    result's ``notes`` say they scored as other). Without ``other`` (the default) such a
    label scores as missing, and :meth:`unknown` reports it (the health result lists such
    labels in its ``notes``). A missing value (``None``) always scores as missing.

    .. versionadded:: 0.1
    .. versionchanged:: 0.2
       ``other``.

    Parameters
    ----------
    mapping:
        Category label → points (non-negative, at least one above 0).
    other:
        Points of a label the mapping does not list, between 0 and the most points a
        listed label earns; ``None``: such a label scores as missing. ``fit_card`` sets it
        to the points its rare levels earned, shrunk toward the overall churn rate.

    Examples
    --------
    >>> import successkit as sk
    >>> touch = sk.Categories({"bad": 1, "fair": 2, "good": 3, "excellent": 4})
    >>> column = sk.Column.from_labels(["good", "great", None])
    >>> touch.to_points(column).tolist()
    [3.0, nan, nan]
    >>> touch.unknown(column)
    ('great',)

    With ``other``, a label not on the mapping earns those points; missing stays missing:

    >>> plan = sk.Categories({"basic": 0, "pro": 10}, other=4)
    >>> plan.to_points(sk.Column.from_labels(["pro", "legacy", None])).tolist()
    [10.0, 4.0, nan]
    >>> plan.unknown(sk.Column.from_labels(["legacy"])), plan.to_dict()["other"]
    ((), 4.0)
    """

    kind: ClassVar[Kind] = Kind.CATEGORY

    mapping: tuple[tuple[str, float], ...] = attrs.field(converter=_to_mapping)
    other: float | None = attrs.field(default=None, converter=_to_other, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not self.mapping:
            raise ModelError("Categories needs at least one category")
        negative = [label for label, points in self.mapping if points < 0]
        if negative:
            raise ModelError(f"points must not be negative (categories {negative})")
        if self.max_points <= 0:
            raise ModelError("at least one category must earn more than 0 points")
        if self.other is not None and not 0 <= self.other <= self.max_points:
            raise ModelError(f"other must be between 0 and the most points a category earns "
                             f"({self.max_points:g}), got {self.other:g}")

    @property
    def max_points(self) -> float:
        return max(points for _, points in self.mapping)

    def _table(self, column: Column) -> FloatArray:
        known = dict(self.mapping)
        absent = np.nan if self.other is None else self.other
        # One entry per category of the column plus a trailing NaN that code -1 selects.
        return as_scores(np.array(
            [known.get(label, absent) for label in column.categories] + [np.nan]
        ), self.max_points)

    def scores(self, column: Column, *, out: FloatArray | None = None) -> FloatArray:
        return lookup(self._table(column), column.values, out)

    def unknown(self, column: Column) -> tuple[str, ...]:
        # With ``other``, a label off the mapping scores: it is not unknown.
        return self.unseen(column) if self.other is None else ()

    def unseen(self, column: Column) -> tuple[str, ...]:
        """Labels present in ``column`` that the mapping does not list (they score
        ``other`` points, or as missing without ``other``)."""
        known = dict(self.mapping)
        strangers = [k for k, label in enumerate(column.categories) if label not in known]
        if not strangers:
            return ()
        counts = np.bincount(column.values[~column.missing], minlength=len(column.categories))
        return tuple(column.categories[k] for k in strangers if counts[k])

    def to_dict(self) -> dict[str, Any]:
        # "other" is written only when set, so cards without it keep their JSON and
        # fingerprint.
        data: dict[str, Any] = {"type": "categories", "mapping": dict(self.mapping)}
        if self.other is not None:
            data["other"] = self.other
        return data

    def describe(self) -> str:
        text = ", ".join(f"{label} {points:g}" for label, points in self.mapping)
        return text if self.other is None else f"{text}, other {self.other:g}"

"""The scheme that reads a category: :class:`Categories`, points per label."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt

from successkit.data.column import Column
from successkit.data.kinds import Kind
from successkit.errors import ModelError
from successkit.scoring._scheme import Scheme, lookup
from successkit.scoring._serial import as_mapping, number

__all__ = ["Categories"]

FloatArray = npt.NDArray[np.float64]


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
        return lookup(self._table(column), column.values, out)

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

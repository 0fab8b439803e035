"""Schemes: how a raw value becomes points, and points a metric score between 0 and 100.

Every scheme maps a value to points between 0 and its :attr:`~Scheme.max_points`; the metric
score is ``100 × points / max_points``. Missing values stay missing (NaN): a scheme never
invents a number for them. All schemes work on whole columns at once.

The families live beside this module, by the kind of column they read: numbers
(:mod:`~successkit.scoring.numeric_schemes`: :class:`Thresholds`, :class:`Linear`,
:class:`Percentile`) and categories (:mod:`~successkit.scoring.category_schemes`:
:class:`Categories`), on the base class :class:`Scheme`. This module names them all and
reads any of them back from its ``to_dict()`` (:func:`scheme_from_dict`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from successkit._keys import read_dict
from successkit.errors import ModelError
from successkit.scoring._scheme import Scheme
from successkit.scoring._serial import field, number
from successkit.scoring.category_schemes import Categories
from successkit.scoring.numeric_schemes import Linear, Percentile, Thresholds

__all__ = ["Categories", "Linear", "Percentile", "Scheme", "Thresholds", "scheme_from_dict"]


# The keys each scheme's to_dict() writes, by its "type".
_SCHEME_KEYS = {
    "thresholds": ("type", "cuts", "points", "higher_is_better", "shape", "special"),
    "linear": ("type", "low", "high", "max_points"),
    "categories": ("type", "mapping", "other"),
    "percentile": ("type", "higher_is_better", "max_points"),
}


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
    if isinstance(kind, str) and kind in _SCHEME_KEYS:
        read_dict(data, _SCHEME_KEYS[kind], what=f"a {kind} scheme")
    if kind == "thresholds":
        return Thresholds(
            field(data, "cuts", where=where),
            points=data.get("points"),
            higher_is_better=data.get("higher_is_better", True),
            shape=data.get("shape", "monotone"),
            special=data.get("special"),
        )
    if kind == "linear":
        return Linear(
            number(field(data, "low", where=where), what="low", where=where),
            number(field(data, "high", where=where), what="high", where=where),
            max_points=number(data.get("max_points", 1.0), what="max_points", where=where),
        )
    if kind == "categories":
        return Categories(field(data, "mapping", where=where), other=data.get("other"))
    if kind == "percentile":
        return Percentile(
            data.get("higher_is_better", True),
            max_points=number(data.get("max_points", 1.0), what="max_points", where=where),
        )
    raise ModelError(
        f"unknown scheme type {kind!r}; expected thresholds, linear, categories or percentile"
    )

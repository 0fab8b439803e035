"""The scheme base class, and the argument converters the schemes share.

Every scheme maps a value to points between 0 and its :attr:`~Scheme.max_points`; the metric
score is ``100 × points / max_points``. Missing values stay missing (NaN): a scheme never
invents a number for them. All schemes work on whole columns at once.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import FloatArray
from successkit.data.column import Column
from successkit.data.kinds import Kind
from successkit.errors import ModelError
from successkit.scoring._serial import number

__all__ = ["Scheme", "as_scores", "flag", "floats", "lookup", "optional_floats", "positive",
           "to_max_points"]



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


def lookup(
    table: FloatArray, index: npt.NDArray[np.integer[Any]], out: FloatArray | None
) -> FloatArray:
    """``table[index]``, written into ``out`` when given (fancy indexing and a copy beat
    ``np.take(..., out=)`` several times over)."""
    found: FloatArray = table[index]
    if out is None:
        return found
    np.copyto(out, found)
    return out


def as_scores(points: FloatArray, max_points: float) -> FloatArray:
    """``points`` on the 0–100 scale of ``max_points``.

    Examples
    --------
    >>> as_scores(np.array([0.0, 5e-324]), 5e-324).tolist()  # 100 / 5e-324 overflows
    [0.0, 100.0]
    """
    scale = 100.0 / max_points
    if np.isfinite(scale):
        return points * scale
    return points / max_points * 100.0


def floats(value: Any) -> tuple[float, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise ModelError(f"expected a sequence of numbers, got {value!r}")
    return tuple(number(v, what="every entry") for v in value)


def optional_floats(value: Any) -> tuple[float, ...] | None:
    return None if value is None else floats(value)


def to_max_points(value: Any) -> float:
    return number(value, what="max_points")


def positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value <= 0:
        raise ModelError(f"{attribute.name} must be positive, got {value!r}")


def flag(value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ModelError(f"higher_is_better must be true or false, got {value!r}")
    return bool(value)

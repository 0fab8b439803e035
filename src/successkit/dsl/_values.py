"""The values compiled rules compute, and the operators on them, over all accounts at once.

- numbers: a ``float64`` array, NaN where missing (division by zero gives NaN);
- dates: a ``datetime64[D]`` array, NaT where missing;
- categories: :class:`Labels` — ``int32`` codes (``-1`` missing) and their labels;
- conditions: :class:`Truth` — where the condition is *true* and where it is *false*;
  where it is neither it is *unknown* (SQL's three-valued logic).

:mod:`successkit.dsl.compile` turns syntax into functions that return these values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from successkit._arrays import BoolArray

__all__ = [
    "Labels",
    "Truth",
    "as_truth",
    "compare",
    "divide",
    "full",
    "missing_like",
    "missing_mask",
    "present",
    "shaped",
    "to_number",
    "whole_days",
]


_NAT = np.datetime64("NaT", "D")


class Truth:
    """A condition over all accounts: ``true`` and ``false`` masks (neither = unknown)."""

    __slots__ = ("_false", "_make_false", "true")

    def __init__(
        self,
        true: BoolArray,
        false: BoolArray | None = None,
        make_false: Callable[[], BoolArray] | None = None,
    ) -> None:
        self.true = true
        self._false = false
        self._make_false = make_false

    @property
    def false(self) -> BoolArray:
        if self._false is None:
            assert self._make_false is not None
            self._false = self._make_false()
            self._make_false = None
        return self._false

    def negate(self) -> Truth:
        return Truth(self.false, self.true)


class Labels:
    """Category values: ``codes`` into ``categories`` (``-1`` where missing)."""

    __slots__ = ("categories", "codes")

    def __init__(self, codes: npt.NDArray[np.int32], categories: tuple[str, ...]) -> None:
        self.codes = codes
        self.categories = categories

    def code_of(self, label: str) -> int:
        """The code of ``label`` (``-2``, never equal to a code, when absent)."""
        categories = self.categories
        index = int(np.searchsorted(np.asarray(categories, dtype=object), label))
        if index < len(categories) and categories[index] == label:
            return index
        return -2

    def recode(self, other: Labels) -> npt.NDArray[np.int32]:
        """``other``'s codes translated into this value's categories (-2: not present)."""
        table = np.array([*(self.code_of(c) for c in other.categories), -1], dtype=np.int32)
        return table[other.codes]


# -- value helpers ----------------------------------------------------------------------------


def full(n: int, value: bool) -> BoolArray:
    return np.full(n, value, dtype=np.bool_)


def to_number(value: Any) -> Any:
    """A number operand: arrays as they are, conditions as 1/0/NaN, scalars as floats."""
    if isinstance(value, Truth):
        return np.where(value.true, 1.0, np.where(value.false, 0.0, np.nan))
    if isinstance(value, (bool, np.bool_)):
        return 1.0 if value else 0.0
    return value


def missing_mask(value: Any, n: int) -> BoolArray:
    """Where ``value`` is missing (scalar literals never are)."""
    if isinstance(value, Truth):
        return ~(value.true | value.false)
    if isinstance(value, Labels):
        return value.codes < 0
    if isinstance(value, np.ndarray):
        return np.isnat(value) if value.dtype.kind == "M" else np.isnan(value)
    return full(n, _scalar_missing(value))


def _scalar_missing(value: Any) -> bool:
    """A scalar is missing when arithmetic on literals alone made NaN (or NaT): missing is
    missing, whether it comes from a column or not."""
    if isinstance(value, float):  # np.float64 too
        return value != value
    return isinstance(value, np.datetime64) and bool(np.isnat(value))


def present(value: Any) -> Any:
    """Where ``value`` is present, or ``True`` for a scalar (broadcasts)."""
    if isinstance(value, np.ndarray):
        return ~np.isnat(value) if value.dtype.kind == "M" else ~np.isnan(value)
    return not _scalar_missing(value)


def shaped(mask: Any, n: int) -> BoolArray:
    if isinstance(mask, np.ndarray) and mask.shape == (n,):
        return mask
    return np.broadcast_to(np.asarray(mask, dtype=np.bool_), (n,)).copy()


# -- comparisons ------------------------------------------------------------------------------

_ORDER = {
    "<": (np.less, np.greater_equal),
    "<=": (np.less_equal, np.greater),
    ">": (np.greater, np.less_equal),
    ">=": (np.greater_equal, np.less),
}


def compare(op: str, left: Any, right: Any, n: int) -> Truth:
    """Three-valued ``left op right`` for numbers, dates, categories or conditions."""
    if isinstance(left, Labels) or isinstance(right, Labels):
        return _compare_labels(op, left, right)
    if isinstance(left, (Truth, bool, np.bool_)) and isinstance(right, (Truth, bool, np.bool_)):
        return _compare_truths(op, left, right, n)
    left, right = to_number(left), to_number(right)
    if op in _ORDER:
        is_true, is_false = _ORDER[op]
        true = shaped(is_true(left, right), n)
        return Truth(true, make_false=lambda: shaped(is_false(left, right), n))
    equal = shaped(np.equal(left, right), n)

    def unequal() -> BoolArray:
        return shaped(np.not_equal(left, right) & present(left) & present(right), n)

    if op == "=":
        return Truth(equal, make_false=unequal)
    return Truth(unequal(), equal)


def _compare_labels(op: str, left: Any, right: Any) -> Truth:
    if isinstance(left, Labels) and isinstance(right, Labels):
        a, b = left.codes, left.recode(right)
        both = (a >= 0) & (b != -1)
        equal = (a == b) & both

        def known() -> BoolArray:
            return both  # type: ignore[no-any-return]

    else:
        labels, text = (left, right) if isinstance(left, Labels) else (right, left)
        a = labels.codes
        equal = a == labels.code_of(str(text))  # never -1, so never true where missing

        def known() -> BoolArray:
            return a >= 0

    if op == "=":
        return Truth(equal, make_false=lambda: ~equal & known())
    return Truth(~equal & known(), equal)


def _compare_truths(op: str, left: Any, right: Any, n: int) -> Truth:
    if not isinstance(left, Truth):
        left, right = right, left
    if not isinstance(left, Truth):  # two literals
        left = as_truth(left, n)
    if not isinstance(right, Truth):  # a condition against true/false
        same = left if bool(right) else left.negate()
    else:
        l_true, l_false, r_true, r_false = left.true, left.false, right.true, right.false
        same = Truth(
            (l_true & r_true) | (l_false & r_false), (l_true & r_false) | (l_false & r_true)
        )
    result: Truth = same if op == "=" else same.negate()
    return result


def as_truth(value: Any, n: int) -> Truth:
    """A compiled condition's value as a :class:`Truth` over ``n`` accounts (a constant
    condition such as ``true`` becomes true, or false, everywhere)."""
    if isinstance(value, Truth):
        return value
    flag = bool(value)
    return Truth(full(n, flag), full(n, not flag))


def divide(a: Any, b: Any, n: int) -> Any:
    """``a / b`` with NaN where ``b`` is 0 (a missing value, never a warning)."""
    if not isinstance(b, np.ndarray):
        if b == 0:
            return np.full(n, np.nan)
        return np.true_divide(a, b)
    out = np.true_divide(a, b)
    out = np.asarray(out, dtype=np.float64)
    if out.shape != (n,):
        out = np.broadcast_to(out, (n,)).copy()
    out[b == 0] = np.nan
    return out


def whole_days(gap: Any) -> Any:
    """Whole days of a ``timedelta64`` array as floats, NaN where NaT."""
    if isinstance(gap, np.ndarray):
        days = gap.astype("timedelta64[D]").astype(np.float64)
        days[np.isnat(gap)] = np.nan
        return days
    return np.nan if np.isnat(gap) else float(gap.astype("timedelta64[D]").astype(np.int64))


def missing_like(value: Any, n: int) -> Any:
    if isinstance(value, Truth):
        return Truth(full(n, False), full(n, False))
    if isinstance(value, Labels):
        return Labels(np.full(n, -1, dtype=np.int32), value.categories)
    if isinstance(value, np.ndarray) and value.dtype.kind == "M":
        return np.full(n, _NAT)
    return np.full(n, np.nan)

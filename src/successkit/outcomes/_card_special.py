"""Special values of a number on a fitted card: codes such as ``-1`` ("never asked") or
``0`` months ("not live yet") that are not amounts, so they earn points of their own
instead of falling in whatever band their number lands in.

A code held by at least ``min_category`` training accounts gets a band of its own, kept out
of the number's cut points and free of its direction (its points are fitted with the
others, pulled toward its own weight of evidence). A rarer code — or one no training
account holds — reads as a missing value: it earns what a missing value earns, and the fit
says so in its notes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import BoolArray, FloatArray
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio
from successkit.errors import ModelError

__all__ = ["Special", "apart", "rare_notes", "read_special", "split_codes", "split_special"]


@attrs.frozen
class Special:
    """One metric's special values: those with a band of their own (``own``, in the order
    of their band codes after the number's bands) and those read as missing (``rare``),
    with the training accounts each of those holds."""

    own: tuple[float, ...] = ()
    rare: tuple[tuple[float, int], ...] = ()

    @property
    def as_missing(self) -> tuple[float, ...]:
        return tuple(code for code, _ in self.rare)

    @property
    def codes(self) -> tuple[float, ...]:
        """Every special value, with a band of its own or not."""
        return (*self.own, *self.as_missing)


def _code(value: Any, where: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise ModelError(f"special values must be numbers, got {value!r} in {where}")
    code = float(value)
    if not math.isfinite(code):
        raise ModelError(f"special values must be finite numbers (a missing value already "
                         f"has a band of its own), got {value!r} in {where}")
    return code


def _codes(value: Any, where: str) -> tuple[float, ...]:
    if isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_)):
        value = [value]
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise ModelError(f"special takes numbers (or a mapping metric → numbers), got "
                         f"{value!r} in {where}")
    codes = [_code(v, where) for v in value]
    if len(set(codes)) != len(codes):
        raise ModelError(f"special lists a value twice in {where}: {codes}")
    return tuple(sorted(codes))


def read_special(special: Any, names: Sequence[str], portfolio: Portfolio
                 ) -> dict[str, tuple[float, ...]]:
    """The special values of each candidate number: ``special`` as numbers for every
    candidate number, or a mapping metric → numbers.

    Examples
    --------
    >>> import successkit as sk
    >>> pf = sk.Portfolio.from_columns({"id": ["a", "b"], "nps": [-1, 8], "plan": ["x", "y"]})
    >>> read_special([-1], ["nps", "plan"], pf)
    {'nps': (-1.0,)}
    >>> read_special({"nps": [-1, 99]}, ["nps", "plan"], pf)
    {'nps': (-1.0, 99.0)}
    """
    if special is None:
        return {}
    numbers = [n for n in names if portfolio.column(n).kind is Kind.NUMBER]
    if not isinstance(special, Mapping):
        codes = _codes(special, "special")
        return dict.fromkeys(numbers, codes) if codes else {}
    unknown = [n for n in special if n not in names]
    if unknown:
        raise ModelError(f"special names metrics that are not candidates: {unknown}")
    for name in special:
        if name not in numbers:
            kind = portfolio.column(name).kind.value
            raise ModelError(f"special values are codes of a number; {name!r} is a {kind} "
                             "column (each of its levels already earns points of its own)")
    found = {n: _codes(v, f"special[{n!r}]") for n, v in special.items()}
    return {n: codes for n, codes in found.items() if codes}


def split_codes(values: FloatArray, codes: tuple[float, ...], min_count: int) -> Special:
    """Which ``codes`` hold at least ``min_count`` of ``values`` (a band of their own), and
    which fewer (read as missing).

    Examples
    --------
    >>> import numpy as np
    >>> split_codes(np.array([-1.0, -1.0, -1.0, -2.0, 5.0]), (-2.0, -1.0, 0.0), 3)
    Special(own=(-1.0,), rare=((-2.0, 1), (0.0, 0)))
    """
    counts = [int(np.count_nonzero(values == code)) for code in codes]  # the few codes
    own = tuple(c for c, n in zip(codes, counts, strict=True) if n >= min_count)
    rare = tuple((c, n) for c, n in zip(codes, counts, strict=True) if n < min_count)
    return Special(own=own, rare=rare)


def split_special(portfolio: Portfolio, codes: Mapping[str, tuple[float, ...]],
                  rows: npt.NDArray[np.intp] | None, min_count: int) -> dict[str, Special]:
    """:func:`split_codes` of every metric with special values, on ``rows`` (all when
    ``None``: the rows its bands are learnt on)."""
    found = {}
    for name, given in codes.items():  # a loop over the metrics with special values
        values = portfolio.column(name, Kind.NUMBER).values
        found[name] = split_codes(values if rows is None else values[rows], given, min_count)
    return found


def apart(values: FloatArray, outcome: BoolArray, folds: npt.NDArray[np.intp] | None,
          special: Special) -> tuple[FloatArray, BoolArray, npt.NDArray[np.intp] | None]:
    """A number's rows as its bands are learnt from them: values with a band of their own
    left out, values read as missing made missing."""
    if not special.codes:
        return values, outcome, folds
    if special.rare:
        values = np.where(np.isin(values, special.as_missing), np.nan, values)
    keep = ~np.isin(values, special.own)
    return values[keep], outcome[keep], None if folds is None else folds[keep]


def rare_notes(specials: Mapping[str, Special], min_count: int) -> list[str]:
    """What the fit says of the codes read as missing."""
    return [f"{name}: special value {code:g} reads as missing ({n} training accounts, "
            f"fewer than the {min_count} a band of its own needs)"
            for name, special in specials.items() for code, n in special.rare]

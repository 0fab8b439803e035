"""Texts for many rows at once: numbers as reasons write them, and row-wise joins.

:func:`number_texts` writes what :func:`~successkit._html.format_value` writes for each of
an array of numbers — whole numbers as integers, others to 4 significant digits (``.4g``)
— without formatting every value in Python. A whole number is written once per distinct
value. A value to 4 significant digits is fully given by its sign, its 4-digit mantissa
and its exponent, which numpy reads exactly for almost every value: each distinct (sign,
mantissa, exponent) is written once, by Python's own ``.4g`` of a representative value,
and rows index into those texts. Values whose mantissa floats cannot settle (near a
rounding tie, infinities, very large or small magnitudes) are formatted one by one, as
are mostly distinct values (no cheaper), so a text is always exactly
``format(value, ".4g")``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["filled", "join", "number_texts", "objects"]

Objects = npt.NDArray[np.object_]
#: A part of many texts: one text for every row, or one text per row (``object`` array).
Piece = str | Objects

#: Up to this many values, formatting one by one beats setting up numpy.
_FEW = 128
#: 10**k as floats, exact for k <= 22.
_POWERS = np.array([float(10**k) for k in range(23)])


def objects(values: Sequence[Any]) -> Objects:
    """A 1-d ``object`` array of ``values`` (never a 2-d array of sequences)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values if isinstance(values, list) else list(values)
    return out


def filled(text: str, n: int) -> Objects:
    """``n`` times ``text`` (``np.full`` is slow for objects)."""
    out = np.empty(n, dtype=object)
    out.fill(text)
    return out


def number_texts(values: npt.NDArray[np.float64], suffix: str = "") -> Objects:
    """``format_value(x) + suffix`` for each value (none may be NaN).

    Examples
    --------
    >>> number_texts(np.array([3.0, 0.123456, -2.5e-7, 1e16])).tolist()
    ['3', '0.1235', '-2.5e-07', '1e+16']
    """
    if values.shape[0] <= _FEW:
        return objects([_number_text(x, suffix) for x in values.tolist()])
    out = np.empty(values.shape[0], dtype=object)
    whole = (np.trunc(values) == values) & (np.abs(values) < 1e15)
    if whole.any():
        unique, inverse = np.unique(values[whole], return_inverse=True)  # ±0: both "0"
        out[whole] = objects([f"{int(x)}{suffix}" for x in unique.tolist()])[inverse]
    rest = np.flatnonzero(~whole)
    if rest.size:
        out[rest] = _significant(values[rest], suffix)
    return out


def _number_text(x: float, suffix: str) -> str:
    """format_value's float branch: whole numbers as integers, others to 4 digits."""
    return f"{int(x)}{suffix}" if x.is_integer() and abs(x) < 1e15 else f"{x:.4g}{suffix}"


def _significant(values: npt.NDArray[np.float64], suffix: str) -> Objects:
    """``f"{x:.4g}{suffix}"`` for each value."""
    size = np.abs(values)
    exact = np.isfinite(size) & (size > 0)
    with np.errstate(all="ignore"):
        exponent = np.floor(np.log10(np.where(exact, size, 1.0))).astype(np.int64)
        shift = 3 - exponent  # size * 10**shift lies in [1000, 10000) when log10 was right
        exact &= np.abs(shift) < _POWERS.shape[0]
        power = _POWERS[np.where(exact, np.abs(shift), 0)]
        # one correctly rounded operation by an exact power of ten: within 2e-12 of the
        # true value, so rounding it gives the true 4-digit mantissa unless near a tie
        scaled = np.where(shift >= 0, size * power, size / power)
        exact &= (np.abs(scaled - np.floor(scaled) - 0.5) > 1e-6) & (scaled >= 1000) & (
            scaled < 10000
        )
    out = np.empty(values.shape[0], dtype=object)
    one_by_one = ~exact
    at = np.flatnonzero(exact)
    if at.size:
        mantissa = np.rint(scaled[at]).astype(np.int64)
        exponent = exponent[at] + (mantissa == 10000)  # 9999.7 is 1.000 at the next exponent
        mantissa[mantissa == 10000] = 1000
        key = (exponent * 2 + (values[at] < 0)) * 10000 + mantissa
        unique, inverse = np.unique(key, return_inverse=True)
        if unique.shape[0] * 3 <= at.shape[0]:  # texts repeat: write each once
            texts = [f"{_representative(k):.4g}{suffix}" for k in unique.tolist()]
            out[at] = objects(texts)[inverse]
        else:  # mostly distinct (continuous values): as cheap one by one
            one_by_one[at] = True
    rest = np.flatnonzero(one_by_one)
    if rest.size:
        out[rest] = [f"{x:.4g}{suffix}" for x in values[rest].tolist()]
    return out


def _representative(key: int) -> float:
    """A value with the sign, mantissa and exponent of ``key``: Python's own ``.4g`` of it
    is the text of every value with that key."""
    sign = "-" if key // 10000 % 2 else ""
    return float(f"{sign}{key % 10000}e{key // 20000 - 3}")


def join(pieces: list[Piece], n: int) -> Objects:
    """Concatenate pieces row-wise into ``n`` texts (adjacent fixed texts merged first).

    Examples
    --------
    >>> join(["x = ", objects(["1", "2"]), " < ", "3"], 2).tolist()
    ['x = 1 < 3', 'x = 2 < 3']
    """
    merged: list[Piece] = []
    for piece in pieces:
        if isinstance(piece, str):
            if not piece:
                continue
            if merged and isinstance(merged[-1], str):
                merged[-1] += piece
                continue
        merged.append(piece)
    columns = [piece for piece in merged if not isinstance(piece, str)]
    if not columns:
        return filled("".join(merged), n)  # type: ignore[arg-type]
    if len(merged) == 1:
        return columns[0]
    if len(columns) == 1:  # the usual case: one value between fixed texts
        at = next(i for i, piece in enumerate(merged) if not isinstance(piece, str))
        before, after = "".join(merged[:at]), "".join(merged[at + 1 :])  # type: ignore[arg-type]
        return objects([before + text + after for text in columns[0].tolist()])
    parts = [itertools.repeat(p) if isinstance(p, str) else p.tolist() for p in merged]
    # fixed texts repeat without end: the columns (all n long) end the zip
    return objects(["".join(texts) for texts in zip(*parts, strict=False)])

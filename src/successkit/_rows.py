"""Picking the rows of a portfolio or result: by positions, by mask, or by account id.

Every ``take()`` and every single-account lookup (``explain``, ``what_if``, ``plan``, …)
goes through these two functions, so they accept the same inputs and fail with the same
:class:`~successkit.DataError` messages.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from successkit.errors import DataError, did_you_mean_suffix

__all__ = ["as_rows", "first_duplicate", "lookup", "positions", "row_of", "unknown_account"]

# Did-you-mean compares the id with this many ids at most, so a typo in a portfolio of
# millions is answered at once (difflib is quadratic-ish in the candidates).
_HINT_POOL = 10_000


def as_rows(rows: Any, n: int) -> npt.NDArray[np.intp]:
    """Integer positions into ``n`` rows from positions or a boolean mask of length ``n``.

    Positions keep their order and may repeat; they must lie in ``[0, n)``.

    Examples
    --------
    >>> as_rows([2, 0], 3).tolist(), as_rows([True, False, True], 3).tolist()
    ([2, 0], [0, 2])
    >>> from successkit.errors import DataError
    >>> try:
    ...     as_rows([3], 3)
    ... except DataError as error:
    ...     print(error)
    row positions must lie in [0, 3)
    """
    index = np.asarray(rows)
    if index.ndim != 1:
        raise DataError(
            f"rows must be a one-dimensional list of positions or a mask, got shape "
            f"{index.shape}"
        )
    if index.dtype == np.bool_:
        if index.shape[0] != n:
            raise DataError(f"a row mask needs {n} entries, got {index.shape[0]}")
        return np.flatnonzero(index).astype(np.intp)
    if index.size and index.dtype.kind not in "iu":
        raise DataError(f"rows must be integer positions or a boolean mask, got {index.dtype}")
    index = index.astype(np.intp)
    if index.size and (index.min() < 0 or index.max() >= n):
        raise DataError(f"row positions must lie in [0, {n})")
    return index


def unknown_account(account_id: Any, ids: npt.NDArray[np.str_], where: str) -> DataError:
    """The error for an account id that ``ids`` (of ``where``) lacks, with did-you-mean."""
    key = str(account_id)
    suffix = did_you_mean_suffix(key, ids[:_HINT_POOL].tolist())
    return DataError(f"no such account in {where}{suffix}", account=key)


def row_of(ids: npt.NDArray[np.str_], account_id: Any, *, where: str = "the result") -> int:
    """The row of ``account_id`` in ``ids`` (a DataError with did-you-mean when absent).

    Examples
    --------
    >>> import numpy as np
    >>> ids = np.array(["acme", "globex"])
    >>> row_of(ids, "globex")
    1
    >>> from successkit.errors import DataError
    >>> try:
    ...     row_of(ids, "acmee", where="the portfolio")
    ... except DataError as error:
    ...     print(error)
    account 'acmee': no such account in the portfolio; did you mean 'acme'?
    """
    found = np.flatnonzero(ids == str(account_id))
    if not found.size:
        raise unknown_account(account_id, ids, where)
    return int(found[0])


def _as_text(ids: Any) -> npt.NDArray[np.str_]:
    query = np.asarray(ids)
    return query if query.dtype.kind == "U" else query.astype(str)


def lookup(
    ordered: npt.NDArray[np.str_], order: npt.NDArray[np.intp], ids: Any
) -> npt.NDArray[np.intp]:
    """Row of each id in ``ids`` (``-1`` where absent), given the known ids sorted
    (``ordered``) and the permutation that sorts them (``order``).

    Examples
    --------
    >>> known = np.array(["b", "a"])
    >>> order = np.argsort(known)
    >>> lookup(known[order], order, ["a", "zzz", "b"]).tolist()
    [1, -1, 0]
    """
    query = _as_text(ids)
    n = ordered.shape[0]
    if not n or not query.size:
        return np.full(query.shape, -1, dtype=np.intp)
    pos = np.minimum(np.searchsorted(ordered, query), n - 1)
    return np.where(ordered[pos] == query, order[pos], -1).astype(np.intp)


def positions(known: Any, ids: Any) -> npt.NDArray[np.intp]:
    """Row of each id of ``ids`` in the id array ``known`` (``-1`` where absent).

    Aligning a result with the same accounts in the same order (the common case: a
    portfolio and its own results) costs one comparison, not a sort.

    Examples
    --------
    >>> positions(np.array(["a", "b"]), ["b", "c"]).tolist()
    [1, -1]
    """
    known = _as_text(known)
    query = _as_text(ids)
    if known.shape == query.shape and np.array_equal(known, query):
        return np.arange(known.shape[0], dtype=np.intp)
    order = np.argsort(known, kind="stable")
    return lookup(known[order], order, query)


def first_duplicate(
    ids: npt.NDArray[np.str_], order: npt.NDArray[np.intp]
) -> tuple[int, int] | None:
    """Rows ``(first, again)`` of the earliest repeated id, or ``None`` when ids are unique.

    ``order`` is the stable argsort of ``ids`` (the caller keeps it as its lookup index).
    """
    if ids.size < 2:
        return None
    ordered = ids[order]
    repeat = np.flatnonzero(ordered[1:] == ordered[:-1])
    if not repeat.size:
        return None
    again_rows = order[repeat + 1]
    k = int(np.argmin(again_rows))
    again = int(again_rows[k])
    first = int(order[np.searchsorted(ordered, ordered[repeat[k]])])
    return first, again

"""Values keyed by account id (mappings, indexed Series, one snapshot's labels) lined up by id.

Every function that takes outcomes or churn dates reads them through here, so that a pandas
Series indexed by account id in another order is matched by id — never by position — and
ids that do not match are a :class:`~successkit.DataError` naming them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from successkit.data.convert import convert_column
from successkit.errors import DataError

__all__ = ["align_by_id", "keyed", "plain", "read_churn_dates"]


def plain(value: Any) -> Any:
    """A pandas or polars Series as a numpy array (pandas' extension types with missing
    values as objects holding ``None``); anything else unchanged."""
    if isinstance(value, np.ndarray) or not hasattr(value, "to_numpy"):
        return value
    if isinstance(getattr(value, "dtype", None), np.dtype):
        return value.to_numpy()
    if getattr(value, "hasnans", False):  # pandas nullable types: NA -> None
        return value.to_numpy(dtype=object, na_value=None)
    return value.to_numpy()


def keyed(value: Any) -> tuple[npt.NDArray[np.str_], npt.NDArray[Any]] | None:
    """``(ids, values)`` when ``value`` carries account ids, else ``None``: a mapping (its
    keys), a pandas Series with an index other than the default 0..n-1, or an object with
    ``keyed_outcomes()`` (one snapshot's labels)."""
    method = getattr(value, "keyed_outcomes", None)
    if callable(method) and not isinstance(value, Mapping):
        ids, values = method()
        return np.asarray(ids).astype(str), np.asarray(values)
    if isinstance(value, Mapping):
        values = np.empty(len(value), dtype=object)
        values[:] = list(value.values())
        keys = np.empty(len(value), dtype=object)
        keys[:] = list(value.keys())
        return keys.astype(str), values
    index = getattr(value, "index", None)
    if index is not None and hasattr(value, "to_numpy") and not isinstance(value, np.ndarray):
        if type(index).__name__ == "RangeIndex" and index.start == 0 and index.step == 1:
            return None
        return np.asarray(index.to_numpy(dtype=object)).astype(str), plain(value)
    return None


def align_by_id(value: Any, ids: Any, *, what: str, absent_is_none: bool = False) -> Any:
    """``value`` reordered to ``ids`` when it carries ids (see :func:`keyed`); otherwise
    unchanged. Ids that do not match both ways, or repeat, are a
    :class:`~successkit.DataError` naming them — except, with ``absent_is_none``, accounts
    of ``ids`` missing from the keys, which get ``None`` (a churn-date mapping that lists
    the churners only).

    Examples
    --------
    >>> import numpy as np
    >>> align_by_id({"b": 1, "a": 0}, np.array(["a", "b"]), what="churned").tolist()
    [0, 1]
    >>> align_by_id({"a": 0, "z": 1}, np.array(["a", "b"]), what="churned")
    Traceback (most recent call last):
    ...
    successkit.errors.DataError: churned has no value for 1 account ids, e.g. ['b'] ...
    """
    found = keyed(value)
    if found is None:
        return value
    key_ids, values = found
    if ids is None:
        raise DataError(f"{what} is keyed by account id, but the scores carry no ids")
    ids = np.asarray(ids).astype(str)
    if key_ids.shape == ids.shape and np.array_equal(key_ids, ids):
        return values  # already in the accounts' order (labels of the same snapshot)
    order = np.argsort(key_ids, kind="stable")
    ordered = key_ids[order]
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if repeated.size:
        raise DataError(f"{what} repeats account ids {np.unique(repeated)[:5].tolist()}")
    at = np.searchsorted(ordered, ids)
    where = np.minimum(at, max(ordered.size - 1, 0))
    hit = (at < ordered.size) & (ordered[where] == ids) if ordered.size else (
        np.zeros(len(ids), np.bool_)
    )
    if key_ids.size and ids.size and not hit.any() and not absent_is_none:
        # Most often a pandas Series still indexed by row numbers (after a split or a
        # filter), not by account id.
        raise DataError(f"{what} is keyed by values none of which is an account id (keys "
                        f"such as {key_ids[:3].tolist()}, account ids such as "
                        f"{ids[:3].tolist()}): index it by account id, or pass plain values "
                        "in the accounts' order (e.g. series.to_numpy())")
    if absent_is_none and not hit.all():
        out = np.full(len(ids), None, dtype=object)
        out[hit] = values[order[where[hit]]]
    elif not hit.all():
        missing = ids[~hit]
        raise DataError(f"{what} has no value for {missing.size} account ids, e.g. "
                        f"{missing[:5].tolist()} (values keyed by id are matched by id)")
    if not (np.bincount(where[hit], minlength=ordered.size) > 0).all():  # a key unmatched
        extra = np.setdiff1d(key_ids, ids)
        raise DataError(f"{what} has {extra.size} account ids that are not among the "
                        f"accounts, e.g. {extra[:5].tolist()} (values keyed by id are "
                        "matched by id)")
    return out if absent_is_none and not hit.all() else values[order[where]]


def read_churn_dates(
    value: Any, ids: Any, *, what: str = "churn dates"
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.datetime64]]:
    """Per account of ``ids``: churned?, and the churn date (NaT when not known).

    ``value`` is a mapping or a pandas Series indexed by account id (matched by id; an
    account it does not list did not churn, an id that is not among ``ids`` is an error),
    or an array, list or polars Series aligned with ``ids`` by position. Each value is a date
    (text, :class:`datetime.date`, ``datetime64``, pandas ``Timestamp``), ``True`` (churned,
    date unknown), or ``None`` / ``NaT`` / NaN / ``False``: no churn.

    Examples
    --------
    >>> import numpy as np
    >>> churned, dates = read_churn_dates({"b": "2026-03-01", "a": None}, np.array(["a", "b"]))
    >>> churned.tolist(), dates.astype(str).tolist()
    ([False, True], ['NaT', '2026-03-01'])
    """
    ids = np.asarray(ids).astype(str)
    if isinstance(value, (str, bytes)) or np.isscalar(value):
        raise DataError(f"{what} must be one date (or None) per account, got {value!r}")
    raw = plain(align_by_id(value, ids, what=what, absent_is_none=True))
    if isinstance(raw, np.ndarray) and raw.dtype.kind == "M":
        dates = raw.astype("datetime64[D]")
    else:
        try:
            items = np.asarray(raw, dtype=object)
        except (TypeError, ValueError):
            raise DataError(f"{what} must be one date (or None) per account") from None
        if items.ndim != 1:
            raise DataError(f"{what} must be one-dimensional, got shape {items.shape}")
        flags = np.zeros(items.shape[0], np.bool_)
        is_bool = np.fromiter((isinstance(v, (bool, np.bool_)) for v in items), np.bool_,
                              items.shape[0])
        if is_bool.any():
            flags[is_bool] = items[is_bool].astype(np.bool_)
            items = items.copy()
            items[is_bool] = None
        numbers = np.fromiter((isinstance(v, (float, np.floating)) for v in items), np.bool_,
                              items.shape[0])
        if numbers.any():  # NaN: pandas' missing value in an object column
            nan = numbers.copy()
            nan[numbers] = np.isnan(items[numbers].astype(np.float64))
            if (numbers & ~nan).any():
                row = int(np.flatnonzero(numbers & ~nan)[0])
                raise DataError(f"{what} must be dates, got {items[row]!r}",
                                **_where(ids, row))
            items = items.copy()
            items[numbers] = None
        try:
            dates = np.asarray(convert_column(items, name=what, kind="date").values,
                               dtype="datetime64[D]")
        except DataError as exc:
            row = exc.row if exc.row is not None else 0
            raise DataError(f"{what}: {exc.message}", **_where(ids, row)) from None
        if dates.shape[0] != ids.shape[0]:
            raise DataError(f"{what} has {dates.shape[0]} values but there are "
                            f"{ids.shape[0]} accounts")
        return flags | ~np.isnat(dates), dates
    if dates.ndim != 1 or dates.shape[0] != ids.shape[0]:
        raise DataError(f"{what} has shape {dates.shape} but there are {ids.shape[0]} accounts")
    return ~np.isnat(dates), dates


def _where(ids: npt.NDArray[np.str_], row: int) -> dict[str, Any]:
    return {"account": str(ids[row])} if row < ids.shape[0] else {"row": row}

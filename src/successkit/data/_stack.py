"""Snapshots stacked into one table: a row per (account, snapshot date), for fitting on
every snapshot of a history at once."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from successkit.data.column import Column
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError

__all__ = ["stack_columns", "stack_snapshots"]


def stack_columns(parts: Sequence[Column], kind: Kind) -> Column:
    """``parts`` one after another as one column of ``kind``; a category's codes are
    mapped onto the union of the parts' categories.

    Examples
    --------
    >>> import successkit as sk
    >>> a, b = sk.Column.from_labels(["pro", None]), sk.Column.from_labels(["basic"])
    >>> stack_columns([a, b], sk.Kind.CATEGORY).to_list()
    ['pro', None, 'basic']
    """
    parts = [part if part.kind is kind or not part.all_missing else
             Column.empty(kind, len(part)) for part in parts]
    if kind is not Kind.CATEGORY:
        return Column(kind, np.concatenate([p.values for p in parts]),
                      np.concatenate([p.missing for p in parts]))
    labels = tuple(sorted({label for part in parts for label in part.categories}))
    union = np.asarray(labels, dtype=object)
    codes = []
    for part in parts:  # a loop over snapshots
        # Each part's category codes, then -1 (missing) in the last slot.
        lookup = np.append(np.searchsorted(union, np.asarray(part.categories, dtype=object)),
                           -1).astype(np.int32)
        codes.append(lookup[part.values])
    return Column.category(np.concatenate(codes), labels)


def stack_snapshots(snapshots: Sequence[Portfolio],
                    rows: Sequence[npt.NDArray[np.intp]] | None = None) -> Portfolio:
    """The ``rows`` of each snapshot (all by default) as one portfolio, a row per (account,
    snapshot) named ``"<account id>@<snapshot date>"``. A column a snapshot lacks is
    missing there.

    Examples
    --------
    >>> import successkit as sk
    >>> history = sk.History([
    ...     sk.Portfolio.from_columns({"id": ["a", "b"], "arr": [10, 20]}, as_of="2026-09-01"),
    ...     sk.Portfolio.from_columns({"id": ["a"], "plan": ["pro"]}, as_of="2026-10-01")])
    >>> stacked = stack_snapshots(list(history))
    >>> stacked.ids.tolist(), stacked["arr"].tolist()
    (['a@2026-09-01', 'b@2026-09-01', 'a@2026-10-01'], [10.0, 20.0, nan])
    """
    chosen = rows if rows is not None else [np.arange(len(s)) for s in snapshots]
    taken = [s.take(r) for s, r in zip(snapshots, chosen, strict=True)]
    if any(s.as_of is None for s in taken):
        raise DataError("every stacked snapshot needs its as_of date")
    ids = [f"{i}@{s.as_of}" for s in taken for i in s.ids.tolist()]
    kinds: dict[str, Kind] = {}
    for snapshot in taken:
        for name, column in snapshot.columns.items():
            if not column.all_missing or name not in kinds:
                kinds[name] = column.kind
    columns = {
        name: stack_columns([s.columns[name] if name in s.columns
                             else Column.empty(kind, len(s)) for s in taken], kind)
        for name, kind in kinds.items()}
    return Portfolio(np.asarray(ids, dtype=np.str_), columns, None)

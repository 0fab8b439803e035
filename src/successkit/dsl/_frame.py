"""What compiled rules read: one snapshot's columns, aligned to the evaluated accounts.

A :class:`Timeline` is the data a playbook is evaluated over: the snapshots (one for a
Portfolio, several for a History) and the *namespaces* — results of other models whose
values rules can name with a prefix (``health.score``, ``touch.quadrant``, ``stage``).
A :class:`Frame` is the timeline seen at one snapshot, aligned to the accounts being
evaluated, with a cache so a sub-expression shared by many rules is computed once.

Namespaces are pluggable: any object with ``rule_columns()`` and ``ids`` (a result), or
with ``rule_schema()`` and ``score()`` (a model, scored per snapshot when rules look at
the past) is a namespace source. Adding a namespace is adding an entry to
:data:`NAMESPACES`; the compiler does not know about any of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from successkit.data.column import Column
from successkit.data.history import History
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio, not_a_portfolio
from successkit.errors import ModelError

__all__ = ["NAMESPACES", "Frame", "Namespace", "Timeline", "schema_of"]

#: The namespaces rules can read: ``evaluate()`` keyword → name prefix.
NAMESPACES: dict[str, str] = {"health": "health", "touch": "touch", "stages": "stage"}


def _align(ids: npt.NDArray[np.str_], portfolio: Portfolio) -> npt.NDArray[np.intp] | None:
    """For each row of ``portfolio``, the row of ``ids`` with that account (-1: absent);
    ``None`` when ``ids`` are the portfolio's own (a result of that very snapshot)."""
    if ids is portfolio.ids or np.array_equal(ids, portfolio.ids):
        return None
    where = portfolio.index_of(ids)
    rows = np.full(len(portfolio), -1, dtype=np.intp)
    found = where >= 0
    rows[where[found]] = np.flatnonzero(found)
    return rows


class Namespace:
    """One namespace source (a result or a model) under its prefix."""

    def __init__(self, prefix: str, provider: Any, snapshots: Sequence[Portfolio]) -> None:
        self.prefix = prefix
        self.provider = provider
        self.snapshots = snapshots
        self._results: dict[int, Any] = {}
        self._columns: dict[int, tuple[Mapping[str, Column], npt.NDArray[np.intp] | None]] = {}
        self.is_model = not hasattr(provider, "rule_columns")
        if self.is_model and not (
            hasattr(provider, "rule_schema") and hasattr(provider, "score")
        ):
            raise ModelError(
                f"{prefix}= takes a result with rule_columns() or a model with "
                f"rule_schema() and score(), got {type(provider).__name__}",
                where=f"evaluate({prefix}=...)",
            )

    def full_name(self, key: str) -> str:
        return self.prefix if key == "" else f"{self.prefix}.{key}"

    def schema(self) -> dict[str, Kind]:
        # Kinds come from rule_schema() where the provider has it (every model, most
        # results), so checking rules never builds columns just to read their kinds.
        if self.is_model or hasattr(self.provider, "rule_schema"):
            items = dict(self.provider.rule_schema()).items()
            return {self.full_name(k): Kind(v) for k, v in items}
        columns = self.provider.rule_columns()
        return {self.full_name(k): Kind(c.kind) for k, c in columns.items()}

    def key_of(self, name: str) -> str | None:
        if name == self.prefix:
            return ""
        if name.startswith(self.prefix + "."):
            return name[len(self.prefix) + 1 :]
        return None

    def result_at(self, position: int) -> Any | None:
        """The provider's result at snapshot ``position`` (``None``: not available)."""
        if not self.is_model:
            return self.provider if position == len(self.snapshots) - 1 else None
        if position not in self._results:
            self._score_all()
        return self._results.get(position)

    def columns_at(
        self, position: int
    ) -> tuple[Mapping[str, Column], npt.NDArray[np.intp] | None] | None:
        """The provider's columns at snapshot ``position`` and the rows aligning them to
        that snapshot (``None``: aligned already), or ``None`` when there is no result then.
        Both are made once per snapshot, however many names rules read from them."""
        if position not in self._columns:
            result = self.result_at(position)
            if result is None:
                return None
            rows = _align(np.asarray(result.ids), self.snapshots[position])
            self._columns[position] = (result.rule_columns(), rows)
        return self._columns[position]

    def _score_all(self) -> None:
        if len(self.snapshots) > 1 and hasattr(self.provider, "score_history"):
            results = self.provider.score_history(History(self.snapshots))
            self._results = dict(enumerate(results))
            return
        previous = None
        for k, snapshot in enumerate(self.snapshots):
            previous = self.provider.score(snapshot, previous=previous)
            self._results[k] = previous


class Timeline:
    """Snapshots plus namespaces: everything a playbook evaluation can read."""

    def __init__(
        self,
        data: Portfolio | History,
        namespaces: Mapping[str, Any] | None = None,
    ) -> None:
        if isinstance(data, History):
            self.snapshots: tuple[Portfolio, ...] = data.snapshots
        elif isinstance(data, Portfolio):
            self.snapshots = (data,)
        else:
            raise not_a_portfolio(data, "a Portfolio or a History")
        self.namespaces = [
            Namespace(prefix, provider, self.snapshots)
            for prefix, provider in (namespaces or {}).items()
            if provider is not None
        ]
        self.dates = np.array(
            [np.datetime64(s.as_of or "NaT", "D") for s in self.snapshots],
            dtype="datetime64[D]",
        )
        self._columns: dict[tuple[int, str], Column | None] = {}

    def schema(self) -> dict[str, Kind]:
        """Every name rules can use: columns (of any snapshot) and namespaced names."""
        kinds: dict[str, Kind] = {}
        if len(self.snapshots) > 1:
            kinds.update(History(self.snapshots).schema)
        else:
            kinds.update(self.snapshots[0].schema)
        for namespace in self.namespaces:
            kinds.update(namespace.schema())
        return kinds

    def frame(self, position: int = -1) -> Frame:
        """The timeline seen at snapshot ``position`` (default: the latest)."""
        position %= len(self.snapshots)
        return Frame(self, position, self.snapshots[position].ids, None)

    def column(self, position: int, name: str) -> Column | None:
        """Column ``name`` at snapshot ``position`` in that snapshot's row order."""
        key = (position, name)
        if key not in self._columns:
            self._columns[key] = self._find(position, name)
        return self._columns[key]

    def _find(self, position: int, name: str) -> Column | None:
        snapshot = self.snapshots[position]
        column = snapshot.columns.get(name)
        if column is not None:
            return column
        for namespace in self.namespaces:
            key = namespace.key_of(name)
            if key is None:
                continue
            found = namespace.columns_at(position)
            if found is None:
                return None
            columns, rows = found
            named: Column | None = columns.get(key)
            return named if named is None or rows is None else named.take(rows)
        return None


def schema_of(
    data: Mapping[str, Kind | str] | Portfolio | History, providers: Mapping[str, Any]
) -> dict[str, Kind]:
    """Every name rules can use over ``data`` (a Portfolio, a History or a schema mapping
    of name to kind) with the namespaces of ``providers`` (prefix → result or model)."""
    if isinstance(data, (Portfolio, History)):
        return Timeline(data, providers).schema()
    kinds = {str(name): Kind(kind) for name, kind in data.items()}
    for prefix, provider in providers.items():
        if provider is not None:
            kinds.update(Namespace(prefix, provider, ()).schema())
    return kinds


class Frame:
    """The timeline at one snapshot, aligned to the accounts being evaluated.

    ``rows`` maps each evaluated account to its row in this snapshot (``None``: the
    snapshot's own rows, as for the current snapshot; ``-1``: absent, i.e. missing).
    """

    def __init__(
        self,
        timeline: Timeline,
        position: int,
        ids: npt.NDArray[np.str_],
        rows: npt.NDArray[np.intp] | None,
    ) -> None:
        self.timeline = timeline
        self.position = position
        self.ids = ids
        self.rows = rows
        self.n = int(ids.shape[0])
        self.cache: dict[Any, Any] = {}
        snapshot = timeline.snapshots[position]
        self.as_of: dt.date | None = snapshot.as_of

    def column(self, name: str, kind: Kind | None) -> Column | None:
        """Column ``name`` aligned to the evaluated accounts (``None``: not available)."""
        column = self.timeline.column(self.position, name)
        if column is None:
            if kind is not None and self._is_plain_column(name):
                return Column.empty(kind, self.n)  # a snapshot without the column
            return None
        if kind is not None and column.kind is not kind:
            column = column.as_kind(kind, name=name)
        return column if self.rows is None else column.take(self.rows)

    def _is_plain_column(self, name: str) -> bool:
        return not any(ns.key_of(name) is not None for ns in self.timeline.namespaces)

    def at(self, position: int) -> Frame:
        """Snapshot ``position`` aligned to this frame's accounts."""
        snapshot = self.timeline.snapshots[position]
        same = snapshot.ids is self.ids or np.array_equal(snapshot.ids, self.ids)
        rows = None if same else snapshot.index_of(self.ids)  # None: the same accounts
        return Frame(self.timeline, position, self.ids, rows)

    def past(self, days: int) -> Frame | None:
        """The earlier snapshot closest to ``days`` before this one (``None`` if none lies
        within half the window of that date)."""
        if self.position == 0 or self.as_of is None:
            return None
        dates = self.timeline.dates[: self.position]
        target = np.datetime64(self.as_of, "D") - np.timedelta64(days, "D")
        gaps = np.abs((dates - target).astype(np.int64))
        best = int(np.argmin(gaps))  # ties go to the older snapshot
        if gaps[best] > days // 2 or np.isnat(dates[best]):
            return None
        return self._past_frame(best)

    def previous(self) -> Frame | None:
        """The snapshot right before this one (``None`` for the first)."""
        if self.position == 0:
            return None
        return self._past_frame(self.position - 1)

    def _past_frame(self, position: int) -> Frame:
        key = ("frame", position)
        frame = self.cache.get(key)
        if frame is None:
            frame = self.cache[key] = self.at(position)
        assert isinstance(frame, Frame)
        return frame

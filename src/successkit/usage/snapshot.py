"""Compute usage metrics for every account on every snapshot date, in one sorted pass.

The events are sorted once by (account, day) into a single int64 key; every windowed metric
is then a difference of cumulative sums found by :func:`numpy.searchsorted`, for all
accounts and dates at once. A window ``w`` at date ``D`` covers ``[D - w, D)``.

Exactness: counts, sums and days-since are exact for any input. Active days and distinct
users are exact when each row is one day (raw events or daily aggregates); a row that
stands for a week counts as one day on its own date, so weekly rows cannot give exact
28-day distinct users or active days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from successkit.data.calendar import shift
from successkit.data.column import Column
from successkit.data.dates import to_date
from successkit.data.events import Events
from successkit.data.history import History
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError, did_you_mean_suffix
from successkit.usage.model import UsageMetric, UsageModel

__all__ = ["usage_history", "usage_portfolio"]

Members = str | Callable[[dt.date], Any]
_F = npt.NDArray[np.float64]


class _Sorted:
    """The events sorted once by (account, day), with the lookups every metric shares."""

    def __init__(self, events: Events, rows: npt.NDArray[np.intp], n_accounts: int,
                 account: npt.NDArray[np.int64]) -> None:
        day = events.day.view(np.int64)
        self.d0 = int(day.min()) if day.size else 0
        self.stride = np.int64((int(day.max()) - self.d0 + 2) if day.size else 2) + 400
        key = account * self.stride + (day - self.d0)
        order = rows[np.argsort(key[rows], kind="stable")]
        self.key = key[order]
        self.order = order
        self.events = events
        self.n = n_accounts
        self.base = np.arange(n_accounts, dtype=np.int64) * self.stride
        self._cache: dict[Any, Any] = {}
        self.type_sorted = events.type[order]
        start = np.searchsorted(self.key, self.base)
        self.present = start < np.searchsorted(self.key, self.base + self.stride)
        self.first = np.where(self.present, self.key[np.minimum(start, max(len(order) - 1, 0))]
                              - self.base if len(order) else 0, self.stride)
        self.count_sorted = None if events.count is None else events.count[order]

    def offset(self, days: npt.NDArray[np.datetime64]) -> npt.NDArray[np.int64]:
        return np.clip(days.astype(np.int64) - self.d0, -1, int(self.stride) - 1)

    def check(self, types: tuple[str, ...]) -> None:
        known = self.events.types
        for name in types:
            if name not in known:
                raise DataError(f"unknown event type {name!r}" + did_you_mean_suffix(
                    name, list(known)), column="type")

    def selected(self, types: tuple[str, ...] | None) -> npt.NDArray[np.bool_] | None:
        if types is None:
            return None
        self.check(types)
        known = self.events.types
        mask: npt.NDArray[np.bool_] = np.asarray(self.type_sorted == known.index(types[0]))
        for name in types[1:]:
            mask |= self.type_sorted == known.index(name)
        return mask

    def cumulative(self, weights: npt.NDArray[Any] | None, types: tuple[str, ...] | None,
                   what: str) -> tuple[Any, _F]:
        # Every snapshot date reuses the same cumulative sums: build them once per selection.
        cache_key = (what, types)
        if cache_key not in self._cache:
            self._cache[cache_key] = self._cumulative(weights, types)
        return self._cache[cache_key]  # type: ignore[no-any-return]

    def _cumulative(self, weights: npt.NDArray[Any] | None,
                    types: tuple[str, ...] | None) -> tuple[Any, _F]:
        mask = self.selected(types)
        key = self.key if mask is None else self.key[mask]
        if weights is None:
            cum = np.arange(key.shape[0] + 1, dtype=np.float64)
        else:
            w: npt.NDArray[Any] = np.asarray(
                self.count_sorted if weights is self.events.count else weights[self.order])
            cum = np.concatenate([[0.0], np.cumsum(w if mask is None else w[mask],
                                                   dtype=np.float64)])
        return key, cum

    def typed_counts(self, types: tuple[str, ...], lo: Any, hi: Any) -> _F:
        """Counts of ``types`` in ``[lo, hi)``: one (type, account, day) index for every type
        selection, so a set of types is a sum of per-type windows, with no mask per metric."""
        self.check(types)
        if "typed" not in self._cache:
            by_type = np.argsort(self.type_sorted, kind="stable")  # keeps (account, day) order
            span = np.int64(self.n) * self.stride
            key = self.type_sorted[by_type].astype(np.int64) * span + self.key[by_type]
            weights = (np.ones(key.shape[0]) if self.count_sorted is None
                       else self.count_sorted[by_type])
            cum = np.concatenate([[0.0], np.cumsum(weights, dtype=np.float64)])
            self._cache["typed"] = (key, cum, span)
        key, cum, span = self._cache["typed"]
        low, high = self.base + self.offset(lo), self.base + self.offset(hi)
        total = np.zeros(self.n)
        for name in dict.fromkeys(types):
            shift_by = self.events.types.index(name) * span
            total += cum[np.searchsorted(key, high + shift_by)]
            total -= cum[np.searchsorted(key, low + shift_by)]
        return total

    def window(self, key: npt.NDArray[np.int64], cum: _F, lo: Any, hi: Any) -> _F:
        a = np.searchsorted(key, self.base + self.offset(lo))
        b = np.searchsorted(key, self.base + self.offset(hi))
        return np.asarray(cum[b] - cum[a], dtype=np.float64)


def _window_values(s: _Sorted, metric: UsageMetric, lo: Any, hi: Any) -> _F:
    ev = s.events
    kind = metric.kind
    if kind in ("count", "scaled_count"):
        if metric.types is not None:
            return s.typed_counts(metric.types, lo, hi)
        key, cum = s.cumulative(ev.count, metric.types, "count")
        return s.window(key, cum, lo, hi)
    if kind == "sum":
        if ev.value is None:
            raise DataError("a sum metric needs a value column in the events", column=metric.name)
        values = np.nan_to_num(ev.value, nan=0.0) if ("value", metric.types) not in s._cache \
            else None
        key, cum = s.cumulative(values, metric.types, "value")
        return s.window(key, cum, lo, hi)
    if kind == "active_days":
        cache_key = ("days", metric.types)
        if cache_key not in s._cache:
            mask = s.selected(metric.types)
            unique = np.unique(s.key if mask is None else s.key[mask])
            s._cache[cache_key] = (unique, np.arange(unique.shape[0] + 1, dtype=np.float64))
        unique, cum = s._cache[cache_key]
        return s.window(unique, cum, lo, hi)
    if kind == "distinct_users":
        return _distinct_users(s, metric.types, lo, hi)
    raise AssertionError(kind)  # pragma: no cover


def _distinct_users(s: _Sorted, types: tuple[str, ...] | None, lo: Any, hi: Any) -> _F:
    ev = s.events
    if ev.user is None:
        raise DataError("distinct_users needs a user column in the events", column="user")
    cache_key = ("users", types)
    if cache_key not in s._cache:
        mask = s.selected(types)
        rows = s.order if mask is None else s.order[mask]
        account = (s.key if mask is None else s.key[mask]) // s.stride
        day = ev.day.view(np.int64)[rows] - s.d0
        pair_key = account * (len(ev.users) + 1) + ev.user[rows]
        pairs, pair = np.unique(pair_key, return_inverse=True)
        composite = np.sort(pair.reshape(-1).astype(np.int64) * s.stride + day)
        pair_account = pairs // (len(ev.users) + 1)
        base = np.arange(pairs.shape[0], dtype=np.int64) * s.stride
        s._cache[cache_key] = (composite, pair_account, base)
    composite, pair_account, base = s._cache[cache_key]
    # A user is active in [lo, hi) if its first event at or after lo comes before hi.
    first = np.searchsorted(composite, base + s.offset(lo)[pair_account])
    inside = np.zeros(base.shape[0], dtype=np.bool_)
    ok = first < composite.shape[0]
    limit = base + s.offset(hi)[pair_account]
    inside[ok] = composite[first[ok]] < limit[ok]
    return np.bincount(pair_account[inside], minlength=s.n).astype(np.float64)


def _first_days(s: _Sorted, types: tuple[str, ...] | None) -> tuple[Any, Any]:
    return s.cumulative(None, types, "rows")


def _compute(s: _Sorted, model: UsageModel, day: np.datetime64,
             seats: Callable[[str], _F]) -> dict[str, _F]:
    out: dict[str, _F] = {}
    d = np.full(s.n, day, dtype="datetime64[D]")
    has_any = s.present & (s.first < s.offset(d))
    since_start = np.where(has_any, (s.offset(d) - s.first).astype(np.float64), np.nan)
    for metric in model:
        kind = metric.kind
        if metric.window is not None:
            lo = shift(d, metric.window, -1)
            width = (d - lo).astype(np.int64).astype(np.float64)
        if kind in ("count", "sum", "distinct_users", "active_days", "scaled_count"):
            value = _window_values(s, metric, lo, d)
            if kind == "scaled_count":
                observed = np.minimum(width, since_start)
                value = np.where(observed > 0, value * width / np.where(observed > 0,
                                                                         observed, 1), np.nan)
        elif kind == "days_observed":
            value = np.minimum(width, since_start)
        elif kind in ("days_since_first", "days_since_last"):
            key, _ = _first_days(s, metric.types)
            start = np.searchsorted(key, s.base)
            stop = np.searchsorted(key, s.base + s.offset(d))
            at = start if kind == "days_since_first" else stop - 1
            found = stop > start
            pos = np.clip(at, 0, max(len(key) - 1, 0))
            event = key[pos] - s.base if len(key) else np.zeros(s.n, np.int64)
            value = np.where(found, (s.offset(d) - event).astype(np.float64), np.nan)
        elif kind == "per_seat":
            value = _divide(out[metric.of[0]], seats(str(metric.column)))
        elif kind == "per_user":
            base = _metric(model, metric.of[0])
            lo = shift(d, base.window or "1d", -1)
            value = _divide(out[metric.of[0]], _distinct_users(s, None, lo, d))
        elif kind == "ratio":
            value = _divide(out[metric.of[0]], out[metric.of[1]])
        else:  # change, relative_change
            base = _metric(model, metric.of[0])
            if base.window is None or base.kind not in ("count", "sum", "distinct_users",
                                                        "active_days"):
                raise DataError(f"{kind} reads a windowed count, sum, distinct_users or "
                                "active_days metric", column=metric.name)
            lo = shift(d, base.window, -1)
            before = _window_values(s, base, shift(lo, base.window, -1), lo)
            now = out[base.name]
            value = now - before if kind == "change" else _divide(now - before, before)
        out[metric.name] = value
    out["_has_events"] = has_any.astype(np.float64)
    return out


def _metric(model: UsageModel, name: str) -> UsageMetric:
    return next(m for m in model if m.name == name)


def _divide(a: _F, b: _F) -> _F:
    good = np.isfinite(b) & (b != 0)
    return np.where(good, a / np.where(good, b, 1.0), np.nan)


def _prepare(events: Events, accounts: Any, unmatched: str) -> tuple[_Sorted, Portfolio | None,
                                                                       npt.NDArray[np.str_], int]:
    if not isinstance(events, Events):
        raise DataError(f"expected Events, got {type(events).__name__}; use Events.from_columns")
    if unmatched not in ("error", "drop"):
        raise DataError(f"unmatched is 'error' or 'drop', not {unmatched!r}")
    names = np.asarray(events.accounts, dtype=str) if events.accounts else np.zeros(0, str)
    code = events.account.astype(np.int64)
    if accounts is None:
        return _Sorted(events, np.arange(len(events)), len(names), code), None, names, 0
    table = accounts if isinstance(accounts, Portfolio) else Portfolio.from_columns(accounts)
    remap = table.index_of(names) if names.size else np.zeros(0, np.intp)
    row_code = remap[code] if code.size else code
    absent = row_code < 0
    dropped = int(absent.sum())
    if dropped and unmatched == "error":
        row = int(np.flatnonzero(absent)[0])
        raise DataError(f"event for account {names[code[row]]!r}, which is not in the account "
                        "table (pass unmatched='drop' to leave such events out)",
                        column="account", row=row)
    rows = np.flatnonzero(~absent)
    sorted_events = _Sorted(events, rows, len(table), row_code.astype(np.int64))
    return sorted_events, table, table.ids, dropped


def _snapshot(s: _Sorted, model: UsageModel, when: dt.date, table: Portfolio | None,
              ids: npt.NDArray[np.str_], members: Members) -> Portfolio:
    def seats(name: str) -> _F:
        if table is None or name not in table.columns:
            raise DataError("per_seat needs this column in the account table", column=name)
        return np.asarray(table.column(name, "number").values, dtype=np.float64)

    values = _compute(s, model, np.datetime64(when, "D"), seats)
    has = values.pop("_has_events").astype(bool)
    if members == "events":
        rows = np.flatnonzero(has)
    elif members == "table":
        rows = np.arange(ids.shape[0])
    elif callable(members):
        wanted = np.asarray([str(v) for v in members(when)], dtype=str)
        lookup = Portfolio(ids).index_of(wanted) if wanted.size else np.zeros(0, np.intp)
        if (lookup < 0).any():
            bad = wanted[np.flatnonzero(lookup < 0)[0]]
            raise DataError(f"members on {when} names account {str(bad)!r}, which has no events "
                            "and is not in the account table")
        rows = np.sort(lookup)
    else:
        raise DataError(f"members is 'events', 'table' or a function of the date, not {members!r}")
    columns = {} if table is None else {n: c.take(rows) for n, c in table.columns.items()}
    for name in model.names:
        columns[name] = Column.number(values[name][rows])
    return Portfolio(ids[rows], columns, when)


def usage_portfolio(events: Events, model: UsageModel, as_of: Any, *, accounts: Any = None,
                    members: Members = "events", unmatched: str = "error") -> Portfolio:
    """The usage metrics of every account at ``as_of``, as a :class:`~successkit.Portfolio`.

    Parameters
    ----------
    events:
        The event log.
    model:
        The metric definitions.
    as_of:
        The snapshot date ``D``; a window ``w`` covers ``[D - w, D)`` (``D`` excluded).
    accounts:
        An optional account table (a :class:`~successkit.Portfolio` or columns with an
        ``id`` column); its columns are carried over, aligned by id.
    members:
        Which accounts appear: ``"events"`` (default: those with an event before ``D``),
        ``"table"`` (every account of ``accounts``) or a function ``date -> ids`` (e.g.
        the accounts under contract).
    unmatched:
        Events of accounts absent from ``accounts``: ``"error"`` (default) raises a
        :class:`~successkit.DataError` naming the row; ``"drop"`` leaves them out.

    Examples
    --------
    >>> from successkit.data.events import Events
    >>> from successkit.usage import UsageModel, usage_portfolio
    >>> ev = Events.from_columns({"account_id": ["a", "a", "b"],
    ...     "at": ["2026-01-03", "2026-01-31", "2026-02-01"], "event": ["login"] * 3})
    >>> model = UsageModel.from_text("metric logins = count(login, 28d)")
    >>> pf = usage_portfolio(ev, model, "2026-02-01")
    >>> pf.ids.tolist(), pf["logins"].tolist()
    (['a'], [1.0])
    """
    return usage_history(events, model, [as_of], accounts=accounts, members=members,
                         unmatched=unmatched).latest


def usage_history(events: Events, model: UsageModel, dates: Iterable[Any], *,
                  accounts: Any = None, members: Members = "events",
                  unmatched: str = "error") -> History:
    """The usage metrics on each date of ``dates`` as a :class:`~successkit.History`.

    ``dates`` are explicit dates or a calendar
    (:func:`~successkit.data.calendar.calendar`); other parameters as
    :func:`usage_portfolio`.

    Examples
    --------
    >>> from successkit.data.calendar import calendar
    >>> from successkit.data.events import Events
    >>> from successkit.usage import UsageModel, usage_history
    >>> ev = Events.from_columns({"account_id": ["a", "b", "b"],
    ...     "at": ["2026-01-03", "2026-01-31", "2026-02-10"], "event": ["login"] * 3})
    >>> model = UsageModel.from_text("metric logins = count(*, 1mo)")
    >>> h = usage_history(ev, model, calendar("2026-02-01", "2026-03-01"))
    >>> [(p.ids.tolist(), p["logins"].tolist()) for p in h]
    [(['a', 'b'], [1.0, 1.0]), (['a', 'b'], [0.0, 1.0])]
    """
    days = sorted({to_date(d, what="snapshot date") for d in dates})
    if not days:
        raise DataError("usage_history needs at least one snapshot date")
    s, table, ids, _ = _prepare(events, accounts, unmatched)
    return History([_snapshot(s, model, day, table, ids, members) for day in days])

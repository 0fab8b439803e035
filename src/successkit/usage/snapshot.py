"""Compute usage metrics for every account on every snapshot date, vectorised.

A window ``w`` at date ``D`` covers the days ``[D - w, D)``: events on ``D`` belong to the
next snapshot. The events are binned once per pass into (account, window boundary) grids
(see :mod:`successkit.usage._engine`); every metric on every date is a difference of two
grid columns, for all accounts at once.

Exactness: counts and days-since are exact for any input (counts up to a total of 2**53).
Value sums are floating-point: the running totals carry their rounding errors, so values
before a window do not blur its sum, but the last bits may depend on row order. Active
days and distinct users are exact when each row is one day (raw events or daily
aggregates); a row that stands for a week counts as one day on its own date, so weekly
rows cannot give exact 28-day distinct users or active days. A row with a count of 0 is no activity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._options import one_of
from successkit.data.calendar import shift
from successkit.data.column import Column
from successkit.data.convert import convert_ids
from successkit.data.dates import to_dates
from successkit.data.events import Events, events_of
from successkit.data.history import History
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError, ModelError
from successkit.usage._engine import Log, Quantity, between, selector_of
from successkit.usage.model import UsageMetric, UsageModel

__all__ = ["usage_history", "usage_portfolio"]

Members = str | Callable[[dt.date], Any]
_F = npt.NDArray[np.float64]
_COUNTS = ("count", "sum")


def _quantities(model: UsageModel) -> dict[str, list[Quantity]]:
    """The windowed quantities each metric reads (its own window, and the previous one for
    changes; the distinct users of the window for per-user rates)."""
    by_name = {m.name: m for m in model}
    out: dict[str, list[Quantity]] = {}
    for metric in model:  # a loop over metrics
        if metric.kind in ("count", "scaled_count", "sum", "distinct_users", "active_days"):
            kind = "count" if metric.kind == "scaled_count" else metric.kind
            assert metric.window is not None
            out[metric.name] = [Quantity(kind, metric.types, metric.window)]
        elif metric.kind in ("change", "relative_change"):
            (now,) = out[metric.of[0]]
            out[metric.name] = [now, attrs.evolve(now, lag=1)]
        elif metric.kind == "per_user":
            base = by_name[metric.of[0]]
            assert base.window is not None
            out[metric.name] = [Quantity("distinct_users", None, base.window)]
    return out


def _window(q: Quantity, days: npt.NDArray[np.datetime64]) -> tuple[Any, Any]:
    """(lo, hi) day numbers of ``q`` at each snapshot date."""
    hi = days
    for _ in range(q.lag):  # a loop over lags (0 or 1)
        hi = shift(hi, q.window, -1)
    lo = shift(hi, q.window, -1)
    return lo.astype(np.int64), hi.astype(np.int64)


def _compute(log: Log, model: UsageModel, days: npt.NDArray[np.datetime64],
             seats: Callable[[str], _F], members: Members
             ) -> tuple[dict[str, _F], npt.NDArray[np.bool_]]:
    """Every metric of ``model`` as a ``[dates, accounts]`` array, and who had an event
    before each date."""
    # The first event of each account: for membership by events and for days observed.
    first_needed = members == "events" or any(
        m.kind in ("scaled_count", "days_observed") for m in model)
    needs = _quantities(model)
    quantities = list(dict.fromkeys(q for qs in needs.values() for q in qs))
    windows = {q: _window(q, days) for q in quantities}
    values = {q: np.zeros((days.shape[0], log.n)) for q in quantities}
    first_any = np.full((days.shape[0], log.n) if first_needed else (days.shape[0], 1),
                        np.iinfo(np.int64).max, dtype=np.int64)
    extremes = {(m.kind, m.types): np.empty((days.shape[0], log.n), dtype=np.int64)
                for m in model if m.kind in ("days_since_first", "days_since_last")}
    d = days.astype(np.int64)
    for part, bounds in _blocks(log, d, windows):  # a loop over blocks of snapshot dates
        _fill(log, quantities, windows, values, part, bounds)
        at = np.searchsorted(bounds, d[part])
        # The first event of any type serves membership and ``days_since_first(*)`` alike.
        first_all = log.extreme_days(None, bounds, last=False) if (
            first_needed or ("days_since_first", None) in extremes) else None
        if first_all is not None and first_needed:
            first_any[part] = first_all[:, at].T
        for (kind, types), out in extremes.items():  # a loop over metrics
            table = first_all if first_all is not None and (kind, types) == (
                "days_since_first", None) else log.extreme_days(
                selector_of(log, types), bounds, last=kind == "days_since_last")
            out[part] = table[:, at].T
    has = np.broadcast_to(first_any < d[:, None], (days.shape[0], log.n))
    metrics: dict[str, _F] = {}
    for metric in model:  # a loop over metrics
        metrics[metric.name] = _metric(metric, needs.get(metric.name, []), values, metrics,
                                       d, first_any, extremes, seats)
    return metrics, has


def _blocks(log: Log, d: npt.NDArray[np.int64], windows: dict[Quantity, tuple[Any, Any]],
            ) -> list[tuple[slice, npt.NDArray[np.int64]]]:
    """Consecutive blocks of snapshot dates whose window boundaries make a grid of one event
    type fit the memory budget (all dates in one block, unless accounts × dates is huge)."""
    limit = max(2, log.budget // (8 * max(log.n, 1)))
    per_date = [np.unique(np.array([d[i], *(lo[i] for lo, _ in windows.values()),
                                    *(hi[i] for _, hi in windows.values())]))
                for i in range(d.shape[0])]  # a loop over snapshot dates
    out: list[tuple[slice, npt.NDArray[np.int64]]] = []
    start, bounds = 0, per_date[0][:0]
    for i, own in enumerate(per_date):  # a loop over snapshot dates
        grown = np.union1d(bounds, own)
        if i > start and grown.shape[0] + 1 > limit:
            out.append((slice(start, i), bounds))
            start, grown = i, own
        bounds = grown
    out.append((slice(start, d.shape[0]), bounds))
    return out


def _fill(log: Log, quantities: list[Quantity], windows: dict[Quantity, tuple[Any, Any]],
          values: dict[Quantity, _F], part: slice, bounds: npt.NDArray[np.int64]) -> None:
    """The windowed quantities on the dates ``part``, from grids over ``bounds``."""
    k = bounds.shape[0]

    def cols(q: Quantity) -> tuple[Any, Any]:
        lo, hi = windows[q]
        return np.searchsorted(bounds, lo[part]), np.searchsorted(bounds, hi[part])

    for weight, kind in (("count", "count"), ("value", "sum")):  # a loop over weights
        wanted = [q for q in quantities if q.kind == kind]
        if not wanted:
            continue
        if kind == "sum" and log.events.value is None:
            raise DataError("a sum metric needs the events' values: name their column when "
                            "reading the events, Events.from_columns(table, value=...)")
        every = [q for q in wanted if q.types is None]
        if every:  # every type: one pass without a type filter, for all such quantities
            cube, low = log.sums(None, 1, bounds, weight)
            for q in every:
                j_lo, j_hi = cols(q)
                values[q][part] += between(cube[0], None if low is None else low[0], j_lo, j_hi)
        codes = sorted({c for q in wanted if q.types is not None
                        for c in log.type_codes(q.types)})
        m = log.group_size(k, weight)
        for g in range(0, len(codes), m):  # a loop over groups of event types
            group = codes[g:g + m]
            selector = np.full(max(len(log.events.types), 1), -1, dtype=np.int16)
            selector[group] = np.arange(len(group), dtype=np.int16)
            cube, low = log.sums(selector, len(group), bounds, weight)
            for q in wanted:
                if q.types is None:
                    continue
                j_lo, j_hi = cols(q)
                for code in dict.fromkeys(log.type_codes(q.types)):  # a loop over types
                    if code in group:
                        slot = group.index(code)
                        values[q][part] += between(
                            cube[slot], None if low is None else low[slot], j_lo, j_hi)
    for types in dict.fromkeys(q.types for q in quantities if q.kind == "active_days"):
        table = log.active_days(selector_of(log, types), bounds)
        for q in quantities:
            if q.kind == "active_days" and q.types == types:
                j_lo, j_hi = cols(q)
                values[q][part] = (table[:, j_hi] - table[:, j_lo]).T
    for types in dict.fromkeys(q.types for q in quantities if q.kind == "distinct_users"):
        asked = [q for q in quantities if q.kind == "distinct_users" and q.types == types]
        spans = [(int(lo), int(hi)) for q in asked
                 for lo, hi in zip(windows[q][0][part], windows[q][1][part], strict=True)]
        found = log.distinct_users(selector_of(log, types), spans)
        per = len(found) // max(len(asked), 1)
        for i, q in enumerate(asked):
            values[q][part] = np.stack(found[i * per:(i + 1) * per])


def _metric(metric: UsageMetric, needs: list[Quantity], values: dict[Quantity, _F],
            done: dict[str, _F], d: npt.NDArray[np.int64], first_any: npt.NDArray[np.int64],
            extremes: dict[Any, npt.NDArray[np.int64]], seats: Callable[[str], _F]) -> _F:
    kind = metric.kind
    if kind in ("count", "sum", "distinct_users", "active_days"):
        return values[needs[0]]
    if kind in ("scaled_count", "days_observed"):
        since_start = np.where(first_any < d[:, None], (d[:, None] - first_any), -1)
        assert metric.window is not None
        width = (d - shift(d.astype("datetime64[D]"), metric.window, -1).astype(np.int64))
        observed = np.minimum(width[:, None], since_start).astype(np.float64)
        observed[since_start < 0] = np.nan
        if kind == "days_observed":
            return observed
        good = observed > 0
        scale = np.where(good, width[:, None] / np.where(good, observed, 1.0), np.nan)
        return values[needs[0]] * scale
    if kind in ("days_since_first", "days_since_last"):
        day = extremes[(kind, metric.types)]
        found = (day != np.iinfo(np.int64).min) & (day != np.iinfo(np.int64).max)
        return np.where(found, (d[:, None] - day).astype(np.float64), np.nan)
    if kind == "per_seat":
        return _divide(done[metric.of[0]], seats(str(metric.column))[None, :])
    if kind == "per_user":
        return _divide(done[metric.of[0]], values[needs[0]])
    if kind == "ratio":
        return _divide(done[metric.of[0]], done[metric.of[1]])
    now, before = values[needs[0]], values[needs[1]]
    return now - before if kind == "change" else _divide(now - before, before)


def _divide(a: _F, b: _F) -> _F:
    good = np.isfinite(b) & (b != 0)
    return np.where(good, a / np.where(good, b, 1.0), np.nan)


def prepare(events: Events, accounts: Any, unmatched: str) -> tuple[Log, Portfolio | None,
                                                                       npt.NDArray[np.str_]]:
    events = events_of(events)
    one_of(unmatched, ("error", "drop"), "unmatched")
    names = np.asarray(events.accounts, dtype=np.str_) if events.accounts else np.zeros(0, str)
    if accounts is None:
        return Log(events, np.arange(names.shape[0]), names.shape[0]), None, names
    table = accounts if isinstance(accounts, Portfolio) else Portfolio.from_columns(accounts)
    remap = table.index_of(names) if names.size else np.zeros(0, np.intp)
    absent = np.flatnonzero(remap < 0)
    if absent.size and unmatched == "error":
        # The first row of an absent account: a search over the accounts, then one mask.
        bad = np.zeros(names.shape[0], dtype=np.bool_)
        bad[absent] = True
        row = int(np.flatnonzero(bad[events.account])[0])
        raise DataError(f"event for account {str(names[events.account[row]])!r}, which is not in "
                        "the account table (pass unmatched='drop' to leave such events out; "
                        "Events.unmatched tells how many)", column="account", row=row)
    return Log(events, remap, len(table)), table, table.ids


def _member_rows(chosen: Any, when: dt.date, ids: npt.NDArray[np.str_]) -> npt.NDArray[np.intp]:
    """Sorted rows of the accounts a ``members`` function chose on ``when``."""
    # A lone str is iterable (its letters), so it would pass as a list of one-letter ids.
    if isinstance(chosen, (str, bytes)) or not isinstance(chosen, Iterable):
        raise DataError(f"members on {when} returned {type(chosen).__name__}, not a list of "
                        "account ids")
    if not hasattr(chosen, "__len__"):  # a generator or other one-pass iterable
        chosen = list(chosen)
    wanted = convert_ids(chosen, name="members") if len(chosen) else np.zeros(0, str)
    lookup = Portfolio(ids).index_of(wanted) if wanted.size else np.zeros(0, np.intp)
    if (lookup < 0).any():
        bad = wanted[np.flatnonzero(lookup < 0)[0]]
        raise DataError(f"members on {when} names account {str(bad)!r}, which has no events "
                        "and is not in the account table")
    rows = np.sort(lookup)
    # The snapshot takes these rows as its ids, which must be distinct; also a repeated id
    # would make "as many rows as ids" (every account) true by mistake.
    again = np.flatnonzero(rows[1:] == rows[:-1])
    if again.size:
        raise DataError(f"members on {when} names account {str(ids[rows[again[0]]])!r} more "
                        "than once")
    return rows


def _snapshot(values: dict[str, _F], has: npt.NDArray[np.bool_], model: UsageModel,
              when: dt.date, table: Portfolio | None, ids: npt.NDArray[np.str_],
              members: Members) -> Portfolio:
    if members == "events":
        rows = np.flatnonzero(has)
    elif members == "table":
        rows = np.arange(ids.shape[0])
    elif callable(members):
        rows = _member_rows(members(when), when, ids)
    else:
        raise DataError(f"members is 'events', 'table' or a function of the date, not {members!r}")
    # Rows are sorted and distinct, so as many as there are ids means all of them: then the
    # snapshot shares the (read-only) ids and table columns instead of copying them once
    # per date.
    every = rows.shape[0] == ids.shape[0]
    columns = {} if table is None else {
        n: c if every else c.take(rows) for n, c in table.columns.items()}
    for name in model.names:
        columns[name] = Column.number(values[name] if every else values[name][rows])
    return Portfolio(ids if every else ids[rows], columns, when)


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
        ``id`` column); its columns are carried over, aligned by id. A column named like
        a metric is a :class:`~successkit.DataError`.
    members:
        Which accounts appear: ``"events"`` (default: those with an event before ``D``),
        ``"table"`` (every account of ``accounts``) or a function ``date -> ids`` (e.g.
        the accounts under contract) returning distinct ids; a repeated id, or something
        other than a list of ids, is a :class:`~successkit.DataError`.
    unmatched:
        Events of accounts absent from ``accounts``: ``"error"`` (default) raises a
        :class:`~successkit.DataError` naming the row; ``"drop"`` leaves them out
        (:meth:`Events.unmatched <successkit.data.events.Events.unmatched>` tells which
        accounts and how many events).

    Notes
    -----
    Rows are counted as given (a duplicated row counts twice); a row with a count of 0 is
    no activity. Counts and days-since are exact for any input; value sums are
    floating-point (unaffected by values before the window, but their last bits may differ
    with row order); distinct users and active days are exact for raw events and daily
    rows, not for weekly aggregates. A bad
    definition, an unknown event type or a missing column raises before any result exists.

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
    if not isinstance(model, UsageModel):
        raise ModelError(f"expected a UsageModel, got {type(model).__name__}: make one with "
                         f"UsageModel.from_text(...) or UsageModel([...])")
    if not callable(members):
        one_of(members, ("events", "table"), "members (or a function of the date)")
    days = snapshot_days(dates)
    log, table, ids = prepare(events, accounts, unmatched)
    check_table(model, table)
    values, has = compute(log, model, days, table, members)
    return assemble(values, has, model, days, table, ids, members)


def check_table(model: UsageModel, table: Portfolio | None) -> None:
    """Refuse an account-table column named as a metric: the snapshot holds one column per
    name, so the metric would silently replace the table's values."""
    if table is None:
        return
    for name in model.names:  # a loop over metrics
        if name in table.columns:
            raise DataError(f"the account table has a column named like the metric {name!r}; "
                            "rename the column or the metric", column=name)


def snapshot_days(dates: Iterable[Any]) -> list[dt.date]:
    """The distinct snapshot dates, sorted; at least one."""
    days = sorted(set(to_dates(dates, what="snapshot date")))
    if not days:
        raise DataError("usage_history needs at least one snapshot date")
    return days


def compute(log: Log, model: UsageModel, days: list[dt.date], table: Portfolio | None,
            members: Members = "events") -> tuple[dict[str, _F], npt.NDArray[np.bool_]]:
    """Every metric as a ``[dates, accounts]`` array and who had an event before each date
    (the accounts are the table's rows, or the log's accounts without a table)."""
    def seats(name: str) -> _F:
        if table is None or name not in table.columns:
            raise DataError("per_seat needs this column in the account table", column=name)
        return np.asarray(table.column(name, "number").values, dtype=np.float64)

    return _compute(log, model, np.array(days, dtype="datetime64[D]"), seats, members)


def assemble(values: dict[str, _F], has: npt.NDArray[np.bool_], model: UsageModel,
             days: list[dt.date], table: Portfolio | None, ids: npt.NDArray[np.str_],
             members: Members) -> History:
    """The History of the computed metrics, with each date's members."""
    return History([  # a loop over snapshot dates
        _snapshot({name: v[i] for name, v in values.items()}, has[i], model, day, table, ids,
                  members)
        for i, day in enumerate(days)])

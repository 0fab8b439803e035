"""Account facts from contracts, as of many snapshot dates at once.

For every account and every date ``D`` (vectorised over both): whether a period covers
``D`` (``start <= D < end``), tenure since the first start, days observed within a window,
the current seats, ARR and plan, days to the current period's end, renewals so far, the
ARR change over a past window, and the last churn date. Overlapping periods combine: seats
and ARR sum over the periods covering ``D``; the plan is that of the covering period with
the largest ARR (``plan_by="revenue"``, ties to the later start) or the latest start
(``plan_by="latest"``). An account that has churned by ``D`` is not active on ``D`` and is
left out of :meth:`AccountFacts.to_portfolio`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import array_field, readonly_arrays
from successkit._options import flag, one_of, position
from successkit._rows import lookup
from successkit.contracts._coverage import coverage, renewals, restrict
from successkit.contracts._periods import (
    NEVER,
    Periods,
    day_numbers,
    grace_days,
    last_churn,
    snapshot_days,
    sort_periods,
)
from successkit.data.calendar import parse_span, shift
from successkit.data.column import Column
from successkit.data.contracts import Contracts
from successkit.data.dates import to_date
from successkit.data.history import History, not_a_history
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError

__all__ = ["AccountFacts", "account_facts"]

#: The fact columns, in the order :meth:`AccountFacts.columns_at` gives them.
FACTS = (
    "active", "tenure_days", "days_observed", "seats", "arr", "plan", "days_to_renewal",
    "renewals", "arr_change", "churned_on",
)


@readonly_arrays
@attrs.frozen
class AccountFacts:
    """Contract facts for ``ids`` (columns) on ``dates`` (rows); every array is
    ``[len(dates), len(ids)]`` and read-only.

    Examples
    --------
    >>> import successkit as sk
    >>> contracts = sk.Contracts.from_columns({"account_id": ["a", "a", "b"],
    ...     "start": ["2024-01-01", "2025-01-01", "2024-01-01"],
    ...     "end": ["2025-01-01", None, "2024-09-01"], "arr": [1200, 1500, 600]},
    ...     revenue="arr")
    >>> facts = sk.account_facts(contracts, ["2024-06-01", "2025-02-01"])
    >>> facts.ids.tolist(), facts.active.tolist()
    (['a', 'b'], [[True, True], [True, False]])
    >>> facts.arr[1].tolist(), facts.renewals[1].tolist()  # a renewed, b churned
    ([1500.0, nan], [1, 0])

    .. versionadded:: 0.2
    """

    dates: tuple[dt.date, ...]
    plan_categories: tuple[str, ...]
    ids: npt.NDArray[np.str_] = array_field()
    active: npt.NDArray[np.bool_] = array_field()
    tenure_days: npt.NDArray[np.float64] = array_field()
    days_observed: npt.NDArray[np.float64] = array_field()
    seats: npt.NDArray[np.float64] = array_field()
    arr: npt.NDArray[np.float64] = array_field()
    plan_codes: npt.NDArray[np.int32] = array_field()
    days_to_renewal: npt.NDArray[np.float64] = array_field()
    renewals: npt.NDArray[np.int64] = array_field()
    arr_change: npt.NDArray[np.float64] = array_field()
    churned_on: npt.NDArray[np.datetime64] = array_field()

    def columns_at(self, k: int, *, active_only: bool = False) -> dict[str, Column]:
        """The facts on ``dates[k]`` as typed columns aligned with :attr:`ids` (or with the
        ids active on that date when ``active_only``)."""
        k = position(k, len(self.dates), "k (a snapshot's position in dates)")
        rows = np.flatnonzero(self.active[k]) if flag(active_only, "active_only") else slice(None)
        plan = self.plan_codes[k][rows]
        return {
            "active": Column.boolean(self.active[k][rows]),
            "tenure_days": Column.number(self.tenure_days[k][rows]),
            "days_observed": Column.number(self.days_observed[k][rows]),
            "seats": Column.number(self.seats[k][rows]),
            "arr": Column.number(self.arr[k][rows]),
            "plan": Column.category(plan, self.plan_categories),
            "days_to_renewal": Column.number(self.days_to_renewal[k][rows]),
            "renewals": Column.number(self.renewals[k][rows].astype(np.float64)),
            "arr_change": Column.number(self.arr_change[k][rows]),
            "churned_on": Column.date(self.churned_on[k][rows]),
        }

    def to_portfolio(self, k: int) -> Portfolio:
        """A :class:`~successkit.Portfolio` of the accounts active on ``dates[k]``."""
        columns = self.columns_at(k, active_only=True)  # checks k
        del columns["active"], columns["churned_on"]
        return Portfolio(self.ids[self.active[k]], columns, as_of=self.dates[k])

    def history(self) -> History:
        """A :class:`~successkit.History` with one snapshot per date (active accounts)."""
        return History([self.to_portfolio(k) for k in range(len(self.dates))])

    def members(self, when: Any) -> npt.NDArray[np.str_]:
        """The ids under contract on ``when`` (one of :attr:`dates`): pass the method as
        ``members=facts.members`` to :func:`~successkit.usage.usage_history`, so that each
        snapshot holds exactly the accounts under contract that day."""
        ids: npt.NDArray[np.str_] = self.ids[self.active[self._index(when)]]
        return ids

    def _index(self, when: Any) -> int:
        day = to_date(when, what="snapshot date")
        if day not in self.dates:
            raise DataError(f"no contract facts on {day.isoformat()}; compute the facts on "
                            "the snapshot dates (account_facts(contracts, history.dates))")
        return self.dates.index(day)

    def join(self, history: History, *, prefix: str = "") -> History:
        """``history`` with the contract facts as columns of each snapshot, matched by id.

        Each snapshot keeps only the accounts under contract on its date — an account that
        has churned by ``D`` does not appear on ``D`` — and gains ``tenure_days``,
        ``days_observed``, ``seats``, ``arr``, ``plan``, ``days_to_renewal``, ``renewals``
        and ``arr_change`` (named ``prefix + name``). A snapshot date without facts, or a
        fact column that the snapshot already has, is a :class:`~successkit.DataError`.

        Examples
        --------
        >>> import successkit as sk
        >>> from successkit.data.contracts import Contracts
        >>> c = Contracts.from_columns({"account_id": ["a", "b"],
        ...     "start": ["2020-01-01", "2020-03-01"], "end": [None, "2020-09-01"],
        ...     "arr": [1200, 600]}, revenue="arr")
        >>> usage = sk.History([sk.Portfolio.from_columns(
        ...     {"id": ["b", "a", "x"], "logins": [3, 9, 1]}, as_of=d)
        ...     for d in ("2020-06-01", "2020-10-01")])
        >>> joined = account_facts(c, usage.dates).join(usage)
        >>> [(p.ids.tolist(), p["arr"].tolist()) for p in joined]
        [(['b', 'a'], [600.0, 1200.0]), (['a'], [1200.0])]
        """
        if not isinstance(history, History):
            raise not_a_history(history)
        if not isinstance(prefix, str):
            raise DataError(f"prefix must be text put before each fact's name, got {prefix!r}")
        snapshots = []
        m = len(self.ids)
        for snapshot in history:  # a loop over snapshots
            k = self._index(snapshot.as_of)
            members = np.flatnonzero(self.active[k])
            if members.size == len(snapshot) and np.array_equal(self.ids[members],
                                                                snapshot.ids):
                rows = members  # built with members=facts.members: the same accounts
            else:  # self.ids are sorted and unique: a binary search, checked
                rows = lookup(self.ids, np.arange(m), snapshot.ids)
            active = np.zeros(len(snapshot), np.bool_)
            active[rows >= 0] = self.active[k][rows[rows >= 0]]
            kept = snapshot.take(np.flatnonzero(active))
            facts = self.columns_at(k)
            del facts["active"], facts["churned_on"]
            at = rows[active]
            columns = dict(kept.columns)
            for name, column in facts.items():
                if prefix + name in columns:
                    raise DataError("the snapshot already has this column; pass prefix= to "
                                    "name the contract facts apart", column=prefix + name)
                columns[prefix + name] = column.take(at)
            snapshots.append(Portfolio(kept.ids, columns, kept.as_of))
        return History(snapshots)


def account_facts(
    contracts: Contracts,
    dates: Sequence[Any],
    *,
    window: Any = "90d",
    change_window: Any = "90d",
    grace: Any = "0d",
    plan_by: Literal["revenue", "latest"] = "revenue",
) -> AccountFacts:
    """Facts of every account in ``contracts`` on every date in ``dates``.

    Parameters
    ----------
    contracts:
        The contract periods.
    dates:
        Snapshot dates, increasing.
    window:
        ``days_observed`` is the number of days of ``[D - window, D)`` on or after the
        account's first start (tenure capped at the window).
    change_window:
        ``arr_change`` is ARR on ``D`` minus ARR on ``D - change_window`` (an account
        without a covering period has ARR 0 there).
    grace:
        A period starting within ``grace`` after coverage ends is a renewal, not churn.
    plan_by:
        Which covering period gives the plan when several overlap.

    Examples
    --------
    >>> from successkit.data.contracts import Contracts

    Account ``a`` renews from plan basic to pro, ``b`` churns, ``c`` starts after the
    first date:

    >>> c = Contracts.from_columns({
    ...     "account_id": ["a", "a", "b", "c"],
    ...     "start": ["2020-01-01", "2021-01-01", "2020-03-01", "2020-10-01"],
    ...     "end": ["2021-01-01", None, "2020-09-01", "2021-10-01"],
    ...     "arr": [1200, 1500, 600, 900], "plan": ["basic", "pro", "basic", "pro"],
    ... }, revenue="arr", plan="plan")
    >>> f = account_facts(c, ["2020-06-01", "2021-02-01"])
    >>> f.active.tolist()
    [[True, True, False], [True, False, True]]
    >>> f.arr[1].tolist(), f.renewals[1].tolist(), f.days_to_renewal[0].tolist()
    ([1500.0, nan, 900.0], [1, 0, 0], [214.0, 92.0, nan])
    >>> f.to_portfolio(0)["plan"].tolist(), f.to_portfolio(1)["plan"].tolist()
    (['basic', 'basic'], ['pro', 'pro'])
    >>> f.to_portfolio(1).ids.tolist(), f.churned_on[1].astype(str).tolist()
    (['a', 'c'], ['NaT', '2020-09-01', 'NaT'])
    """
    one_of(plan_by, ("revenue", "latest"), "plan_by")
    as_dates, days = snapshot_days(dates)
    p = sort_periods(contracts, grace_days(grace))
    m, k = len(p.ids), len(days)
    window_start = day_numbers(shift(days.astype("M8[D]"), parse_span(window), -1))
    change_start = day_numbers(
        shift(days.astype("M8[D]"), parse_span(change_window, what="change_window"), -1)
    )
    out = {
        "active": np.zeros((k, m), np.bool_),
        "seats": np.full((k, m), np.nan),
        "arr": np.full((k, m), np.nan),
        "plan_codes": np.full((k, m), -1, np.int32),
        "days_to_renewal": np.full((k, m), np.nan),
        "renewals": np.zeros((k, m), np.int64),
        "arr_change": np.full((k, m), np.nan),
    }
    if m:
        _from_coverage(p, days, change_start, out)
        # Accounts with overlapping rows (add-ons): computed over their rows, per date.
        several = np.flatnonzero(p.overlap)
        if several.size:
            part = {name: values[:, several] for name, values in out.items()}
            _fill(restrict(p, several), days, change_start, plan_by, part)
            for name, values in part.items():
                out[name][:, several] = values
    tenure = days[:, None] - p.first_start[None, :]
    begun = tenure >= 0
    observed = days[:, None] - np.maximum(p.first_start[None, :], window_start[:, None])
    churned = last_churn(p, days)
    churned_on = np.where(
        (churned > -NEVER) & ~out["active"], churned, np.iinfo(np.int64).min
    ).astype("datetime64[D]")
    return AccountFacts(
        ids=p.ids,
        dates=as_dates,
        tenure_days=np.where(begun, tenure, np.nan),
        days_observed=np.where(begun, np.maximum(observed, 0), np.nan),
        plan_categories=p.plan_categories,
        churned_on=churned_on,
        **out,
    )


def _from_coverage(
    p: Periods, days: npt.NDArray[np.int64], change_start: npt.NDArray[np.int64],
    out: dict[str, npt.NDArray[Any]],
) -> None:
    """The facts of accounts whose rows never overlap, from the one covering row (accounts
    with overlapping rows, ``p.overlap``, are computed by :func:`_fill`)."""
    now = coverage(p, days)
    active, row = now.active, now.last
    out["active"][...] = active
    if p.seats is not None:
        out["seats"][...] = np.where(active, p.seats[row], np.nan)
    if p.revenue is not None:
        then = coverage(p, change_start)
        # A row with no revenue value leaves its account's ARR unknown (NaN), not 0.
        revenue = p.revenue
        arr = np.where(active, revenue[row], np.nan)
        out["arr"][...] = arr
        out["arr_change"][...] = arr - np.where(then.active, revenue[then.last], 0.0)
    if p.plan_codes is not None:
        out["plan_codes"][...] = np.where(active, p.plan_codes[row], -1)
    renew = now.end - days[:, None]
    out["days_to_renewal"][...] = np.where(active & (now.end < NEVER), renew, np.nan)
    out["renewals"][...] = renewals(p, now)


def _fill(
    p: Periods, days: npt.NDArray[np.int64], change_start: npt.NDArray[np.int64], plan_by: str,
    out: dict[str, npt.NDArray[Any]],
) -> None:
    """The per-date facts, one pass over the sorted rows per date (a loop over dates).

    Rows are sorted by account, so every per-account figure is a ``reduceat`` over the
    account's run of rows: no scatter, no per-account loop.
    """
    g = p.group_starts
    seats = None if p.seats is None else np.nan_to_num(p.seats)
    seats_known = None if p.seats is None else ~np.isnan(p.seats)
    # A covering row with no revenue value makes its account's ARR unknown (NaN), not 0.
    revenue = p.revenue
    # The plan comes from the covering row ranking highest (largest ARR, ties to the later
    # start, later end, later plan label; or the latest start): its rank within the sort.
    codes = np.zeros(len(p.acc), np.int32) if p.plan_codes is None else p.plan_codes
    revenue_key = np.zeros(len(p.acc)) if p.revenue is None else np.nan_to_num(p.revenue, nan=-1)
    plan_order = (
        np.lexsort((codes, p.end, p.start, revenue_key, p.acc)) if plan_by == "revenue"
        else np.lexsort((codes, revenue_key, p.end, p.start, p.acc))
    )
    rank = np.empty(len(p.acc), np.int64)
    rank[plan_order] = np.arange(len(p.acc))
    renewal = p.renewal.astype(np.int64)
    for i, day in enumerate(days):  # a loop over snapshot dates
        covering = (p.start <= day) & (day < p.end)
        count = np.add.reduceat(covering.astype(np.int32), g)
        active = count > 0
        out["active"][i] = active
        if seats is not None and seats_known is not None:
            known = np.add.reduceat(covering & seats_known, g) > 0
            total = np.add.reduceat(np.where(covering, seats, 0.0), g)
            out["seats"][i] = np.where(known, total, np.nan)
        if revenue is not None:
            now = np.add.reduceat(np.where(covering, revenue, 0.0), g)
            out["arr"][i] = np.where(active, now, np.nan)
            before = (p.start <= change_start[i]) & (change_start[i] < p.end)
            then = np.add.reduceat(np.where(before, revenue, 0.0), g)
            out["arr_change"][i] = np.where(active, now - then, np.nan)
        if p.plan_codes is not None:
            best = np.maximum.reduceat(np.where(covering, rank, -1), g)
            rows = plan_order[np.maximum(best, 0)]
            out["plan_codes"][i] = np.where(active, p.plan_codes[rows], -1)
        soonest = np.minimum.reduceat(np.where(covering, p.end, NEVER), g)
        out["days_to_renewal"][i] = np.where(soonest < NEVER, soonest - day, np.nan)
        out["renewals"][i] = np.add.reduceat(np.where(p.start <= day, renewal, 0), g)

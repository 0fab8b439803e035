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
from successkit.contracts._periods import (
    NEVER,
    account_sum,
    day_numbers,
    grace_days,
    last_churn,
    sort_periods,
)
from successkit.data.calendar import parse_span, shift
from successkit.data.column import Column
from successkit.data.contracts import Contracts
from successkit.data.dates import to_date
from successkit.data.history import History
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
        rows = np.flatnonzero(self.active[k]) if active_only else slice(None)
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
        columns = self.columns_at(k, active_only=True)
        del columns["active"], columns["churned_on"]
        return Portfolio(self.ids[self.active[k]], columns, as_of=self.dates[k])

    def history(self) -> History:
        """A :class:`~successkit.History` with one snapshot per date (active accounts)."""
        return History([self.to_portfolio(k) for k in range(len(self.dates))])


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
    >>> c = Contracts.from_columns({
    ...     "account_id": ["a", "a", "b"],
    ...     "start": ["2020-01-01", "2021-01-01", "2020-03-01"],
    ...     "end": ["2021-01-01", None, "2020-09-01"],
    ...     "arr": [1200, 1500, 600], "plan": ["basic", "pro", "basic"],
    ... }, revenue="arr", plan="plan")
    >>> f = account_facts(c, ["2020-06-01", "2021-02-01"])
    >>> f.active.tolist()
    [[True, True], [True, False]]
    >>> f.arr[1].tolist(), f.renewals[1].tolist(), f.days_to_renewal[0].tolist()
    ([1500.0, nan], [1, 0], [214.0, 92.0])
    >>> f.to_portfolio(1).ids.tolist(), f.churned_on[1].astype(str).tolist()
    (['a'], ['NaT', '2020-09-01'])
    """
    if plan_by not in ("revenue", "latest"):
        raise DataError(f"plan_by must be 'revenue' or 'latest', not {plan_by!r}")
    as_dates = tuple(to_date(d, what="snapshot date") for d in dates)
    days = day_numbers(np.array(as_dates, dtype="datetime64[D]"))
    if days.size > 1 and (np.diff(days) <= 0).any():
        raise DataError("snapshot dates must be increasing")
    p = sort_periods(contracts, grace_days(grace))
    m, k = len(p.ids), len(days)
    window_start = day_numbers(shift(days.astype("M8[D]"), parse_span(window), -1))
    change_start = day_numbers(
        shift(days.astype("M8[D]"), parse_span(change_window, what="change_window"), -1)
    )
    revenue_key = np.zeros(len(p.acc)) if p.revenue is None else np.nan_to_num(p.revenue, nan=-1)
    # Ties go to the later start, then the later end, then the later plan label, so the
    # pick does not depend on row order.
    codes = np.zeros(len(p.acc), np.int32) if p.plan_codes is None else p.plan_codes
    plan_order = (
        np.lexsort((codes, p.end, p.start, revenue_key, p.acc)) if plan_by == "revenue"
        else np.lexsort((codes, revenue_key, p.end, p.start, p.acc))
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
    for i, day in enumerate(days):
        covering = (p.start <= day) & (day < p.end)
        active = np.bincount(p.acc, weights=covering, minlength=m) > 0
        out["active"][i] = active
        out["seats"][i] = np.where(active, account_sum(p, p.seats, covering), np.nan)
        arr_now = _arr_on(p, covering, m)
        out["arr"][i] = np.where(active, arr_now, np.nan)
        before = (p.start <= change_start[i]) & (change_start[i] < p.end)
        out["arr_change"][i] = np.where(active, arr_now - _arr_on(p, before, m), np.nan)
        if p.plan_codes is not None and m:
            ordered = covering[plan_order]
            rows = plan_order[ordered]
            last = rows[np.r_[p.acc[rows][1:] != p.acc[rows][:-1], True]] if rows.size else rows
            out["plan_codes"][i][p.acc[last]] = p.plan_codes[last]
        if m:
            soonest = np.minimum.reduceat(np.where(covering, p.end, NEVER), p.group_starts)
            out["days_to_renewal"][i] = np.where(soonest < NEVER, soonest - day, np.nan)
        started = p.renewal & (p.start <= day)
        out["renewals"][i] = np.bincount(p.acc, weights=started, minlength=m).astype(np.int64)
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


def _arr_on(p: Any, covering: npt.NDArray[np.bool_], m: int) -> npt.NDArray[np.float64]:
    """ARR per account over the covering rows; 0 for an account with none."""
    if p.revenue is None:
        return np.full(m, np.nan)
    total = account_sum(p, p.revenue, covering)
    return np.where(np.isnan(total), 0.0, total)

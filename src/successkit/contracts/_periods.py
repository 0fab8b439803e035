"""Contract rows sorted once by account, with the churn events every fact and label uses.

Rows are sorted by (account, start). Coverage is the running maximum of the ends within an
account; a *churn* is a coverage end that no later row starts within the grace gap. A row
that starts on the day coverage ends (or within the grace gap after it) is a *renewal*.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit.data.calendar import parse_span
from successkit.data.contracts import Contracts, contracts_of
from successkit.data.dates import to_dates
from successkit.errors import DataError, ModelError

__all__ = [
    "Periods", "account_sum", "day_numbers", "grace_days", "last_churn", "next_churn",
    "refuse_unknown_revenue", "snapshot_days", "sort_periods",
]

#: Day number standing for "never" (a running contract's end); far beyond any real date.
NEVER = np.int64(10**9)
_SPAN = np.int64(4 * 10**9)  # larger than any day-number range, to keep accounts apart


@attrs.frozen
class Periods:
    """Rows of a contracts table sorted by (account, start), as int64 day numbers."""

    ids: npt.NDArray[np.str_]  # distinct account ids, sorted
    acc: npt.NDArray[np.intp]  # account index per sorted row
    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]  # NEVER when running
    revenue: npt.NDArray[np.float64] | None  # annual
    seats: npt.NDArray[np.float64] | None
    plan_codes: npt.NDArray[np.int32] | None
    plan_categories: tuple[str, ...]
    group_starts: npt.NDArray[np.intp]  # first sorted row of each account
    first_start: npt.NDArray[np.int64]  # per account
    renewal: npt.NDArray[np.bool_]  # per sorted row
    churn_key: npt.NDArray[np.int64]  # sorted acc * _SPAN + churn day, one per churn
    grace: int
    overlap: npt.NDArray[np.bool_]  # per account: a row starts before earlier ones end
    memo: dict[Any, Any] = attrs.field(factory=dict, eq=False, repr=False)  # coverage


def sort_periods(contracts: Contracts, grace_days: int) -> Periods:
    """Sort ``contracts`` once and find renewals and churns with a grace gap in days (kept
    with the table, so facts and labels of one table share the work)."""
    contracts = contracts_of(contracts)
    key = ("periods", grace_days)
    found = contracts._memo.get(key)
    if found is None:
        found = contracts._memo[key] = _sort_periods(contracts, grace_days)
    return found


def _sort_periods(contracts: Contracts, grace_days: int) -> Periods:
    ids, acc = contracts.account_codes()
    start = contracts.start.astype(np.int64)
    end = np.where(np.isnat(contracts.end), NEVER, contracts.end.astype(np.int64))
    order = _order(acc, start, end)
    if order is not None:
        acc, start, end = acc[order], start[order], end[order]
    acc = acc.astype(np.intp)
    n = acc.shape[0]
    group_starts = np.flatnonzero(np.r_[True, acc[1:] != acc[:-1]]) if n else np.zeros(0, np.intp)
    first_start = start[group_starts] if n else np.zeros(0, np.int64)
    cover = np.maximum.accumulate(acc * _SPAN + end) - acc * _SPAN if n else end
    previous_cover = np.r_[np.int64(-_SPAN), cover[:-1]] if n else cover
    same_account = np.r_[False, acc[1:] == acc[:-1]] if n else np.zeros(0, np.bool_)
    renewal = same_account & (start >= previous_cover) & (start <= previous_cover + grace_days)
    next_start = np.r_[start[1:], NEVER] if n else start
    next_same = np.r_[acc[1:] == acc[:-1], False] if n else np.zeros(0, np.bool_)
    ends_life = (cover < NEVER) & (~next_same | (next_start > cover + grace_days))
    churn_key = acc[ends_life] * _SPAN + cover[ends_life]
    overlap = np.bincount(acc, weights=same_account & (start < previous_cover),
                          minlength=len(ids)) > 0
    arr = contracts.arr
    plan = contracts.plan
    keep = slice(None) if order is None else order
    return Periods(
        ids=ids,
        acc=acc,
        start=start,
        end=end,
        revenue=None if arr is None else arr[keep],
        seats=None if contracts.seats is None else contracts.seats[keep],
        plan_codes=None if plan is None else np.asarray(plan.values)[keep],
        plan_categories=() if plan is None else plan.categories,
        group_starts=group_starts,
        first_start=first_start,
        renewal=renewal,
        churn_key=churn_key,
        grace=grace_days,
        overlap=overlap,
    )


def _order(
    acc: npt.NDArray[np.intp], start: npt.NDArray[np.int64], end: npt.NDArray[np.int64]
) -> npt.NDArray[np.intp] | None:
    """The row order by (account, start, end), or ``None`` when the rows are in it already
    (a table exported sorted). One int64 key when it fits, else a lexsort."""
    n = acc.shape[0]
    if n < 2:
        return None
    lo = int(start.min())
    finite = end < NEVER
    top = int(end[finite].max()) + 1 if finite.any() else lo + 1
    days_start = int(start.max()) - lo + 1
    days_end = top - lo + 1
    if (int(acc.max()) + 1) * days_start * days_end < 2**62:
        key = (acc.astype(np.int64) * days_start + (start - lo)) * days_end + (
            np.minimum(end, top) - lo)
        if (key[1:] >= key[:-1]).all():
            return None
        return np.argsort(key, kind="stable").astype(np.intp)
    return np.lexsort((end, start, acc)).astype(np.intp)


def account_sum(
    p: Periods, weights: npt.NDArray[np.float64] | None, mask: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    """Per account, the sum of ``weights`` over rows in ``mask`` (missing values skipped;
    NaN when no row in ``mask`` has a value)."""
    m = len(p.ids)
    if weights is None:
        return np.full(m, np.nan)
    present = mask & ~np.isnan(weights)
    total = np.bincount(p.acc, weights=np.where(present, weights, 0.0), minlength=m)
    count = np.bincount(p.acc, weights=present, minlength=m)
    return np.where(count > 0, total, np.nan)


def _churns(p: Periods) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64],
                                  npt.NDArray[np.bool_]]:
    """Churn rows: account, day, and whether the next churn row is the same account's."""
    # Rounded, not floored: a churn before 1970 has a negative day number, and floor
    # division would hand it to the account before.
    acc = ((p.churn_key + _SPAN // 2) // _SPAN).astype(np.intp)
    return acc, p.churn_key - acc * _SPAN, np.r_[acc[1:] == acc[:-1], False]


def next_churn(p: Periods, days: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """For each date (rows) × account (columns), the first churn day after the date, or
    ``NEVER``. A loop over dates, each a pass over the (few) churn rows."""
    out = np.full((len(days), len(p.ids)), NEVER)
    acc, day, next_same = _churns(p)
    before_same = np.r_[False, next_same[:-1]]
    for i, when in enumerate(days):
        ahead = day > when
        # churns are sorted by day within an account: the first one ahead of the date
        first = ahead & ~(before_same & np.r_[False, ahead[:-1]])
        out[i, acc[first]] = day[first]
    return out


def last_churn(p: Periods, days: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """For each date × account, the latest churn day on or before the date, or ``-NEVER``."""
    out = np.full((len(days), len(p.ids)), -NEVER)
    acc, day, next_same = _churns(p)
    for i, when in enumerate(days):
        seen = day <= when
        last = seen & ~(next_same & np.r_[seen[1:], False])
        out[i, acc[last]] = day[last]
    return out


def grace_days(value: Any) -> int:
    """A grace gap in exact days (``"0d"``, ``"14d"``, ``"2w"``); months are refused."""
    span = parse_span(value, what="grace")
    if span.months:
        raise ModelError(f"grace must be in days or weeks, not {span}")
    return span.days


def snapshot_days(dates: Any) -> tuple[tuple[dt.date, ...], npt.NDArray[np.int64]]:
    """The snapshot ``dates`` (increasing, each a date or ISO text) and their day numbers.

    Examples
    --------
    >>> snapshot_days(["2026-01-01", "2026-02-01"])[1].tolist()
    [20454, 20485]
    >>> snapshot_days("2026-01-01")
    Traceback (most recent call last):
    successkit.errors.DataError: expected a sequence of snapshot dates, got str
    """
    as_dates = tuple(to_dates(dates, what="snapshot date"))
    days = day_numbers(np.array(as_dates, dtype="datetime64[D]"))
    if days.size > 1 and (np.diff(days) <= 0).any():
        raise DataError("snapshot dates must be increasing")
    return as_dates, days


def day_numbers(dates: Any) -> npt.NDArray[np.int64]:
    """Dates as int64 day numbers since 1970-01-01."""
    return np.asarray(dates, dtype="datetime64[D]").astype(np.int64)


def refuse_unknown_revenue(contracts: Contracts, days: npt.NDArray[np.datetime64],
                           purpose: str) -> None:
    """Refuse dates on which a contract period with no revenue value is running: its
    account's ARR is unknown, and read as 0 it would be a churn or a contraction."""
    revenue = contracts.revenue
    if revenue is None:
        return
    missing = np.isnan(revenue)
    if not missing.any():
        return
    start, end = contracts.start, contracts.end
    for day in days:  # a loop over the few dates asked about
        running = missing & (start <= day) & (np.isnat(end) | (day < end))
        if running.any():
            row = int(np.flatnonzero(running)[0])
            raise DataError(
                f"{purpose} on {day} need the ARR of account {str(contracts.account[row])!r}, "
                "but its period in this row has no revenue value: fill it in (0 for a free "
                "period) or leave the row out", row=row)


"""Contract rows sorted once by account, with the churn events every fact and label uses.

Rows are sorted by (account, start). Coverage is the running maximum of the ends within an
account; a *churn* is a coverage end that no later row starts within the grace gap. A row
that starts on the day coverage ends (or within the grace gap after it) is a *renewal*.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit.data.calendar import parse_span
from successkit.data.contracts import Contracts
from successkit.errors import ModelError

__all__ = [
    "Periods", "account_sum", "day_numbers", "grace_days", "last_churn", "next_churn",
    "sort_periods",
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


def sort_periods(contracts: Contracts, grace_days: int) -> Periods:
    """Sort ``contracts`` once and find renewals and churns with a grace gap in days."""
    ids, acc = np.unique(contracts.account, return_inverse=True)
    start = contracts.start.astype(np.int64)
    end = np.where(np.isnat(contracts.end), NEVER, contracts.end.astype(np.int64))
    order = np.lexsort((end, start, acc))
    acc = acc[order].astype(np.intp)
    start, end = start[order], end[order]
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
    arr = contracts.arr
    plan = contracts.plan
    return Periods(
        ids=ids,
        acc=acc,
        start=start,
        end=end,
        revenue=None if arr is None else arr[order],
        seats=None if contracts.seats is None else contracts.seats[order],
        plan_codes=None if plan is None else np.asarray(plan.values)[order],
        plan_categories=() if plan is None else plan.categories,
        group_starts=group_starts,
        first_start=first_start,
        renewal=renewal,
        churn_key=churn_key,
        grace=grace_days,
    )


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


def next_churn(p: Periods, days: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """For each date (rows) × account (columns), the first churn day after the date, or
    ``NEVER``."""
    accounts = np.arange(len(p.ids), dtype=np.int64)
    if not len(p.churn_key):
        return np.full((len(days), len(accounts)), NEVER)
    keys = accounts[None, :] * _SPAN + days[:, None]
    at = np.searchsorted(p.churn_key, keys, side="right")
    found = np.minimum(at, len(p.churn_key) - 1)
    hit = (at < len(p.churn_key)) & (p.churn_key[found] // _SPAN == accounts[None, :])
    return np.where(hit, p.churn_key[found] - accounts[None, :] * _SPAN, NEVER)


def last_churn(p: Periods, days: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """For each date × account, the latest churn day on or before the date, or ``-NEVER``."""
    accounts = np.arange(len(p.ids), dtype=np.int64)
    if not len(p.churn_key):
        return np.full((len(days), len(accounts)), -NEVER)
    keys = accounts[None, :] * _SPAN + days[:, None]
    at = np.searchsorted(p.churn_key, keys, side="right") - 1
    found = np.maximum(at, 0)
    hit = (at >= 0) & (p.churn_key[found] // _SPAN == accounts[None, :])
    return np.where(hit, p.churn_key[found] - accounts[None, :] * _SPAN, -NEVER)


def grace_days(value: Any) -> int:
    """A grace gap in exact days (``"0d"``, ``"14d"``, ``"2w"``); months are refused."""
    span = parse_span(value, what="grace")
    if span.months:
        raise ModelError(f"grace must be in days or weeks, not {span}")
    return span.days


def day_numbers(dates: Any) -> npt.NDArray[np.int64]:
    """Dates as int64 day numbers since 1970-01-01."""
    return np.asarray(dates, dtype="datetime64[D]").astype(np.int64)

"""Which contract row covers each account on each snapshot date, without a pass per date.

Rows are sorted by (account, start). With the dates sorted, the rows of an account started
by date ``i`` are a prefix of its run; their number comes from one :func:`numpy.bincount`
of each row's first date index (a :func:`numpy.searchsorted` into the short date array)
and a cumulative sum down the dates — integer sums, so exact. When an account's rows never
overlap, the last row started is the only one that can cover the date: the covering row,
and with it ARR, seats, plan and renewal date, is a lookup. Accounts with overlapping rows
(add-ons) are few: they are computed over their own rows, date by date.
"""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from successkit.contracts._periods import Periods

__all__ = ["Coverage", "coverage", "renewals", "restrict"]


@attrs.frozen
class Coverage:
    """``active[i, a]``: a row of account ``a`` covers date ``i``; ``last[i, a]``: the
    account's last row started by then (its first row before any began), which for an
    account whose rows never overlap is the covering row when ``active``; ``end`` is that
    row's end."""

    active: npt.NDArray[np.bool_]
    last: npt.NDArray[np.intp]
    end: npt.NDArray[np.int64]


def coverage(p: Periods, days: npt.NDArray[np.int64]) -> Coverage:
    """The coverage of every account on every date (``days`` increasing), computed once
    per table and dates (facts and labels share it)."""
    key = days.tobytes()
    found = p.memo.get(key)
    if found is None:
        if len(p.memo) >= 4:  # keep the table's memory bounded across many date sets
            p.memo.clear()
        found = p.memo[key] = _coverage(p, days)
    return found


def _coverage(p: Periods, days: npt.NDArray[np.int64]) -> Coverage:
    k, m = len(days), len(p.ids)
    at = np.searchsorted(days, p.start, side="left").astype(np.int64) * m + p.acc
    begun = np.cumsum(np.bincount(at, minlength=(k + 1) * m).reshape(k + 1, m)[:k], axis=0)
    # The last row begun; before any began, the first row (which starts after the date).
    last = np.maximum(begun - 1, 0)
    last += p.group_starts[None, :]
    end = p.end[last]
    covered = (p.start[last] <= days[:, None]) & (end > days[:, None])
    several = np.flatnonzero(p.overlap)
    if several.size:  # accounts with overlapping rows: per date, over their own rows
        part = restrict(p, several)
        for i, day in enumerate(days):  # a loop over snapshot dates
            hit = ((part.start <= day) & (day < part.end)).astype(np.int32)
            covered[i, several] = np.add.reduceat(hit, part.group_starts) > 0
    return Coverage(covered, last, end)


def renewals(p: Periods, cover: Coverage) -> npt.NDArray[np.int64]:
    """Per date and account, the renewal rows started on or before the date: a running
    count over the account's rows, read at the last row begun (an account's first row is
    never a renewal, so before any began the count is 0)."""
    running = np.cumsum(p.renewal, dtype=np.int64)
    before = running[p.group_starts]  # renewals up to each account's first row
    return np.asarray(running[cover.last] - before[None, :], dtype=np.int64)


def restrict(p: Periods, accounts: npt.NDArray[np.intp]) -> Periods:
    """``p`` with the rows of ``accounts`` only (indices into ``p.ids``, increasing)."""
    keep = np.isin(p.acc, accounts)
    acc = np.searchsorted(accounts, p.acc[keep]).astype(np.intp)
    group_starts = np.flatnonzero(np.r_[True, acc[1:] != acc[:-1]]) if acc.size else acc
    return attrs.evolve(
        p,
        ids=p.ids[accounts],
        acc=acc,
        start=p.start[keep],
        end=p.end[keep],
        revenue=None if p.revenue is None else p.revenue[keep],
        seats=None if p.seats is None else p.seats[keep],
        plan_codes=None if p.plan_codes is None else p.plan_codes[keep],
        group_starts=group_starts,
        first_start=p.first_start[accounts],
        renewal=p.renewal[keep],
        churn_key=np.zeros(0, np.int64),  # not needed by the per-date facts
        overlap=p.overlap[accounts],
        memo={},
    )

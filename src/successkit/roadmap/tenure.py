"""Tenure windows: which stage an account is in by contract age and renewals.

A tenure roadmap (Sansan's lifecycle, seed 003) gives every stage a window ``(start, end)``
of the account's life. A bound is either a **contract age** — a duration such as ``"2mo"``
counted from the contract start — or a **renewal** — ``"renewal 1"``, the account's first
renewal. A renewal bound follows the account's actual renewals when the data say how many
there have been, and falls back to ``n`` years of contract age when they do not.

Columns read (names configurable on :class:`~successkit.Roadmap`):

``contract_start`` (date, required)
    Contract age is ``as_of - contract_start`` in days. A missing start, or a start after
    ``as_of``, gives no stage.
``renewals`` (number, optional)
    Renewals so far. Renewal ``n`` has happened when ``renewals >= n``.
``renewal_date`` (date, optional)
    The next renewal. Where ``renewals`` is absent or missing, the count is read from it
    assuming yearly terms: ``round(years from contract_start to renewal_date) - 1``
    (at least 0) — so a first renewal moved to a fiscal year end (13 months, say) still
    ends the first period on the actual date, not at 12 months. It also dates past
    renewals for days-in-stage: renewal ``n`` happened ``renewals - n + 1`` calendar
    years before the next renewal.

Where neither gives a count, renewal ``n`` happens at ``n × 365`` days of contract age
(a year is 365 days, as in the playbook language); a renewal counted but not datable (no
``renewal_date``) is dated at that nominal age too, and left undated if that lies after
``as_of``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import DateArray, FloatArray
from successkit.data.column import Column
from successkit.data.dates import DAYS_PER_UNIT, format_duration, model_duration
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError, ModelError

__all__ = ["Bound", "TenureColumns", "parse_bound", "tenure_stages"]

_RENEWAL = re.compile(r"^\s*renewal\s*(\d+)\s*$", re.IGNORECASE)
_YEAR = DAYS_PER_UNIT["y"]
_NAT = np.datetime64("NaT", "D")
_FIRST_DAY = np.datetime64("0001-01-01", "D")
# More yearly renewals than this is a data error (3000 would date an entry before year 1).
_MAX_RENEWALS = 200



@attrs.frozen
class Bound:
    """One end of a tenure window: ``days`` of contract age, or the ``renewal``-th renewal."""

    days: int | None = None
    renewal: int | None = None

    @property
    def nominal(self) -> int:
        """Contract age in days when renewals are not known (renewal ``n`` at ``n`` years)."""
        return self.days if self.days is not None else (self.renewal or 0) * _YEAR

    def __str__(self) -> str:
        return format_duration(self.days) if self.days is not None else f"renewal {self.renewal}"


def parse_bound(value: Any, *, where: str) -> Bound:
    """A window bound from a duration (``"2mo"``, ``60``, ``timedelta``) or ``"renewal N"``.

    Examples
    --------
    >>> parse_bound("2mo", where="stage 'x'"), parse_bound("Renewal 2", where="stage 'x'")
    (Bound(days=60, renewal=None), Bound(days=None, renewal=2))
    >>> str(parse_bound(365, where="stage 'x'"))
    '1y'
    """
    if isinstance(value, Bound):
        return value
    if isinstance(value, str):
        match = _RENEWAL.match(value)
        if match is not None:
            count = int(match.group(1))
            if count < 1:
                raise ModelError("renewals are counted from 1 ('renewal 1')", where=where)
            return Bound(renewal=count)
    hint = "a window bound is a contract age or 'renewal N'"
    return Bound(days=model_duration(value, what="a window bound", where=where, hint=hint))


@attrs.frozen
class TenureColumns:
    """The columns a tenure roadmap reads (``None``: do not read that information)."""

    contract_start: str = "contract_start"
    renewals: str | None = "renewals"
    renewal_date: str | None = "renewal_date"


def _first_bad(portfolio: Portfolio, mask: npt.NDArray[np.bool_]) -> str:
    return str(portfolio.ids[int(np.flatnonzero(mask)[0])])


def _dates(portfolio: Portfolio, name: str) -> Column:
    """Column ``name`` read as dates; text read as categories gets a hint."""
    column = portfolio.column(name)
    if column.kind is Kind.CATEGORY and not column.all_missing:
        raise DataError(
            f"a tenure roadmap reads dates here, found text (a category column); build the "
            f"portfolio with kinds={{{name!r}: 'date'}}",
            column=name,
        )
    return column.as_kind(Kind.DATE, name=name)


def _read_counts(portfolio: Portfolio, name: str) -> FloatArray:
    """The renewal counts of column ``name``: whole, non-negative and plausible. Not checked
    against the contract's age: some systems restart ``contract_start`` at each renewal."""
    column = portfolio.column(name)
    if column.kind is Kind.BOOLEAN and not column.all_missing:
        raise DataError("a renewal count is a whole number, found true/false values",
                        column=name)
    count = column.as_kind(Kind.NUMBER, name=name).values
    checks = (
        (count < 0, "a renewal count cannot be negative"),
        (np.isfinite(count) & (count != np.floor(count)), "a renewal count is a whole number"),
        (count > _MAX_RENEWALS, f"more than {_MAX_RENEWALS} yearly renewals is not a count"),
    )
    for bad, message in checks:  # a missing count (NaN) fails every comparison
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise DataError(f"{message}, got {count[row]:g}", column=name,
                            account=str(portfolio.ids[row]))
    return count


def renewal_counts(
    portfolio: Portfolio, start: DateArray, columns: TenureColumns
) -> tuple[FloatArray, DateArray]:
    """Renewals so far per account (NaN: unknown) and the next renewal date (NaT: unknown)."""
    n = len(portfolio)
    count = np.full(n, np.nan)
    upcoming = np.full(n, _NAT, dtype="datetime64[D]")
    if columns.renewals is not None and columns.renewals in portfolio.columns:
        count = _read_counts(portfolio, columns.renewals)
    if columns.renewal_date is not None and columns.renewal_date in portfolio.columns:
        upcoming = _dates(portfolio, columns.renewal_date).values
        gap = (upcoming - start).astype(np.float64)
        gap[np.isnat(upcoming) | np.isnat(start)] = np.nan
        derived = np.maximum(np.floor(gap / 365.25 + 0.5) - 1, 0)
        count = np.where(np.isnan(count), derived, count)
    return count, upcoming


def _minus_years(dates: DateArray, years: FloatArray) -> DateArray:
    """``dates`` moved back by whole calendar ``years`` (a 29th of February → 28th)."""
    known = ~np.isnat(dates) & ~np.isnan(years)
    safe_dates = np.where(known, dates, np.datetime64("2000-01-01", "D"))
    months = safe_dates.astype("datetime64[M]")
    day = safe_dates - months.astype("datetime64[D]")
    target = months - (np.where(known, years, 0).astype(np.int64) * 12).astype("timedelta64[M]")
    moved = target.astype("datetime64[D]") + day
    # only a 29th or later can run past the end of the target month (29 February)
    late = np.flatnonzero(day >= np.timedelta64(28, "D"))
    if late.size:
        last = (target[late] + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
        moved[late] = np.minimum(moved[late], last)
    return np.where(known, moved, _NAT).astype("datetime64[D]")


def tenure_stages(
    portfolio: Portfolio,
    starts: Sequence[Bound],
    columns: TenureColumns,
) -> tuple[npt.NDArray[np.int32], DateArray]:
    """Stage index per account (``-1``: none) and the date it entered that stage.

    ``starts`` are the stages' window starts in order (the windows are contiguous, so an
    account is in the furthest stage whose start it has passed). The entry date is
    unknown (NaT) where it cannot be dated from the data.
    """
    as_of = portfolio.as_of
    if as_of is None:
        raise DataError("a tenure roadmap needs the portfolio's as_of date to compute ages")
    start = _dates(portfolio, columns.contract_start).values
    today = np.datetime64(as_of, "D")
    age = (today - start).astype(np.float64)
    age[np.isnat(start)] = np.nan
    count, upcoming = renewal_counts(portfolio, start, columns)
    counted = ~np.isnan(count)
    begun = age >= 0  # false for a missing start (NaN) and for future contracts
    codes = np.full(len(portfolio), -1, dtype=np.int32)
    for i, bound in enumerate(starts):
        passed = age >= bound.nominal
        if bound.renewal is not None:  # counted renewals decide; the nominal age otherwise
            passed = np.where(counted, count >= bound.renewal, passed)
        codes[begun & passed] = i
    # date each account's entry into its own stage (each account is dated once)
    entered = np.full(len(portfolio), _NAT, dtype="datetime64[D]")
    for i, bound in enumerate(starts):
        rows = np.flatnonzero(codes == i)
        entered[rows] = start[rows] + np.timedelta64(bound.nominal, "D")
        if bound.renewal is not None:
            dated = _minus_years(upcoming[rows], count[rows] - bound.renewal + 1)
            known = counted[rows] & ~np.isnat(dated)
            entered[rows[known]] = dated[known]
    entered[entered > today] = _NAT
    early = entered < _FIRST_DAY  # dates (and results' to_dict) cannot show them
    if early.any():
        raise DataError(
            f"the stage entry works out to {entered[early][0]}, before year 1: check the "
            "contract and renewal dates",
            column=columns.contract_start, account=_first_bad(portfolio, early),
        )
    return codes, entered

"""The container of a synthetic sample: :class:`SampleData`, its outcomes and derived tables.

:func:`successkit.datasets.make_portfolio` generates the data; this module holds what it
returns — the portfolio, history, touch events and churn outcomes, the churn labels for any
snapshot, and the usage and contract tables drawn from them on demand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import array_field
from successkit._sample_contracts import sample_contracts
from successkit._sample_events import Events, columns_equal
from successkit._sample_usage import draw_usage
from successkit.data import events as usage_events
from successkit.data.contracts import Contracts
from successkit.data.dates import duration_days, to_date
from successkit.data.history import History
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError

__all__ = ["SampleData"]

# Churn is simulated this many months beyond the latest snapshot (no snapshots), enough for
# a 90-day horizon.
_FUTURE_MONTHS = 4
_HORIZON_DAYS = 90


def _freeze_events(value: Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(value, Events):
        return value
    return MappingProxyType(dict(value))


def _freeze_drivers(value: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType({str(k): float(v) for k, v in value.items()})


@attrs.frozen(kw_only=True, repr=False)
class SampleData:
    """A synthetic portfolio, its history, touch events and known churn outcomes.

    Made by :func:`~successkit.datasets.make_portfolio`; see :doc:`/sample-data` for the
    generating process and every column.

    .. versionadded:: 0.1

    Attributes
    ----------
    portfolio:
        The latest snapshot (``as_of`` = :data:`~successkit.datasets.END`, 2026-10-01).
    history:
        The monthly snapshots, oldest first; ``history.latest`` is :attr:`portfolio`.
    events:
        Touch events during the history window: read-only columns ``account_id``,
        ``touchpoint``, ``at`` (``datetime64[D]``), ``user_id``, ``item`` ("" when not
        applicable) and ``progress`` (NaN when the touch point has no tiers). Text columns
        are built the first time they are read.
    churned:
        Whether each account of :attr:`portfolio` churned within :attr:`horizon_days` days
        after the portfolio's date, aligned with ``portfolio.ids``.
    churn_dates:
        The churn date of each account of ``history.ids`` (same order), NaT when it did not
        churn during the simulation.
    drivers:
        The true effects: column → coefficient of its standardised value in the monthly
        churn logit (negative is protective, 0 is noise).
    description:
        A few lines on how the data were generated.
    horizon_days:
        The outcome window of :attr:`churned`.

    Examples
    --------
    >>> from successkit.datasets import make_portfolio
    >>> sample = make_portfolio(200, months=3, seed=1)
    >>> len(sample.portfolio), sample.portfolio.as_of
    (200, datetime.date(2026, 10, 1))
    >>> sample.churned.shape
    (200,)
    >>> bool((sample.churned_within("2026-10-01") == sample.churned).all())
    True
    """

    portfolio: Portfolio
    history: History
    events: Mapping[str, npt.NDArray[Any]] = attrs.field(
        converter=_freeze_events, eq=attrs.cmp_using(eq=columns_equal), hash=False
    )
    churned: npt.NDArray[np.bool_] = array_field()
    churn_dates: npt.NDArray[np.datetime64] = array_field()
    drivers: Mapping[str, float] = attrs.field(converter=_freeze_drivers, hash=False)
    description: str = ""
    horizon_days: int = _HORIZON_DAYS

    def __attrs_post_init__(self) -> None:
        if self.churned.shape != self.portfolio.ids.shape:
            raise DataError("churned must be aligned with portfolio.ids", column="churned")

    @property
    def usage(self) -> usage_events.Events:
        """A raw per-user product event log of every account (drawn afresh on each access):
        weekday-heavy usage from 90 days before the first snapshot up to :attr:`portfolio`'s
        date, fading over the 90 days before an account churns.

        Examples
        --------
        >>> from successkit.datasets import make_portfolio
        >>> sample = make_portfolio(50, months=2, seed=3)
        >>> sample.usage.accounts == tuple(sorted(sample.history.ids.tolist()))
        True
        """
        start = np.datetime64(self.history.dates[0], "D") - np.timedelta64(90, "D")
        end = np.datetime64(self.portfolio.as_of, "D")
        return draw_usage(self.history.ids, self.churn_dates, start, end, seed=len(self.churned))

    @property
    def contracts(self) -> Contracts:
        """The accounts' contract table (drawn afresh on each access): yearly periods from
        each account's ``contract_start`` that renew (abutting rows) until the account's
        churn date, when the last period ends; a few accounts upgrade or downgrade at their
        first renewal. Churn labels from it are the sample's own outcomes.

        Examples
        --------
        >>> from successkit.contracts import churn_labels
        >>> from successkit.datasets import make_portfolio
        >>> sample = make_portfolio(300, months=2, seed=3)
        >>> labels = churn_labels(sample.contracts, [sample.portfolio.as_of], "90d",
        ...                       observed_until=sample.observed_until)
        >>> labels.counts()["yes"] == int(sample.churned.sum())
        True
        """
        return sample_contracts(self)

    @property
    def observed_until(self) -> dt.date:
        """The last day the sample's outcomes are known: :attr:`horizon_days` after the
        latest snapshot (pass it to ``churn_labels(..., observed_until=...)``)."""
        assert self.portfolio.as_of is not None
        return self.portfolio.as_of + dt.timedelta(days=self.horizon_days)

    @property
    def churn_rate(self) -> float:
        """The share of :attr:`portfolio` that churned within :attr:`horizon_days`."""
        return float(self.churned.mean()) if self.churned.size else float("nan")

    def churned_within(self, as_of: Any, days: Any = _HORIZON_DAYS) -> npt.NDArray[np.bool_]:
        """Whether each account of the snapshot on ``as_of`` churned within ``days`` after it.

        The result is aligned with that snapshot's ids, so any snapshot of :attr:`history`
        can be scored and checked against what happened next (a time-split backtest).

        Parameters
        ----------
        as_of:
            A snapshot date (``date``, ISO text, ``datetime64``).
        days:
            The outcome window: days (int) or a duration such as ``"90d"`` or ``"3mo"``.

        Raises
        ------
        DataError
            ``as_of`` is not a snapshot date, or the window reaches past the end of the
            simulation (four months after the latest snapshot).

        Examples
        --------
        >>> from successkit.datasets import make_portfolio
        >>> sample = make_portfolio(300, months=6, seed=2)
        >>> first = sample.history.dates[0]
        >>> outcome = sample.churned_within(first, days="3mo")
        >>> outcome.shape == sample.history[0].ids.shape
        True
        """
        return _churned_within(self.history, self.churn_dates, as_of, days)

    def __reduce__(self) -> tuple[Any, ...]:
        # mappingproxy cannot be pickled; rebuild from plain values instead.
        values = {f.name: getattr(self, f.name) for f in attrs.fields(SampleData)}
        values["drivers"] = dict(self.drivers)
        if not isinstance(self.events, Events):
            values["events"] = dict(self.events)
        return (_rebuild, (values,))

    def __repr__(self) -> str:
        events = (
            self.events.rows
            if isinstance(self.events, Events)
            else len(next(iter(self.events.values()), ()))
        )
        return (
            f"SampleData({len(self.portfolio)} accounts as of {self.portfolio.as_of}, "
            f"{len(self.history)} snapshots, {events} events, "
            f"churn {self.churn_rate:.1%} within {self.horizon_days} days)"
        )


def _rebuild(values: dict[str, Any]) -> SampleData:
    return SampleData(**values)


def _churned_within(
    history: History, churn_dates: npt.NDArray[np.datetime64], as_of: Any, days: Any
) -> npt.NDArray[np.bool_]:
    day = to_date(as_of, what="as_of")
    window = duration_days(days, what="days")
    snapshot = history.at(day)
    if snapshot is None or snapshot.as_of != day:
        first, last = history.dates[0], history.dates[-1]
        raise DataError(
            f"no snapshot on {day.isoformat()}; snapshots are on the 1st of each month "
            f"from {first.isoformat()} to {last.isoformat()}"
        )
    known = _add_months(history.as_of, _FUTURE_MONTHS)
    if day + dt.timedelta(days=window) > known:
        raise DataError(
            f"churn is simulated until {known.isoformat()}; a {window}-day window after "
            f"{day.isoformat()} reaches past it"
        )
    ids = history.ids
    order = np.argsort(ids, kind="stable")
    rows = order[np.searchsorted(ids[order], snapshot.ids)]
    dates = churn_dates[rows]
    start = np.datetime64(day, "D")
    return (dates > start) & (dates <= start + np.timedelta64(window, "D"))


def _add_months(day: dt.date, months: int) -> dt.date:
    shifted = (np.datetime64(day, "M") + months).astype("datetime64[D]")
    return to_date(shifted + (np.datetime64(day, "D") - np.datetime64(day, "M")))

"""Outcome labels after each snapshot date: churned, contracted, lapsed — or unknown.

A label at snapshot date ``D`` with horizon ``h`` looks at ``(D, D + h]`` (calendar spans:
``1mo`` after 2020-09-01 ends 2020-10-01). Censoring is explicit: when the table cannot
answer yet (the horizon, plus the grace gap that confirms a churn, passes ``observed_until``)
the label is *unknown*, never "retained". Only accounts active on ``D`` get a label; an
account that churned by ``D`` is absent there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import array_field, readonly_arrays
from successkit._options import flag, position
from successkit.contracts._coverage import coverage
from successkit.contracts._periods import (
    NEVER,
    account_sum,
    day_numbers,
    grace_days,
    next_churn,
    refuse_unknown_revenue,
    snapshot_days,
    sort_periods,
)
from successkit.data.calendar import Span, parse_span, shift, span_text
from successkit.data.contracts import Contracts
from successkit.data.dates import to_date
from successkit.data.events import Events, events_of
from successkit.errors import DataError, ModelError

__all__ = [
    "ABSENT", "NO", "UNKNOWN", "YES", "ChurnLabels", "SnapshotLabels", "churn_labels",
    "lapsed_labels",
]

#: Label states in :attr:`ChurnLabels.state`.
YES, NO, UNKNOWN, ABSENT = np.int8(1), np.int8(0), np.int8(-1), np.int8(-2)


@readonly_arrays
@attrs.frozen
class SnapshotLabels:
    """The labels of the accounts active on one snapshot date: ``churned`` is 1.0, 0.0 or
    NaN (unknown). Pass it as the outcomes of :func:`~successkit.evaluate`,
    :meth:`HealthModel.fit <successkit.HealthModel.fit>` or
    :func:`~successkit.calibrate`: it is matched to the scored accounts by id, and unknown
    labels are left out and counted.

    Examples
    --------
    >>> import successkit as sk
    >>> from successkit.datasets import make_portfolio
    >>> sample = make_portfolio(300, seed=3)
    >>> on = sk.churn_labels(sample.contracts, ["2026-01-01"], "90d").on("2026-01-01")
    >>> len(on.ids), int(on.churned.sum())  # active accounts, churned within 90 days
    (307, 23)

    .. versionadded:: 0.2
    """

    as_of: dt.date
    horizon: str
    ids: npt.NDArray[np.str_] = array_field()
    churned: npt.NDArray[np.float64] = array_field()

    @property
    def unknown(self) -> int:
        """How many labels are unknown (censored)."""
        return int(np.isnan(self.churned).sum())

    def keyed_outcomes(self) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.float64]]:
        """``(ids, churned)``: how outcome readers recognise values keyed by account id."""
        return self.ids, self.churned

    def __len__(self) -> int:
        return int(self.ids.shape[0])


@readonly_arrays
@attrs.frozen
class ChurnLabels:
    """Labels for ``ids`` (columns) on ``dates`` (rows): ``state`` is 1 (the outcome
    happened), 0 (it did not), -1 (unknown: censored) or -2 (the account is not active on
    the date). ``grace_days`` is the grace gap that confirmed each churn: a label at ``D``
    used what the table says up to ``D + horizon + grace``.

    Pass the whole object to :func:`~successkit.backtest`, or one date's labels
    (:meth:`on`) to :func:`~successkit.evaluate`, ``fit`` or ``calibrate``.

    Examples
    --------
    >>> import successkit as sk
    >>> from successkit.datasets import make_portfolio
    >>> sample = make_portfolio(300, seed=3)
    >>> labels = sk.churn_labels(sample.contracts, ["2026-01-01", "2026-09-01"], "90d",
    ...                          observed_until=sample.observed_until)
    >>> labels.counts()
    {'yes': 50, 'no': 557, 'unknown': 0}

    .. versionadded:: 0.2
    """

    dates: tuple[dt.date, ...]
    horizon: str
    observed_until: dt.date
    ids: npt.NDArray[np.str_] = array_field()
    state: npt.NDArray[np.int8] = array_field()
    grace_days: int = 0

    def on(self, when: Any) -> SnapshotLabels:
        """The labels of the accounts active on ``when`` (one of :attr:`dates`).

        Examples
        --------
        >>> from successkit.data.contracts import Contracts
        >>> c = Contracts.from_columns({"account_id": ["a", "b"],
        ...     "start": ["2020-01-01", "2020-01-01"], "end": [None, "2020-03-15"]})
        >>> labels = churn_labels(c, ["2020-02-01", "2020-04-01"], "1mo",
        ...                       observed_until="2020-05-01")
        >>> on = labels.on("2020-02-01")
        >>> on.ids.tolist(), on.churned.tolist()
        (['a', 'b'], [0.0, 0.0])
        >>> labels.on("2020-04-01").ids.tolist()  # b churned before: absent
        ['a']
        """
        day = to_date(when, what="snapshot date")
        if day not in self.dates:
            raise DataError(f"no labels on {day.isoformat()}; the label dates are "
                            f"{[d.isoformat() for d in self.dates[:5]]}"
                            + (" …" if len(self.dates) > 5 else ""))
        ids, values = self.outcome(self.dates.index(day))
        return SnapshotLabels(day, self.horizon, ids, values)

    def keyed_outcomes(self) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.float64]]:
        """The labels of the only date, keyed by id (several dates: pick one with
        :meth:`on`)."""
        if len(self.dates) != 1:
            raise DataError(f"these labels cover {len(self.dates)} dates; pass one date's "
                            "labels, labels.on(date)")
        return self.outcome(0)

    @property
    def known(self) -> npt.NDArray[np.bool_]:
        """Where the label is 0 or 1."""
        return self.state >= 0

    def outcome(self, k: int) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.float64]]:
        """The ids active on ``dates[k]`` and their outcomes (1.0, 0.0, NaN when unknown)."""
        position(k, len(self.dates), "outcome's k (a label date's position)",
                 "; for a date, use labels.on(date)")
        present = self.state[k] != ABSENT
        values = self.state[k][present].astype(np.float64)
        values[values < 0] = np.nan
        return self.ids[present], values

    def counts(self) -> dict[str, int]:
        """How many labels are positive, negative and unknown (over all dates)."""
        return {
            "yes": int((self.state == YES).sum()),
            "no": int((self.state == NO).sum()),
            "unknown": int((self.state == UNKNOWN).sum()),
        }


def _setup(
    dates: Sequence[Any], horizon: Any
) -> tuple[tuple[dt.date, ...], npt.NDArray[np.int64], npt.NDArray[np.int64], Span]:
    try:
        span = parse_span(horizon, what="horizon")
    except ModelError as exc:
        raise DataError(exc.message, column="horizon") from None
    if span.count <= 0:  # a window of no days: nobody could churn within it
        raise DataError("horizon must be at least one day", column="horizon")
    as_dates, days = snapshot_days(dates)
    ends = day_numbers(shift(days.astype("M8[D]"), span, 1))
    return as_dates, days, ends, span


def churn_labels(
    contracts: Contracts,
    dates: Sequence[Any],
    horizon: Any = "90d",
    *,
    grace: Any = "0d",
    observed_until: Any = None,
    contraction: bool = False,
) -> ChurnLabels:
    """Churned (or, with ``contraction=True``, contracted) within ``horizon`` after each date.

    Churned: a churn date (see :func:`~successkit.contracts.account_facts`) in
    ``(D, D + horizon]``; retained: none there. Both only once the window is observed,
    ``D + horizon + grace <= observed_until``; before that every label of the snapshot is
    unknown (were the churns already seen labelled, the known labels would over-represent
    churners).
    Contracted: the account is active on ``D + horizon`` with a lower ARR than on ``D``;
    known when ``D + horizon <= observed_until``.

    ``observed_until`` is the last day the table is known to be complete (its export date);
    it defaults to the latest start date in the table, because end dates may be scheduled
    in the future.

    Examples
    --------
    >>> from successkit.data.contracts import Contracts
    >>> c = Contracts.from_columns({
    ...     "account_id": ["a", "a", "b"],
    ...     "start": ["2020-01-01", "2020-07-01", "2020-03-01"],
    ...     "end": ["2020-07-01", None, "2020-09-01"],
    ... })
    >>> labels = churn_labels(c, ["2020-06-01", "2020-08-01"], "1mo", observed_until="2020-10-01")
    >>> labels.state.tolist()  # a's abutting renewal is not churn; b churns 2020-09-01
    [[0, 0], [0, 1]]
    >>> churn_labels(c, ["2020-08-01"], "3mo", observed_until="2020-10-01").state.tolist()
    [[-1, -1]]
    """
    as_dates, days, ends, span = _setup(dates, horizon)
    gap = grace_days(grace)
    p = sort_periods(contracts, gap)
    until = (
        int(p.start.max()) if observed_until is None and len(p.start)
        else int(day_numbers(np.datetime64(to_date(observed_until, what="observed_until"))))
    )
    m = len(p.ids)
    active = coverage(p, days).active
    if flag(contraction, "contraction"):
        if p.revenue is not None:
            seen = [*days, *(end for end in ends if end <= until)]
            refuse_unknown_revenue(contracts, np.asarray(seen, np.int64).astype("M8[D]"),
                                   "contraction labels")
        state = np.full((len(days), m), UNKNOWN, np.int8)
        for i, (day, end) in enumerate(zip(days, ends, strict=True)):
            now = _arr(p, (p.start <= day) & (day < p.end))
            covering_then = (p.start <= end) & (end < p.end)
            alive = np.bincount(p.acc, weights=covering_then, minlength=m) > 0
            lower = alive & (_arr(p, covering_then) < now)
            if end <= until:
                state[i] = np.where(lower, YES, NO)
    else:
        # The whole snapshot is unknown until its window (and the grace gap that confirms a
        # churn at its end) is observed: knowing only the early churners of an open window
        # would leave a sample of churners, biased.
        churn = next_churn(p, days)
        closed = (ends + gap <= until)[:, None]
        state = np.where(closed, np.where(churn <= ends[:, None], YES, NO), UNKNOWN)
        state = state.astype(np.int8)
    state = np.where(active, state, ABSENT).astype(np.int8)
    return ChurnLabels(
        as_dates, span_text(span), to_date(np.datetime64(until, "D")), p.ids, state, gap
    )


def _arr(p: Any, mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
    if p.revenue is None:
        raise DataError("contraction labels need a revenue column in the contracts")
    total = account_sum(p, p.revenue, mask)
    return np.where(np.isnan(total), 0.0, total)


def lapsed_labels(
    events: Events, dates: Sequence[Any], horizon: Any = "30d", *, observed_until: Any = None
) -> ChurnLabels:
    """Lapsed: no event in ``[D, D + horizon)`` for an account seen before ``D``.

    For products without contracts. Known when ``D + horizon <= observed_until + 1 day``
    (the horizon's last day is observed); ``observed_until`` defaults to the last event day.

    Examples
    --------
    >>> from successkit.data.events import Events
    >>> ev = Events.from_columns({
    ...     "account_id": ["a", "b", "a"], "at": ["2026-01-02", "2026-01-03", "2026-02-05"],
    ...     "event": ["login", "login", "login"],
    ... })
    >>> lapsed_labels(ev, ["2026-01-10"], "30d", observed_until="2026-03-01").state.tolist()
    [[0, 1]]
    """
    events = events_of(events)
    as_dates, days, ends, span = _setup(dates, horizon)
    code = np.asarray(events.account, dtype=np.int64)
    event_day = day_numbers(events.day)
    until = (
        int(event_day.max()) if observed_until is None and event_day.size
        else int(day_numbers(np.datetime64(to_date(observed_until, what="observed_until"))))
    )
    m = len(events.accounts)
    key = np.sort(code * np.int64(4 * 10**9) + event_day)
    base = np.arange(m, dtype=np.int64)[None, :] * np.int64(4 * 10**9)
    seen = np.searchsorted(key, base + days[:, None]) > np.searchsorted(key, base - NEVER)
    inside = np.searchsorted(key, base + ends[:, None]) - np.searchsorted(key, base + days[:, None])
    known = (ends - 1 <= until)[:, None]
    state = np.where(known, np.where(inside > 0, NO, YES), UNKNOWN)
    state = np.where(seen, state, ABSENT).astype(np.int8)
    return ChurnLabels(
        as_dates, span_text(span), to_date(np.datetime64(until, "D")),
        np.asarray(events.accounts, dtype=str), state,
    )

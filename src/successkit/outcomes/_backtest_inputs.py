"""What a backtest reads: its horizon, and each snapshot's outcomes from labels, a function
or churn dates (matched by account id whenever they carry ids)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from successkit._arrays import BoolArray
from successkit.contracts.labels import ChurnLabels
from successkit.data._keyed import read_churn_dates
from successkit.data.calendar import Span, parse_span, span_text
from successkit.data.history import History
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError, ModelError
from successkit.scoring._outcome_inputs import read_labels

__all__ = ["Reader", "horizon_span", "horizon_text", "outcome_reader"]



def horizon_text(horizon: str) -> str:
    """``"30d"`` → ``"30-day"``; calendar spans stay as written (``"1mo"``)."""
    return f"{horizon[:-1]}-day" if horizon.endswith("d") else horizon


Reader = Callable[[Portfolio, np.datetime64], tuple[BoolArray, BoolArray]]


def outcome_reader(outcomes: Any, history: History) -> Reader:
    """A function giving each snapshot's outcomes and where they are known, from what the
    caller passed."""
    if isinstance(outcomes, ChurnLabels):
        def from_labels(snapshot: Portfolio, end: np.datetime64) -> tuple[BoolArray, BoolArray]:
            assert snapshot.as_of is not None
            day = snapshot.as_of.isoformat()
            if snapshot.as_of not in outcomes.dates:
                raise DataError(f"the labels have no snapshot on {day}; label the history's "
                                "dates (churn_labels(contracts, history.dates, ...))")
            return read_labels(outcomes.on(snapshot.as_of), len(snapshot), ids=snapshot.ids,
                               what=f"labels on {day}")
        return from_labels
    if callable(outcomes):
        def from_callable(snapshot: Portfolio, end: np.datetime64) -> tuple[BoolArray, BoolArray]:
            assert snapshot.as_of is not None
            days = int((end - np.datetime64(snapshot.as_of, "D")).astype(np.int64))
            values = outcomes(snapshot.as_of, days)
            return read_labels(values, len(snapshot), ids=snapshot.ids,
                               what=f"outcomes on {snapshot.as_of.isoformat()}")
        return from_callable
    if isinstance(outcomes, (list, tuple, np.ndarray)) and len(outcomes) != len(history.ids):
        raise DataError(
            f"churn dates must be one per account of the history ({len(history.ids)}), "
            f"got {len(outcomes)}; or pass a mapping / Series keyed by account id"
        )
    try:
        flags, dates = read_churn_dates(outcomes, history.ids, what="churn dates")
    except DataError as exc:
        raise DataError(
            f"outcomes must be labels (churn_labels), a function (as_of, days) → churned, "
            f"or churn dates (a date or None per account): {exc.message}",
            column=exc.column, account=exc.account, row=exc.row,
        ) from None
    undated = flags & np.isnat(dates)
    if undated.any():
        account = history.ids[np.flatnonzero(undated)[0]]
        raise DataError("a backtest needs the churn date, not just True", account=str(account))
    lookup = Portfolio(history.ids)

    def from_dates(snapshot: Portfolio, end: np.datetime64) -> tuple[BoolArray, BoolArray]:
        rows = lookup.index_of(snapshot.ids)
        churn = np.where(rows >= 0, dates[np.maximum(rows, 0)], np.datetime64("NaT"))
        start = np.datetime64(snapshot.as_of, "D")
        return np.asarray((churn > start) & (churn <= end)), np.ones(len(snapshot), np.bool_)

    return from_dates


def horizon_span(horizon: Any, outcomes: Any) -> Span:
    """The horizon as a calendar span; labels bring their own (a different one is refused)."""
    if horizon is None:
        return parse_span(outcomes.horizon if isinstance(outcomes, ChurnLabels) else "90d")
    if isinstance(horizon, bool):
        raise DataError(f"horizon must be a duration like '90d' or '1mo', not {horizon!r}",
                        column="horizon")
    if isinstance(horizon, (int, np.integer)):
        if horizon < 0:
            raise DataError(f"horizon must not be negative, got {horizon}", column="horizon")
        span = Span(int(horizon), "d")
    else:
        try:
            span = parse_span(horizon, what="horizon")
        except ModelError as exc:
            raise DataError(exc.message, column="horizon") from None
    if isinstance(outcomes, ChurnLabels) and span_text(span) != outcomes.horizon:
        raise DataError(f"horizon {span_text(span)!r} differs from the labels' "
                        f"{outcomes.horizon!r}; omit horizon= to use the labels'")
    return span

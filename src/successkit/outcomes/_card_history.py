"""A card fitted on every labelled snapshot of a history: the snapshots stacked into one
table, a row per (account, date), with cross-validation that keeps an account's rows (or a
date's) in one fold."""

from __future__ import annotations

from typing import Any

import numpy as np

from successkit._arrays import FloatArray
from successkit.contracts.labels import ABSENT, ChurnLabels
from successkit.data._stack import stack_snapshots
from successkit.data.history import History
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError

__all__ = ["history_rows"]


def history_rows(history: History, labels: Any, cv_groups: Any
                 ) -> tuple[Portfolio, FloatArray, Any, list[str]]:
    """The labelled snapshots of ``history`` stacked (rows named ``"<id>@<date>"``), each
    row's outcome (NaN: unknown), the cross-validation groups — each row's account by
    default, its snapshot date with ``cv_groups="as_of"``, or a column's name passed on —
    and notes on what was not used."""
    if not isinstance(labels, ChurnLabels):
        raise DataError("with a History, churned must be ChurnLabels, a label per account "
                        "and snapshot date: churn_labels(contracts, history.dates, horizon) "
                        f"or lapsed_labels(...); got {type(labels).__name__}")
    if cv_groups is not None and not isinstance(cv_groups, str):
        raise DataError("with a History, cv_groups is None (each account's rows in one "
                        "fold), 'as_of' (each snapshot date's rows in one fold) or a column "
                        f"name; got {type(cv_groups).__name__}")
    labelled = set(labels.dates)
    used = [s for s in history if s.as_of in labelled]
    if not used:
        raise DataError(f"no snapshot of the history has labels: the snapshots are on "
                        f"{_dates(history.dates)}, the labels on {_dates(labels.dates)}")
    if labels.ids.size == 0:
        raise DataError("the labels have no accounts")
    order = np.argsort(labels.ids)
    ids = labels.ids[order]
    rows, outcomes, notes = [], [], []
    absent = missing = 0
    for snapshot in used:  # a loop over snapshots
        assert snapshot.as_of is not None
        k = labels.dates.index(snapshot.as_of)
        state = labels.state[k][order]
        at = np.minimum(np.searchsorted(ids, snapshot.ids), ids.size - 1)
        # An account with no label on the date was not a customer then (or never was).
        found = (ids[at] == snapshot.ids) & (state[at] != ABSENT)
        absent += int((~found).sum())
        # Customers on the date whom the snapshot lacks: labelled, but with no metrics.
        missing += int((state != ABSENT).sum()) - int(found.sum())
        rows.append(np.flatnonzero(found))
        outcome = state[at[found]].astype(np.float64)
        outcome[outcome < 0] = np.nan  # unknown: left out and counted by the fit
        outcomes.append(outcome)
    if len(used) < len(history):
        notes.append(f"{len(history) - len(used)} of {len(history)} snapshots have no labels "
                     "and are not used")
    if absent:
        notes.append(f"{absent} account-snapshots have no label (not a customer on the "
                     "snapshot date) and are not used")
    if missing:
        notes.append(f"{missing} labelled account-snapshots are not in their snapshot (no "
                     "metrics to learn from) and are not used")
    stacked = stack_snapshots(used, rows)
    if cv_groups is None:
        groups: Any = np.concatenate([s.ids[r] for s, r in zip(used, rows, strict=True)])
    elif cv_groups == "as_of":
        groups = np.concatenate([np.full(r.size, str(s.as_of))
                                 for s, r in zip(used, rows, strict=True)])
    else:
        groups = cv_groups
    return stacked, np.concatenate(outcomes), groups, notes


def _dates(dates: tuple[Any, ...]) -> str:
    shown = [str(d) for d in dates[:3]]
    return ", ".join(shown) + (" …" if len(dates) > 3 else "")

"""A card fitted on every labelled snapshot of a history: the same card as the snapshots
stacked by hand, an account's rows (or a date's) kept in one fold, and what is not used
said."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import successkit as sk
from successkit.data._stack import stack_columns, stack_snapshots
from successkit.datasets import make_portfolio
from successkit.outcomes import fit_card

COLUMNS = ["login_rate", "tier", "nps", "support_tickets"]


@pytest.fixture(scope="module")
def history_and_labels() -> tuple[sk.History, sk.ChurnLabels]:
    sample = make_portfolio(800, months=5, seed=11)
    # The last snapshots' 90 days pass the end of the data: their labels are unknown.
    labels = sk.churn_labels(sample.contracts, sample.history.dates, "90d",
                             observed_until=sample.history.dates[-1])
    return sample.history, labels


def by_hand(history: sk.History, labels: sk.ChurnLabels
            ) -> tuple[sk.Portfolio, list[float | None], list[str], list[str]]:
    """The labelled account-snapshots stacked one row at a time, in plain Python."""
    rows: dict[str, list[object]] = {"id": [], **{c: [] for c in COLUMNS}}
    churned: list[float | None] = []
    accounts, dates = [], []
    for snapshot in history:
        if snapshot.as_of not in labels.dates:
            continue
        on = dict(zip(labels.on(snapshot.as_of).ids.tolist(),
                      labels.on(snapshot.as_of).churned.tolist(), strict=True))
        for row, account in enumerate(snapshot.ids.tolist()):
            if account not in on:
                continue
            rows["id"].append(f"{account}@{snapshot.as_of}")
            for c in COLUMNS:
                value = snapshot.column(c).value_at(row)
                rows[c].append(None if isinstance(value, float) and np.isnan(value) else value)
            churned.append(None if np.isnan(on[account]) else on[account])
            accounts.append(account)
            dates.append(str(snapshot.as_of))
    return sk.Portfolio.from_columns(rows), churned, accounts, dates


def test_a_history_fits_the_card_of_its_snapshots_stacked_by_hand(history_and_labels) -> None:
    history, labels = history_and_labels
    fitted = fit_card(history, labels, columns=COLUMNS)
    stacked, churned, accounts, dates = by_hand(history, labels)
    # The fit keeps the rows whose outcome is known: the first snapshots' (the last ones'
    # 90 days pass the end of the data).
    assert fitted.portfolio.ids.tolist() == [
        i for i, c in zip(stacked.ids.tolist(), churned, strict=True) if c is not None]
    assert fitted.left_out == sum(c is None for c in churned) > 0
    rows = len(fitted.portfolio)
    assert str(fitted.card()).startswith(f"health card: {fitted.model.card().total_points:g} "
                                         f"points, {rows} account-snapshots")
    # Default folds: each account's rows in one fold, as cv_groups=<its account> gives.
    reference = fit_card(stacked, churned, columns=COLUMNS, cv_groups=accounts)
    assert fitted.model.fingerprint == reference.model.fingerprint
    assert fitted.cv_loss == reference.cv_loss
    # Every row its own group would be another split (rows of an account in several
    # folds): the default is not that.
    rowwise = fit_card(stacked, churned, columns=COLUMNS)
    assert rowwise.cv_loss != fitted.cv_loss
    # cv_groups="as_of": each snapshot date's rows in one fold (a split by time).
    by_date = fit_card(history, labels, columns=COLUMNS, cv_groups="as_of")
    assert by_date.cv_loss == fit_card(stacked, churned, columns=COLUMNS,
                                       cv_groups=dates).cv_loss


def test_snapshots_and_accounts_without_labels_are_said(history_and_labels) -> None:
    history, labels = history_and_labels
    early = labels.dates[:2]
    some = sk.churn_labels(make_portfolio(800, months=5, seed=11).contracts, early, "90d")
    fitted = fit_card(history, some, columns=COLUMNS)
    assert f"3 of {len(history)} snapshots have no labels and are not used" in fitted.notes
    assert {i.split("@")[1] for i in fitted.portfolio.ids.tolist()} == {
        str(d) for d in early}
    # An account in a snapshot but not a customer on its date has no label.
    ghost = history[0].take(np.arange(3))
    ghost = sk.Portfolio.from_columns({"id": ["ghost-1", "ghost-2", "ghost-3"],
                                       **{c: ghost[c] for c in COLUMNS}}, as_of=ghost.as_of)
    extended = sk.History([sk.Portfolio(
        np.concatenate([history[0].ids, ghost.ids]),
        {c: stack_columns([history[0].columns[c], ghost.columns[c]], history[0].columns[c].kind)
         for c in COLUMNS}, history[0].as_of), *list(history)[1:]])
    noted = fit_card(extended, labels, columns=COLUMNS).notes
    assert "3 account-snapshots have no label (not a customer on the snapshot date) and " \
           "are not used" in noted
    # Customers on a date whom the snapshot lacks are labelled but cannot be learnt from.
    first = history[0]
    fewer = sk.History([first.take(np.arange(5, len(first))), *list(history)[1:]])
    assert "5 labelled account-snapshots are not in their snapshot (no metrics to learn " \
           "from) and are not used" in fit_card(fewer, labels, columns=COLUMNS).notes


def test_a_history_needs_churn_labels_and_named_groups(history_and_labels) -> None:
    history, labels = history_and_labels
    with pytest.raises(sk.DataError, match="with a History, churned must be ChurnLabels"):
        fit_card(history, labels.on(history.dates[0]))
    with pytest.raises(sk.DataError, match="cv_groups is None"):
        fit_card(history, labels, cv_groups=np.zeros(10))
    elsewhere = sk.churn_labels(make_portfolio(50, months=2, seed=1).contracts,
                                [dt.date(2020, 1, 1)], "30d")
    with pytest.raises(sk.DataError, match="no snapshot of the history has labels"):
        fit_card(history, elsewhere)


def test_stacked_columns_keep_every_value_and_kind() -> None:
    first = sk.Portfolio.from_columns({"id": ["a", "b"], "plan": ["pro", None],
                                       "x": [1.0, None], "on": [True, None]},
                                      as_of="2026-01-01")
    second = sk.Portfolio.from_columns({"id": ["a"], "plan": ["basic"], "y": ["2026-01-05"]},
                                       as_of="2026-02-01", kinds={"y": "date"})
    stacked = stack_snapshots([first, second])
    assert stacked.ids.tolist() == ["a@2026-01-01", "b@2026-01-01", "a@2026-02-01"]
    assert stacked.column("plan").to_list() == ["pro", None, "basic"]
    assert stacked.column("x").to_list() == [1.0, None, None]
    assert stacked.column("on").to_list() == [True, None, None]
    assert stacked.column("y").to_list() == [None, None, dt.date(2026, 1, 5)]
    picked = stack_snapshots([first, second], [np.array([1]), np.array([], dtype=np.intp)])
    assert picked.ids.tolist() == ["b@2026-01-01"]


def test_shuffled_snapshot_rows_give_the_same_card(history_and_labels) -> None:
    history, labels = history_and_labels
    rng = np.random.default_rng(0)
    shuffled = sk.History([s.take(rng.permutation(len(s))) for s in history])
    a = fit_card(history, labels, columns=COLUMNS)
    b = fit_card(shuffled, labels, columns=COLUMNS)
    assert a.model.fingerprint == b.model.fingerprint
    # The same folds and fits; only the order of the sums differs.
    assert [(t, l2) for t, l2, _ in a.cv_loss] == [(t, l2) for t, l2, _ in b.cv_loss]
    assert np.allclose([x for *_, x in a.cv_loss], [x for *_, x in b.cv_loss], rtol=1e-12)

"""The sample's contracts table gives back the sample's own churn outcomes."""

from __future__ import annotations

import numpy as np

from successkit._sample_contracts import sample_contracts
from successkit.contracts import account_facts, churn_labels
from successkit.datasets import make_portfolio


def test_labels_from_sample_contracts_equal_the_sample_churners() -> None:
    sample = make_portfolio(600, seed=3)
    contracts = sample_contracts(sample)
    labels = churn_labels(
        contracts, [sample.portfolio.as_of], f"{sample.horizon_days}d",
        observed_until="2030-01-01",
    )
    ids, outcome = labels.outcome(0)
    assert sorted(ids.tolist()) == sorted(sample.portfolio.ids.tolist())
    assert np.array_equal(outcome, sample.churned[sample.portfolio.index_of(ids)])
    facts = account_facts(contracts, [sample.portfolio.as_of])
    assert facts.renewals.max() >= 1


def test_the_sample_contracts_renew_upgrade_downgrade_and_churn() -> None:
    from successkit.contracts import revenue_movements

    sample = make_portfolio(400, seed=2)
    contracts = sample.contracts
    assert contracts.plan is not None
    assert set(contracts.plan.categories) == {"basic", "premium", "standard"}
    moves = revenue_movements(contracts, "2025-01-01", "2026-10-01")
    kinds = set(moves.movement.tolist())
    assert {"expansion", "contraction", "churned", "new"} <= kinds
    labels = churn_labels(contracts, sample.history.dates, "1mo",
                          observed_until=sample.observed_until)
    assert labels.counts()["yes"] > 0
    assert labels.counts()["unknown"] == 0


def test_a_renewal_plan_follows_its_own_arr_change() -> None:
    # Upgraded renewals are premium, downgraded ones basic, the rest standard.
    contracts = make_portfolio(300, seed=3).contracts
    assert contracts.plan is not None
    plan = contracts.plan.labels()
    account = np.asarray(contracts.account)
    arr = np.asarray(contracts.arr, dtype=float)
    order = np.lexsort((np.asarray(contracts.start), account))
    first = np.r_[True, account[order][1:] != account[order][:-1]]
    base = np.maximum.accumulate(np.where(first, np.arange(order.size), 0))
    ratio = arr[order] / arr[order][base]
    want = np.where(ratio > 1.0001, "premium", np.where(ratio < 0.9999, "basic", "standard"))
    assert np.array_equal(plan[order], want)

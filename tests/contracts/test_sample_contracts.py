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

"""Contracts to account facts, churn labels and revenue movements."""

from successkit.contracts.facts import AccountFacts, account_facts
from successkit.contracts.labels import ChurnLabels, SnapshotLabels, churn_labels, lapsed_labels
from successkit.contracts.movements import Movements, revenue_movements

__all__ = [
    "AccountFacts",
    "ChurnLabels",
    "Movements",
    "SnapshotLabels",
    "account_facts",
    "churn_labels",
    "lapsed_labels",
    "revenue_movements",
]

"""Usage metrics: from product event logs to per-account columns on snapshot dates."""

from successkit.usage.model import KINDS, UsageMetric, UsageModel
from successkit.usage.snapshot import usage_history, usage_portfolio

__all__ = ["KINDS", "UsageMetric", "UsageModel", "usage_history", "usage_portfolio"]

"""Usage metrics: from product event logs to per-account columns on snapshot dates."""

from successkit.usage._plots import plot_usage
from successkit.usage.model import KINDS, UsageMetric, UsageModel
from successkit.usage.snapshot import usage_history, usage_portfolio

__all__ = ["KINDS", "UsageMetric", "UsageModel", "plot_usage", "usage_history", "usage_portfolio"]

"""The health model: schemes, metrics, bands, health scores, explanations, segments, trends."""

from successkit.scoring._plots import plot_band_shares
from successkit.scoring.bands import Bands
from successkit.scoring.explain import Explanation, MetricExplanation
from successkit.scoring.health import HealthModel
from successkit.scoring.metric import Metric
from successkit.scoring.result import HealthResult
from successkit.scoring.rollups import RollupResult, rollup
from successkit.scoring.schemes import Categories, Linear, Percentile, Scheme, Thresholds
from successkit.scoring.segmented import SegmentedModel
from successkit.scoring.summary import HealthSummary
from successkit.scoring.trend_summary import TrendSummary
from successkit.scoring.trends import TrendResult, trend

__all__ = [
    "Bands",
    "Categories",
    "Explanation",
    "HealthModel",
    "HealthResult",
    "HealthSummary",
    "Linear",
    "Metric",
    "MetricExplanation",
    "Percentile",
    "RollupResult",
    "Scheme",
    "SegmentedModel",
    "Thresholds",
    "TrendResult",
    "TrendSummary",
    "plot_band_shares",
    "rollup",
    "trend",
]

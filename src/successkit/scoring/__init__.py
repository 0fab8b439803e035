"""Health scores, touch scores, quadrants, trends and outcome validation."""

from successkit.scoring.bands import Bands
from successkit.scoring.explain import Explanation, MetricExplanation
from successkit.scoring.health import HealthModel
from successkit.scoring.metric import Metric
from successkit.scoring.quadrant_plot import plot_quadrants
from successkit.scoring.quadrant_summary import QuadrantSummary
from successkit.scoring.quadrant_transitions import QuadrantTransitions
from successkit.scoring.quadrants import QuadrantResult, Quadrants
from successkit.scoring.result import HealthResult
from successkit.scoring.rollups import RollupResult, rollup
from successkit.scoring.schemes import Categories, Linear, Percentile, Scheme, Thresholds
from successkit.scoring.segmented import SegmentedModel
from successkit.scoring.summary import HealthSummary
from successkit.scoring.touch import TouchModel
from successkit.scoring.touch_point import TouchPoint
from successkit.scoring.touch_result import TouchResult
from successkit.scoring.touch_summary import TouchSummary
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
    "QuadrantResult",
    "QuadrantSummary",
    "QuadrantTransitions",
    "Quadrants",
    "RollupResult",
    "Scheme",
    "SegmentedModel",
    "Thresholds",
    "TouchModel",
    "TouchPoint",
    "TouchResult",
    "TouchSummary",
    "TrendResult",
    "TrendSummary",
    "plot_quadrants",
    "rollup",
    "trend",
]

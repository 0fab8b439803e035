"""Example health models: templates to copy and adapt."""

from __future__ import annotations

from successkit.scoring.metric import Metric
from successkit.scoring.schemes import Categories, Linear, Thresholds

__all__ = ["DEAR_GROUPS", "KEYPERSON_TOUCH_POINTS", "dear_metrics"]

#: The DEAR groups and their weights.
DEAR_GROUPS = {"deployment": 30, "engagement": 20, "adoption": 30, "roi": 20}

#: Sansan's key-person touch scale, four colours.
KEYPERSON_TOUCH_POINTS = {"bad": 1, "fair": 2, "good": 3, "excellent": 4}


def dear_metrics() -> list[Metric]:
    """The metrics of Gainsight's DEAR (deployment, engagement, adoption, ROI) over the
    columns of :func:`successkit.datasets.make_portfolio`; see :meth:`HealthModel.dear`,
    which builds the model (this module stands below it)."""
    quartiles = [0.25, 0.5, 0.75]
    metrics = [
        # Deployment: are the licences in use?
        Metric("license_activation_rate", scheme=Thresholds([0.5, 0.7, 0.9]),
               group="deployment", label="licence activation"),
        Metric("first_login_rate", scheme=Thresholds(quartiles), group="deployment",
               label="first login"),
        Metric("login_rate", scheme=Linear(0.2, 0.9), weight=2, group="deployment",
               label="login rate"),
        # Engagement: do we reach the customer's people?
        Metric("keyperson_touch", scheme=Categories(KEYPERSON_TOUCH_POINTS), weight=2,
               group="engagement", label="key-person touch"),
        Metric("seminar_attendance", scheme=Thresholds([1, 3]), group="engagement",
               label="seminars"),
        Metric("support_tickets", scheme=Thresholds([2, 4, 7], higher_is_better=False),
               group="engagement", label="support tickets"),
        # Adoption: is the product part of their work?
        Metric("weekly_active_rate", scheme=Linear(0.05, 0.7), weight=2, group="adoption",
               label="weekly active"),
        Metric("feature_x_usage", scheme=Linear(0.0, 0.6), group="adoption",
               label="feature X usage"),
        # ROI: do they get what they bought it for? NPS 0–6 / 7–8 / 9–10.
        Metric("roi_achievement", scheme=Thresholds([0.5, 0.8, 1.0]), weight=2, group="roi",
               label="ROI achievement"),
        Metric("nps", scheme=Thresholds([7, 9]), group="roi", label="NPS"),
    ]
    return metrics

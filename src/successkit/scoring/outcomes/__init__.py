"""Outcomes: validate a health score against churn, fit its weights, calibrate it to churn
probabilities, backtest it over time, and the retention arithmetic around it.

No scikit-learn: everything is numpy.
"""

from successkit.scoring.outcomes.backtesting import BacktestResult, backtest
from successkit.scoring.outcomes.calibration import CalibratedModel, calibrate
from successkit.scoring.outcomes.fitting import fit
from successkit.scoring.outcomes.revenue import (
    ArrAtRisk,
    RetentionReport,
    arr_at_risk,
    retention,
)
from successkit.scoring.outcomes.tables import RateTable
from successkit.scoring.outcomes.validation import ValidationReport, evaluate

__all__ = [
    "ArrAtRisk",
    "BacktestResult",
    "CalibratedModel",
    "RateTable",
    "RetentionReport",
    "ValidationReport",
    "arr_at_risk",
    "backtest",
    "calibrate",
    "evaluate",
    "fit",
    "retention",
]

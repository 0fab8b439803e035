"""Outcomes: validate a health score against churn, fit its weights, calibrate it to churn
probabilities, backtest it over time, and the retention arithmetic around it.

No scikit-learn: everything is numpy.
"""

from successkit.outcomes.backtesting import BacktestResult, backtest
from successkit.outcomes.fitting import fit
from successkit.outcomes.revenue import (
    ArrAtRisk,
    RetentionReport,
    arr_at_risk,
    retention,
)
from successkit.outcomes.tables import RateTable
from successkit.outcomes.validation import ValidationReport, evaluate
from successkit.scoring.calibration import CalibratedModel, calibrate

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

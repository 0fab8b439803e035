"""Outcomes: validate a health score against churn, fit its weights (or the whole points
card), calibrate it to churn probabilities, backtest it over time, watch its stability, and
the retention arithmetic around it.

No scikit-learn: everything is numpy.
"""

from successkit.outcomes.backtesting import BacktestResult, backtest
from successkit.outcomes.card_export import ReasonCodes, card_sql, reason_codes
from successkit.outcomes.card_fit import fit_card
from successkit.outcomes.card_result import CardFit
from successkit.outcomes.card_stability import StabilityReport, stability
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
    "CardFit",
    "RateTable",
    "ReasonCodes",
    "RetentionReport",
    "StabilityReport",
    "ValidationReport",
    "arr_at_risk",
    "backtest",
    "calibrate",
    "card_sql",
    "evaluate",
    "fit",
    "fit_card",
    "reason_codes",
    "retention",
    "stability",
]

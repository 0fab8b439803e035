"""successkit: customer-success analytics as a library.

Health and touch scores, success roadmaps and playbook rules (``when <indicator> then
<action>``) computed over whole portfolios with numpy.
"""

import importlib
from typing import TYPE_CHECKING, Any

from successkit.data import Account, Column, History, Kind, Portfolio, Schema
from successkit.errors import (
    DataError,
    ModelError,
    RuleError,
    RuleNameError,
    RuleSyntaxError,
    RuleTypeError,
    SuccesskitError,
)

if TYPE_CHECKING:
    from successkit.datasets import SampleData
    from successkit.dsl import (
        CTA,
        CTAs,
        Playbook,
        ReplayResult,
        evaluate_expression,
        expression_names,
        parse_expression,
    )
    from successkit.outcomes import (
        ArrAtRisk,
        BacktestResult,
        CalibratedModel,
        RetentionReport,
        ValidationReport,
        arr_at_risk,
        backtest,
        evaluate,
        retention,
    )
    from successkit.roadmap import Roadmap, Stage, StageResult, StageSummary, SuccessPlan, Task
    from successkit.scoring import (
        Bands,
        Categories,
        Explanation,
        HealthModel,
        HealthResult,
        HealthSummary,
        Linear,
        Metric,
        MetricExplanation,
        Percentile,
        RollupResult,
        Scheme,
        SegmentedModel,
        Thresholds,
        TrendResult,
        TrendSummary,
        rollup,
        trend,
    )
    from successkit.touch import (
        QuadrantResult,
        Quadrants,
        QuadrantSummary,
        QuadrantTransitions,
        TouchModel,
        TouchPoint,
        TouchResult,
        TouchSummary,
        plot_quadrants,
    )

# Each area (scoring, playbooks, roadmaps, sample data) is imported on first use: importing
# successkit stays fast for apps that only need part of it, and lark loads only when a rule
# is parsed. Static type checkers see the imports above.
_LAZY: dict[str, str] = {
    "SampleData": "successkit.datasets",
    "CTA": "successkit.dsl",
    "CTAs": "successkit.dsl",
    "Playbook": "successkit.dsl",
    "ReplayResult": "successkit.dsl",
    "evaluate_expression": "successkit.dsl",
    "expression_names": "successkit.dsl",
    "parse_expression": "successkit.dsl",
    "Roadmap": "successkit.roadmap",
    "Stage": "successkit.roadmap",
    "StageResult": "successkit.roadmap",
    "StageSummary": "successkit.roadmap",
    "SuccessPlan": "successkit.roadmap",
    "Task": "successkit.roadmap",
    "Bands": "successkit.scoring",
    "Categories": "successkit.scoring",
    "Explanation": "successkit.scoring",
    "HealthModel": "successkit.scoring",
    "HealthResult": "successkit.scoring",
    "HealthSummary": "successkit.scoring",
    "Linear": "successkit.scoring",
    "Metric": "successkit.scoring",
    "MetricExplanation": "successkit.scoring",
    "Percentile": "successkit.scoring",
    "QuadrantResult": "successkit.touch",
    "Quadrants": "successkit.touch",
    "QuadrantSummary": "successkit.touch",
    "QuadrantTransitions": "successkit.touch",
    "RollupResult": "successkit.scoring",
    "Scheme": "successkit.scoring",
    "SegmentedModel": "successkit.scoring",
    "Thresholds": "successkit.scoring",
    "TouchModel": "successkit.touch",
    "TouchPoint": "successkit.touch",
    "TouchResult": "successkit.touch",
    "TouchSummary": "successkit.touch",
    "TrendResult": "successkit.scoring",
    "TrendSummary": "successkit.scoring",
    "plot_quadrants": "successkit.touch",
    "rollup": "successkit.scoring",
    "trend": "successkit.scoring",
    "ArrAtRisk": "successkit.outcomes",
    "BacktestResult": "successkit.outcomes",
    "CalibratedModel": "successkit.outcomes",
    "RetentionReport": "successkit.outcomes",
    "ValidationReport": "successkit.outcomes",
    "arr_at_risk": "successkit.outcomes",
    "backtest": "successkit.outcomes",
    "evaluate": "successkit.outcomes",
    "retention": "successkit.outcomes",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'successkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__version__ = "0.1.0.dev0"

__all__ = [
    "CTA",
    "Account",
    "ArrAtRisk",
    "BacktestResult",
    "Bands",
    "CTAs",
    "CalibratedModel",
    "Categories",
    "Column",
    "DataError",
    "Explanation",
    "HealthModel",
    "HealthResult",
    "HealthSummary",
    "History",
    "Kind",
    "Linear",
    "Metric",
    "MetricExplanation",
    "ModelError",
    "Percentile",
    "Playbook",
    "Portfolio",
    "QuadrantResult",
    "QuadrantSummary",
    "QuadrantTransitions",
    "Quadrants",
    "ReplayResult",
    "RetentionReport",
    "Roadmap",
    "RollupResult",
    "RuleError",
    "RuleNameError",
    "RuleSyntaxError",
    "RuleTypeError",
    "SampleData",
    "Schema",
    "Scheme",
    "SegmentedModel",
    "Stage",
    "StageResult",
    "StageSummary",
    "SuccessPlan",
    "SuccesskitError",
    "Task",
    "Thresholds",
    "TouchModel",
    "TouchPoint",
    "TouchResult",
    "TouchSummary",
    "TrendResult",
    "TrendSummary",
    "ValidationReport",
    "__version__",
    "arr_at_risk",
    "backtest",
    "evaluate",
    "evaluate_expression",
    "expression_names",
    "parse_expression",
    "plot_quadrants",
    "retention",
    "rollup",
    "trend",
]

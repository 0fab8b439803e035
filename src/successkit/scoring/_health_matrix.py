"""The arrays a health model scores with: its weighting plan and the accounts × metrics matrix.

:class:`~successkit.HealthModel` builds both from its metrics here, once per model (the
plan) and once per scoring (the matrix), so the model class holds the definition and this
module the numbers the combination in :mod:`successkit.scoring._weighting` starts from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from successkit._arrays import FloatArray
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError
from successkit.scoring._weighting import Plan
from successkit.scoring.category_schemes import Categories
from successkit.scoring.metric import Metric

__all__ = ["metric_scores", "weighting_plan"]


def weighting_plan(
    metrics: Sequence[Metric],
    groups: Iterable[tuple[str, float]],
    *,
    missing: str,
    min_coverage: float,
) -> Plan:
    """The weights of ``metrics`` laid out as arrays; ``groups`` gives each named group's
    weight in order, and a metric without a group is a group of its own."""
    named = list(groups)
    index = {g: k for k, (g, _) in enumerate(named)}
    group_of = []
    weights = [weight for _, weight in named]
    for metric in metrics:
        if metric.group is None:  # a group of its own, weighing the metric's weight
            group_of.append(len(weights))
            weights.append(metric.weight)
        else:
            group_of.append(index[metric.group])
    return Plan(
        metric_weights=np.array([m.weight for m in metrics]),
        group_of=np.array(group_of, dtype=np.intp),
        group_weights=np.array(weights),
        max_points=np.array([m.scheme.max_points for m in metrics]),
        missing=missing,
        min_coverage=min_coverage,
    )


def metric_scores(
    metrics: Sequence[Metric], portfolio: Portfolio, *, missing: str
) -> tuple[FloatArray, tuple[str, ...]]:
    """The accounts × metrics score matrix (Fortran-ordered, NaN where missing) and notes on
    categories the schemes do not know; with ``missing="fail"`` a missing value is a
    :class:`~successkit.DataError` naming the column and the account."""
    matrix = np.empty((len(portfolio), len(metrics)), order="F")
    notes = []
    for j, metric in enumerate(metrics):
        metric.scores(portfolio, out=matrix[:, j])
        scheme = metric.scheme
        if metric.column is not None and isinstance(scheme, Categories):
            unseen = scheme.unseen(metric.values(portfolio))
            if unseen:
                # Unlisted labels score the scheme's "other" points, else as missing.
                fate = ("missing" if scheme.other is None
                        else f"other ({scheme.other:g} points)")
                notes.append(f"metric {metric.name!r}: categories {list(unseen)} are not in "
                             f"the scheme and score as {fate}")
    if missing == "fail" and len(portfolio):
        absent = np.isnan(matrix)
        for j, metric in enumerate(metrics):
            if absent[:, j].any():
                row = int(np.flatnonzero(absent[:, j])[0])
                raise DataError(
                    f"metric {metric.name!r} has no value (the model has missing='fail')",
                    column=metric.column or metric.name,
                    account=str(portfolio.ids[row]),
                )
    return matrix, tuple(notes)

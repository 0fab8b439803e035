"""A model's result: its combined scores with band hysteresis, one snapshot or a History.

Shared by :class:`~successkit.HealthModel` and :class:`~successkit.SegmentedModel`, so both
build their :class:`~successkit.HealthResult` the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from successkit._arrays import FloatArray
from successkit._rows import positions
from successkit.data.history import History, not_a_history
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError
from successkit.scoring._weighting import Combined
from successkit.scoring.bands import Bands
from successkit.scoring.result import HealthResult

__all__ = ["band_codes", "health_result", "score_history"]



def score_history(model: Any, history: History) -> tuple[HealthResult, ...]:
    """Score every snapshot of ``history`` with ``model``, hysteresis chained."""
    if not isinstance(history, History):
        raise not_a_history(history)
    results: list[HealthResult] = []
    for snapshot in history:
        results.append(model.score(snapshot, previous=results[-1] if results else None))
    return tuple(results)


def health_result(
    model: Any,
    portfolio: Portfolio,
    combined: Combined,
    metrics: FloatArray,
    notes: tuple[str, ...],
    previous: HealthResult | None,
) -> HealthResult:
    """The result of ``model`` on ``portfolio``: the ``combined`` scores (groups beyond the
    model's named ones dropped), the metric score matrix, and bands with hysteresis against
    ``previous``."""
    score = combined.score
    return HealthResult(
        ids=portfolio.ids,
        score=score,
        band_codes=band_codes(model.bands, score, portfolio.ids, previous),
        bands=model.bands,
        group_names=model.group_names,
        group_matrix=combined.groups[:, : len(model.group_names)],
        metric_names=model.names,
        metric_matrix=metrics,
        coverage=combined.coverage,
        points=combined.points,
        max_points=combined.max_points,
        fingerprint=model.fingerprint,
        as_of=portfolio.as_of,
        notes=notes,
        model=model,
        portfolio=portfolio,
    )


def band_codes(
    bands: Bands,
    score: FloatArray,
    ids: npt.NDArray[np.str_],
    previous: HealthResult | None,
) -> npt.NDArray[np.int8]:
    """Band codes of ``score`` (accounts ``ids``), with hysteresis against ``previous``."""
    if previous is None:
        return bands.codes(score)
    if not isinstance(previous, HealthResult):
        raise DataError(f"previous must be a HealthResult, got {type(previous).__name__}")
    if not len(previous.ids):
        return bands.codes(score)
    rows = positions(previous.ids, ids)
    # Previous bands are matched by label, so a model with relabelled bands starts afresh.
    relabel = np.array([*bands.codes_of_labels(list(previous.bands.labels)), -1], dtype=np.int8)
    found = previous.band_codes[np.maximum(rows, 0)]
    prev_codes = np.where(rows >= 0, relabel[found], -1)
    return bands.sticky_codes(score, prev_codes)

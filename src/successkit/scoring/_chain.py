"""Scoring over time: band hysteresis against the previous result, and a whole History.

Shared by :class:`~successkit.HealthModel` and :class:`~successkit.SegmentedModel`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from successkit._rows import positions
from successkit.data.history import History
from successkit.errors import DataError
from successkit.scoring.bands import Bands
from successkit.scoring.result import HealthResult

__all__ = ["band_codes", "score_history"]

FloatArray = npt.NDArray[np.float64]


def score_history(model: Any, history: History) -> tuple[HealthResult, ...]:
    """Score every snapshot of ``history`` with ``model``, hysteresis chained."""
    if not isinstance(history, History):
        raise DataError(f"expected a History, got {type(history).__name__}")
    results: list[HealthResult] = []
    for snapshot in history:
        results.append(model.score(snapshot, previous=results[-1] if results else None))
    return tuple(results)


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

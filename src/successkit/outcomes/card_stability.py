"""Is the card still the card? The population stability index between two snapshots.

:func:`stability` compares where the accounts of a base snapshot (usually the training
accounts) and of a current snapshot fall: in each metric's bands (its cut points or
category levels, missing as a band of its own) and in ten bands of the base snapshot's
health score. The population stability index ``PSI = Σ (current − base) · ln(current /
base)`` over the bands' shares reads, by the usual rule of thumb: below 0.1 stable, 0.1 to
0.25 worth watching, 0.25 and above shifted enough that the card needs refitting.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import FloatArray
from successkit._html import html_table
from successkit.data.portfolio import Portfolio, not_a_portfolio
from successkit.errors import DataError, ModelError
from successkit.scoring.health import HealthModel
from successkit.scoring.schemes import Categories, Thresholds
from successkit.scoring.segmented import SegmentedModel

__all__ = ["REFIT", "WATCH", "StabilityReport", "psi", "stability"]


#: PSI at which a shift is worth watching, and at which the card needs refitting.
WATCH, REFIT = 0.1, 0.25
# An empty band counts as this share, so the index stays finite.
_FLOOR = 1e-4


def psi(base: FloatArray, current: FloatArray) -> float:
    """The population stability index of two vectors of band counts.

    Examples
    --------
    >>> import numpy as np
    >>> round(psi(np.array([50.0, 50.0]), np.array([50.0, 50.0])), 6)
    0.0
    >>> round(psi(np.array([50.0, 50.0]), np.array([80.0, 20.0])), 3)
    0.416
    """
    b = np.maximum(base / max(float(base.sum()), 1.0), _FLOOR)
    c = np.maximum(current / max(float(current.sum()), 1.0), _FLOOR)
    return float(np.sum((c - b) * np.log(c / b)))


def level(value: float) -> str:
    """``"stable"``, ``"watch"`` or ``"refit"`` for a PSI value (``"no accounts"`` for
    NaN: a segment metric no card could compare)."""
    if np.isnan(value):
        return "no accounts"
    return "refit" if value >= REFIT else "watch" if value >= WATCH else "stable"


@attrs.frozen(kw_only=True)
class StabilityReport:
    """PSI per metric and for the score, with the alert level of each.

    .. versionadded:: 0.2

    Examples
    --------
    >>> import successkit as sk
    >>> card = sk.HealthModel([
    ...     sk.Metric("login_rate", scheme=sk.Thresholds([0.3, 0.6], [0, 20, 40])),
    ...     sk.Metric("plan", scheme=sk.Categories({"basic": 0, "pro": 10}))])
    >>> base = sk.Portfolio.from_columns({"id": ["a", "b", "c"], "login_rate": [0.1, 0.5, 0.9],
    ...                                   "plan": ["basic", "pro", "pro"]})
    >>> now = sk.Portfolio.from_columns({"id": ["a", "b", "c"], "login_rate": [0.1, 0.5, 0.2],
    ...                                  "plan": ["basic", "pro", "pro"]})
    >>> report = sk.stability(card, base, now)
    >>> report.alerts  # PSI at or above the 0.1 watch level, worst first
    ('score', 'login_rate')
    """

    metrics: tuple[tuple[str, float], ...]
    score: float
    base_accounts: int
    current_accounts: int

    @property
    def alerts(self) -> tuple[str, ...]:
        """The metrics (and ``"score"``) at or above the watch level, worst first."""
        rows = [row for row in (*self.metrics, ("score", self.score)) if row[1] >= WATCH]
        return tuple(name for name, _ in sorted(rows, key=lambda r: -r[1]))

    def __str__(self) -> str:
        rows = [*self.metrics, ("score", self.score)]
        width = max(len("measure"), *(len(n) for n, _ in rows))
        lines = [f"stability: {self.base_accounts} → {self.current_accounts} accounts",
                 f"{'measure'.ljust(width)}     PSI  level"]
        lines += [f"{n.ljust(width)}  {v:6.3f}  {level(v)}" for n, v in rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = [*self.metrics, ("score", self.score)]
        return html_table(
            {"measure": [n for n, _ in rows], "PSI": [round(v, 4) for _, v in rows],
             "level": [level(v) for _, v in rows]},
            caption=f"stability: {self.base_accounts} → {self.current_accounts} accounts",
        )


def _bands(metric: Any, portfolio: Portfolio, edges: FloatArray | None) -> npt.NDArray[Any]:
    scheme = metric.scheme
    if isinstance(scheme, Categories):
        column = metric.values(portfolio)
        known = {label: k for k, (label, _) in enumerate(scheme.mapping)}
        # Unlisted labels share one bucket (the "other" band with ``other=``), missing last.
        size = len(scheme.mapping)
        lookup = np.array([known.get(c, size) for c in column.categories] + [size + 1])
        return np.bincount(lookup[column.values], minlength=size + 2)
    values = metric.values(portfolio).values
    if isinstance(scheme, Thresholds):  # each special value is a band of its own
        return np.bincount(scheme.bands_of(values),
                           minlength=len(scheme.cuts) + 2 + len(scheme.special))
    assert edges is not None
    index = np.searchsorted(edges, values, side="right")
    index[np.isnan(values)] = edges.size + 1
    return np.bincount(index, minlength=edges.size + 2)


def _deciles(values: FloatArray) -> FloatArray:
    present = values[~np.isnan(values)]
    if present.size == 0:
        return np.array([])
    edges: FloatArray = np.unique(np.quantile(present, np.linspace(0.1, 0.9, 9)))
    return edges


def _metric_psi(metric: Any, base: Portfolio, current: Portfolio) -> float:
    edges = None
    if not isinstance(metric.scheme, (Thresholds, Categories)):
        edges = _deciles(metric.values(base).values)
    return psi(_bands(metric, base, edges).astype(np.float64),
               _bands(metric, current, edges).astype(np.float64))


def _segment_rows(model: SegmentedModel, base: Portfolio,
                  current: Portfolio) -> list[tuple[str, float]]:
    """The segment mix's PSI (the share of accounts each card scores), then each metric's
    PSI within the cards that have it, weighted by their base accounts."""
    base_parts, current_parts = model.parts(base), model.parts(current)

    def mix(portfolio: Portfolio, parts: Any) -> FloatArray:
        counts = [rows.size for _, _, rows in parts]
        return np.array([*counts, len(portfolio) - sum(counts)], dtype=np.float64)

    name = model.by if model.by not in model.names else "segment mix"
    rows = [(name, psi(mix(base, base_parts), mix(current, current_parts)))]
    # Each card's accounts in both snapshots, taken once for all its metrics.
    cards = [(card, base.take(before), current.take(now))
             for (_, card, before), (_, _, now) in zip(base_parts, current_parts, strict=True)
             if before.size and now.size]
    for metric_name in model.names:  # a loop over metrics, then over cards
        total, weight = 0.0, 0
        for card, before_pf, now_pf in cards:
            if metric_name in card.names:
                value = _metric_psi(card.metric(metric_name), before_pf, now_pf)
                total += len(before_pf) * value
                weight += len(before_pf)
        rows.append((metric_name, total / weight if weight else float("nan")))
    return rows


def stability(model: HealthModel | SegmentedModel, base: Portfolio,
              current: Portfolio) -> StabilityReport:
    """PSI of every metric's bands and of the health score between two snapshots.

    Metrics without bands (linear, percentile) and the score are cut at the deciles of
    the base snapshot.

    With a :class:`~successkit.SegmentedModel`, the first row is the segment mix (named
    after the segment column): the share of accounts each card scores. A metric's PSI is
    then taken within each card's own accounts and bands, and averaged weighted by the
    card's base accounts, so a shift in the mix shows in its own row rather than in every
    metric's; a metric whose cards have no accounts in one snapshot is NaN
    (``"no accounts"``). The score's PSI is over all accounts.

    Examples
    --------
    >>> import successkit as sk
    >>> from successkit.outcomes import stability
    >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Thresholds([1, 2]))], missing="zero")
    >>> base = sk.Portfolio.from_columns({"id": list("abcd"), "x": [0, 1, 2, 2]})
    >>> now = sk.Portfolio.from_columns({"id": list("abcd"), "x": [0, 0, 0, 2]})
    >>> report = stability(model, base, now)
    >>> report.alerts
    ('x', 'score')
    >>> print(report)
    stability: 4 → 4 accounts
    measure     PSI  level
    x        2.678  refit
    score    2.678  refit
    """
    if not isinstance(model, HealthModel | SegmentedModel):
        raise ModelError(f"stability compares the metrics of a HealthModel or a "
                         f"SegmentedModel, got {type(model).__name__}")
    for what, pf in (("base", base), ("current", current)):
        if not isinstance(pf, Portfolio):
            raise not_a_portfolio(pf, role=what)
        if len(pf) == 0:
            raise DataError(f"the {what} snapshot has no accounts")
    if isinstance(model, HealthModel):
        rows = [(metric.name, _metric_psi(metric, base, current))
                for metric in model.metrics]  # a loop over metrics
    else:
        rows = _segment_rows(model, base, current)
    base_score = model.score(base).score
    current_score = model.score(current).score
    edges = _deciles(base_score)

    def counts(score: FloatArray) -> FloatArray:
        index = np.searchsorted(edges, score, side="right")
        index[np.isnan(score)] = edges.size + 1
        return np.bincount(index, minlength=edges.size + 2).astype(np.float64)

    return StabilityReport(
        metrics=tuple(rows),
        score=psi(counts(base_score), counts(current_score)),
        base_accounts=len(base),
        current_accounts=len(current),
    )

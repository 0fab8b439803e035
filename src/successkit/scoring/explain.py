"""Per-account explanations: what each metric adds to a score, and what it could still add."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np

from successkit._arrays import FloatArray
from successkit._grid import text_grid
from successkit._html import format_value, html_table
from successkit._optional import import_optional
from successkit.data.portfolio import Portfolio

# The model is duck-typed: health.py imports result.py, which imports this module.
HealthModel = Any

__all__ = ["Explanation", "MetricExplanation", "explain_row", "headroom_row"]



def _nan_last(value: float) -> float:
    return -math.inf if math.isnan(value) else value


@attrs.frozen(kw_only=True)
class MetricExplanation:
    """One metric's part in one account's score.

    ``weight_share`` is the metric's share of the score after missing metrics' weight was
    spread (0 for a missing metric), ``contribution = weight_share × score`` (they add up to
    the account's score), ``lost = weight_share × (100 − score)`` the points it costs.
    ``status`` is ``"ok"``, ``"missing"`` (no value), ``"stale"`` (older than ``max_age``)
    or ``"unknown"`` (a category the scheme does not know; with ``Categories(other=...)``
    such a category scores the ``other`` points and is ``"ok"``).

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 1))])
    >>> pf = sk.Portfolio.from_columns({"id": ["a"], "x": [0.25]})
    >>> row = model.score(pf).explain("a").metrics[0]
    >>> row.metric, row.value, row.score, row.weight_share, row.lost
    ('x', 0.25, 25.0, 1.0, 75.0)
    """

    metric: str
    label: str
    group: str | None
    value: Any
    score: float
    weight_share: float
    contribution: float
    lost: float
    points: float
    max_points: float
    status: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (``None`` for NaN; dates as ISO text)."""
        out = attrs.asdict(self)
        for key, value in out.items():
            if isinstance(value, float) and math.isnan(value):
                out[key] = None
            elif hasattr(value, "isoformat"):
                out[key] = value.isoformat()
        return out


def _percent(value: float) -> str:
    return "—" if math.isnan(value) else f"{100 * value:.0f}%"


@attrs.frozen(kw_only=True)
class Explanation:
    """Why one account scores what it does (from :meth:`HealthResult.explain`).

    ``metrics`` are ordered by contribution, largest first, with missing metrics last.
    ``str(explanation)`` is a small text table; :meth:`reasons` names the metrics that cost
    the most points.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 1)),
    ...                         sk.Metric("y", scheme=sk.Linear(0, 1))])
    >>> pf = sk.Portfolio.from_columns({"id": ["a"], "x": [0.25], "y": [0.75]})
    >>> explanation = model.score(pf).explain("a")
    >>> explanation.score, [m.metric for m in explanation.metrics]
    (50.0, ['y', 'x'])
    """

    account_id: str
    score: float
    band: str | None
    coverage: float
    points: float
    max_points: float
    metrics: tuple[MetricExplanation, ...]

    def reasons(self, n: int = 3) -> list[str]:
        """The ``n`` metrics that cost the account the most points, as short text,
        then missing or stale ones.

        Examples
        --------
        >>> import successkit as sk
        >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 1)),
        ...                         sk.Metric("y", scheme=sk.Linear(0, 1))])
        >>> pf = sk.Portfolio.from_columns({"id": ["a"], "x": [0.2], "y": [None]})
        >>> model.score(pf).explain("a").reasons()
        ['x = 0.2 scores 20 (−80 points)', 'y is missing']
        """
        present = sorted((m for m in self.metrics if m.status == "ok" and m.lost > 0),
                         key=lambda m: -m.lost)
        lines = [
            f"{m.label} = {format_value(m.value)} scores {format_value(m.score)} "
            f"(−{format_value(m.lost)} points)"
            for m in present
        ]
        lines += [f"{m.label} is {m.status}" for m in self.metrics if m.status != "ok"]
        return lines[:n]

    def _rows(self) -> list[list[str]]:
        return [
            [
                m.label,
                format_value(m.value),
                format_value(m.score),
                _percent(m.weight_share),
                format_value(round(m.contribution, 4)),
                "" if m.status == "ok" else m.status,
            ]
            for m in self.metrics
        ]

    def __str__(self) -> str:
        band = "no band" if self.band is None else self.band
        head = (
            f"{self.account_id}: score {format_value(self.score)} ({band}), coverage "
            f"{_percent(self.coverage)}, card {format_value(self.points)} / "
            f"{format_value(self.max_points)}"
        )
        table = text_grid(
            ["metric", "value", "score", "share", "contribution", ""], self._rows(),
            numeric=4, trailing=1,
        )
        return head + "\n" + "\n".join("  " + line for line in table.splitlines())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types."""
        def clean(x: float) -> float | None:
            return None if math.isnan(x) else x

        return {
            "account_id": self.account_id,
            "score": clean(self.score),
            "band": self.band,
            "coverage": clean(self.coverage),
            "points": clean(self.points),
            "max_points": clean(self.max_points),
            "metrics": [m.to_dict() for m in self.metrics],
        }

    def to_frame(self) -> Any:
        """The per-metric table as a pandas ``DataFrame`` indexed by metric name."""
        pd = import_optional("pandas", purpose="Explanation.to_frame()")
        rows = [attrs.asdict(m) for m in self.metrics]
        return pd.DataFrame(rows).set_index("metric")

    def _repr_html_(self) -> str:
        rows = self._rows()
        names = ["metric", "value", "score", "share", "contribution", "status"]
        table = {name: [r[i] for r in rows] for i, name in enumerate(names)}
        return html_table(table, caption=str(self).splitlines()[0])


def explain_row(
    model: HealthModel,
    one: Portfolio,
    scores: FloatArray,
    *,
    score: float,
    band: str | None,
    coverage: float,
    points: tuple[float, float],
) -> Explanation:
    """The explanation of the single account in ``one`` whose metric scores are ``scores``."""
    shares = model._plan.shares(scores[None, :])[0]
    rows = []
    for metric, value_score, share in zip(model.metrics, scores.tolist(), shares.tolist(),
                                          strict=True):
        value = metric.values(one).value_at(0)
        if not math.isnan(value_score):
            status = "ok"
        elif value is None:
            status = "missing"
        elif (stale := metric.stale(one)) is not None and bool(stale[0]):
            status = "stale"
        else:
            status = "unknown"
        earned = 0.0 if math.isnan(value_score) else value_score
        maximum = metric.scheme.max_points
        rows.append(
            MetricExplanation(
                metric=metric.name,
                label=metric.display,
                group=metric.group,
                value=value,
                score=value_score,
                weight_share=share,
                contribution=share * earned,
                lost=share * (100.0 - earned),
                points=value_score * maximum / 100.0,
                max_points=maximum,
                status=status,
            )
        )
    rows.sort(key=lambda m: (m.status != "ok", -_nan_last(m.contribution)))
    return Explanation(
        account_id=str(one.ids[0]),
        score=score,
        band=band,
        coverage=coverage,
        points=points[0],
        max_points=points[1],
        metrics=tuple(rows),
    )


def headroom_row(model: HealthModel, scores: FloatArray, current: float) -> dict[str, float]:
    """Score gain per metric if that metric alone were at its best, largest first."""
    m = scores.shape[0]
    variants = np.tile(scores, (m, 1))
    variants[np.arange(m), np.arange(m)] = 100.0
    gains = model._plan.combine(variants).score - current
    pairs = sorted(zip(model.names, gains.tolist(), strict=True), key=lambda p: -_nan_last(p[1]))
    return {name: round(gain, 9) if not math.isnan(gain) else gain for name, gain in pairs}

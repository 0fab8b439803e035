"""SegmentedModel: a different health model per segment (tier, lifecycle stage)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._fingerprint import fingerprint
from successkit._keys import at, read_dict, shown
from successkit.data.account import Account
from successkit.data.history import History
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio, portfolio_of
from successkit.errors import ModelError
from successkit.scoring._chain import health_result, score_history
from successkit.scoring._serial import (
    VERSION,
    as_mapping,
    check_version,
    field,
    model_class,
    register_model,
    text,
)
from successkit.scoring._training import Training, training_field
from successkit.scoring._weighting import Combined
from successkit.scoring.bands import Bands
from successkit.scoring.result import HealthResult

__all__ = ["SegmentedModel"]

# The segment models are HealthModels; health.py stands above this module (HealthModel.fit
# builds a SegmentedModel), so the class is looked up in the model registry, not imported.
HealthModel = Any
# Positions of the accounts one model scores.
Rows = npt.NDArray[np.intp]


def _is_health(model: Any) -> bool:
    return isinstance(model, model_class("health"))


def _to_models(value: Any) -> tuple[tuple[str, HealthModel], ...]:
    mapping = as_mapping(value)
    if mapping is None:
        raise ModelError(f"models must be a mapping of segment value → HealthModel, got {value!r}")
    out = []
    for label, model in mapping.items():
        text(label, what="a segment value", where="segmented model")
        if not _is_health(model):
            raise ModelError(
                f"the model of segment {label!r} must be a HealthModel, got "
                f"{type(model).__name__}"
            )
        out.append((label, model))
    return tuple(out)


@attrs.frozen
class SegmentedModel:
    """One health model per value of a category column, applied in one call.

    Accounts whose segment value has no model use ``default``; without a default their score
    is missing (NaN, no band, NaN coverage). All models must use the same bands, so a band
    means the same thing in every segment. The result has the union of the models' groups
    and metrics, NaN where an account's model lacks them. Percentile metrics rank an account
    within its segment.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> strict = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Linear(0.25, 0.75))])
    >>> loose = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Linear(0.0, 0.4))])
    >>> model = sk.SegmentedModel("tier", {"high": strict, "tech": loose})
    >>> pf = sk.Portfolio.from_columns({"id": ["a", "b", "c"], "tier": ["high", "tech", "low"],
    ...                                 "login_rate": [0.5, 0.5, 0.5]})
    >>> model.score(pf).score.tolist()
    [50.0, 100.0, nan]
    """

    by: str = attrs.field()
    models: tuple[tuple[str, HealthModel], ...] = attrs.field(converter=_to_models)
    default: HealthModel | None = attrs.field(default=None, kw_only=True)
    #: What a fit with ``by=`` learnt from, a ``Training`` over all segments (each segment's
    #: model has its own); ``None`` on a model that was not fitted.
    training: Training | None = training_field()

    def __attrs_post_init__(self) -> None:
        text(self.by, what="by (the segment column)", where="segmented model")
        if not self.models:
            raise ModelError("a segmented model needs at least one segment model")
        if self.default is not None and not _is_health(self.default):
            raise ModelError(f"default must be a HealthModel, got {type(self.default).__name__}")
        bands = {m.bands for m in self._all}
        if len(bands) > 1:
            raise ModelError("every segment model must use the same bands")
        kinds: dict[str, Kind] = {}
        for model in self._all:
            for name, kind in model.kinds().items():
                if kinds.setdefault(name, kind) is not kind:
                    raise ModelError(
                        f"column {name!r} is read as {kinds[name]} by one segment model and "
                        f"as {kind} by another"
                    )
        groups = {g for m in self._all for g in m.group_names}
        metrics = {n for m in self._all for n in m.names}
        clash = sorted(groups & metrics)
        if clash:
            raise ModelError(
                f"{clash[0]!r} is a group in one segment model and a metric in another, so "
                f"health.{clash[0]} would be ambiguous"
            )

    @property
    def _all(self) -> tuple[HealthModel, ...]:
        models = tuple(m for _, m in self.models)
        return models if self.default is None else (*models, self.default)

    @property
    def bands(self) -> Bands:
        """The bands every segment model shares."""
        bands: Bands = self._all[0].bands
        return bands

    @property
    def names(self) -> tuple[str, ...]:
        """Every metric name of any segment model, in first-use order."""
        return tuple(dict.fromkeys(n for m in self._all for n in m.names))

    @property
    def group_names(self) -> tuple[str, ...]:
        """Every group name of any segment model, in first-use order."""
        return tuple(dict.fromkeys(g for m in self._all for g in m.group_names))

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the models read, and the segment column."""
        return tuple(dict.fromkeys([self.by, *(c for m in self._all for c in m.columns)]))

    def kinds(self) -> dict[str, Kind]:
        """The kind of every column read (the segment column is a category)."""
        kinds = {self.by: Kind.CATEGORY}
        for model in self._all:
            kinds.update(model.kinds())
        return kinds

    @property
    def population_dependent(self) -> bool:
        """Whether any segment model ranks accounts against each other (percentiles)."""
        return any(m.population_dependent for m in self._all)

    @cached_property
    def fingerprint(self) -> str:
        """A stable hash of :meth:`to_dict`."""
        return fingerprint(self.to_dict())

    def rule_schema(self) -> Mapping[str, Kind]:
        """The names its results give rules (the union over the segment models)."""
        schema: dict[str, Kind] = {}
        for model in self._all:
            schema.update(model.rule_schema())
        return schema

    def model_for(self, portfolio: Portfolio, row: int) -> HealthModel | None:
        """The model that scores ``row`` of ``portfolio`` (``None`` when none does)."""
        label = portfolio.column(self.by, Kind.CATEGORY).value_at(row)
        return dict(self.models).get(label, self.default) if label is not None else self.default

    def parts(self, portfolio: Portfolio) -> tuple[tuple[str, HealthModel, Rows], ...]:
        """Which model scores which accounts: ``(segment, model, rows)`` for every segment
        model, then ``("default", default, rows)`` for the accounts of no segment model
        (those with no segment value among them) when there is a default. Accounts of
        neither are in no part: they get no score.

        Examples
        --------
        >>> import successkit as sk
        >>> card = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Linear(0, 1))])
        >>> model = sk.SegmentedModel("tier", {"high": card}, default=card)
        >>> pf = sk.Portfolio.from_columns({"id": ["a", "b", "c"],
        ...                                 "tier": ["low", "high", None],
        ...                                 "login_rate": [0.1, 0.2, 0.3]})
        >>> [(label, rows.tolist()) for label, _, rows in model.parts(pf)]
        [('high', [1]), ('default', [0, 2])]
        """
        segment = self.as_portfolio(portfolio).column(self.by, Kind.CATEGORY)
        assigned = np.zeros(len(segment.values), dtype=np.bool_)
        parts: list[tuple[str, HealthModel, Rows]] = []
        for label, model in self.models:  # a loop over segments
            rows = np.flatnonzero(segment.values == segment.code_of(label))
            assigned[rows] = True
            parts.append((label, model, rows))
        if self.default is not None:
            parts.append(("default", self.default, np.flatnonzero(~assigned)))
        return tuple(parts)

    # -- scoring ------------------------------------------------------------------------------

    def as_portfolio(self, data: Portfolio | Account) -> Portfolio:
        """``data`` as a portfolio (an account becomes a portfolio of one)."""
        return portfolio_of(data, kinds=self.kinds())

    def score(
        self, data: Portfolio | Account, *, previous: HealthResult | None = None
    ) -> HealthResult:
        """Score each account with its segment's model (see :meth:`HealthModel.score`)."""
        portfolio = self.as_portfolio(data)
        n = len(portfolio)
        metric_names, group_names = self.names, self.group_names
        score = np.full(n, np.nan)
        coverage = np.full(n, np.nan)
        points = np.full(n, np.nan)
        max_points = np.full(n, np.nan)
        groups = np.full((n, len(group_names)), np.nan, order="F")
        metrics = np.full((n, len(metric_names)), np.nan, order="F")
        notes: list[str] = []
        for label, model, rows in self.parts(portfolio):
            if not rows.size:
                continue
            sub = Portfolio(
                portfolio.ids[rows],
                {c: portfolio.columns[c].take(rows) for c in model.columns
                 if c in portfolio.columns},
                portfolio.as_of,
            )
            if len(model.columns) > len(sub.columns):
                missing = [c for c in model.columns if c not in portfolio.columns]
                portfolio.column(missing[0])  # raises DataError with did-you-mean
            part = model.score(sub)
            score[rows] = part.score
            coverage[rows] = part.coverage
            points[rows] = part.points
            max_points[rows] = part.max_points
            group_at = np.array([group_names.index(g) for g in part.group_names], dtype=np.intp)
            metric_at = np.array([metric_names.index(m) for m in part.metric_names], dtype=np.intp)
            groups[np.ix_(rows, group_at)] = part.group_matrix
            metrics[np.ix_(rows, metric_at)] = part.metric_matrix
            notes.extend(f"segment {label!r}: {note}" for note in part.notes)
        # Every segment model has these bands, so hysteresis is applied once over all
        # accounts (one alignment with ``previous``) rather than once per segment.
        combined = Combined(
            score=score, groups=groups, coverage=coverage, points=points, max_points=max_points
        )
        return health_result(self, portfolio, combined, metrics, tuple(notes), previous)

    def score_history(self, history: History) -> tuple[HealthResult, ...]:
        """Score every snapshot with hysteresis chained (see
        :meth:`HealthModel.score_history`)."""
        return score_history(self, history)

    # -- serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: ``{"type": "segmented", "version": 1, "by", "models",
        "default"}``."""
        return {
            "type": "segmented",
            "version": VERSION,
            "by": self.by,
            "models": {label: model.to_dict() for label, model in self.models},
            "default": None if self.default is None else self.default.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SegmentedModel:
        """Rebuild a segmented model from :meth:`to_dict` output.

        Examples
        --------
        >>> import successkit as sk
        >>> base = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 1))])
        >>> model = sk.SegmentedModel("tier", {"high": base}, default=base)
        >>> sk.SegmentedModel.from_dict(model.to_dict()) == model
        True
        """
        data = read_dict(data, ("type", "version", "by", "models", "default"),
                         what="a segmented model")
        check_version(data, kind="segmented")
        models = field(data, "models", where="segmented model", of=Mapping)
        default = data.get("default")
        health: Any = model_class("health")
        segments = {}
        with at("models"):
            for label, m in models.items():
                with at(f"[{shown(label)}]"):
                    segments[label] = health.from_dict(m)
        with at("default"):
            fallback = None if default is None else health.from_dict(default)
        return cls(field(data, "by", where="segmented model"), segments, default=fallback)


register_model("segmented", SegmentedModel)

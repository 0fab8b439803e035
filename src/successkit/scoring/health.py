"""HealthModel: metrics in weighted groups, combined into one health score per account."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import attrs

from successkit._arrays import FloatArray
from successkit._fingerprint import fingerprint
from successkit._options import a_name
from successkit.data.account import Account
from successkit.data.history import History
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio, not_a_portfolio, portfolio_of
from successkit.errors import ModelError, did_you_mean_suffix
from successkit.scoring._chain import band_codes, health_result, score_history
from successkit.scoring._fitting import fit_model
from successkit.scoring._health_matrix import metric_scores, weighting_plan
from successkit.scoring._health_spec import (
    RESERVED_NAMES,
    check_model,
    model_dict,
    read_model_dict,
    reweighted,
    to_groups,
    to_metrics,
)
from successkit.scoring._serial import register_model
from successkit.scoring._training import Training, training_field
from successkit.scoring._weighting import Plan
from successkit.scoring.bands import Bands
from successkit.scoring.calibration import CalibratedModel, calibrate
from successkit.scoring.card import Card, build_card
from successkit.scoring.metric import Metric
from successkit.scoring.presets import DEAR_GROUPS, dear_metrics
from successkit.scoring.result import HealthResult
from successkit.scoring.segmented import SegmentedModel

__all__ = ["RESERVED_NAMES", "HealthModel", "band_codes", "score_history"]


@attrs.frozen
class HealthModel:
    """A health score: metrics, optionally in weighted groups, with explicit missing-data rules.

    .. versionadded:: 0.1

    Parameters
    ----------
    metrics:
        The :class:`Metric` objects (unique names).
    groups:
        Group name → weight. By default a group weighs the sum of its metrics' weights, so
        every metric counts by its own weight. When given, it must name exactly the groups
        the metrics use. A metric without a group stands on its own.
    bands:
        The score bands (default red 0, yellow 40, green 70).
    missing:
        ``"renormalize"``: a missing metric's weight is spread over the present metrics of
        its group; a group with no present metric drops out and its weight is spread over
        the other groups. ``"zero"``: a missing metric scores 0. ``"fail"``: a missing value
        is a :class:`~successkit.DataError`.
    min_coverage:
        Below this share of the metrics' weight present, the score is missing (NaN, no
        band) rather than a number built on too little data.

    Notes
    -----
    Names rules read (``health.score``, ``health.band``, ``health.coverage``,
    ``health.<group>``, ``health.<metric>``) must not collide: a metric or group named
    ``score``, ``band`` or ``coverage``, or a group named like a metric, is a
    :class:`~successkit.ModelError`.

    :meth:`metric_matrix` gives the accounts × metrics score matrix the combination starts
    from; :meth:`with_weights` returns the same model with other weights (for fitting).

    Examples
    --------
    >>> import successkit as sk
    >>> model = sk.HealthModel([
    ...     sk.Metric("login_rate", scheme=sk.Linear(0, 1), group="deployment"),
    ...     sk.Metric("activation", scheme=sk.Linear(0, 1), group="deployment"),
    ...     sk.Metric("roi_achievement", scheme=sk.Thresholds([0.5, 1.0]), group="roi"),
    ... ])
    >>> pf = sk.Portfolio.from_columns({
    ...     "id": ["a", "b"],
    ...     "login_rate": [0.8, None],
    ...     "activation": [0.6, 0.5],
    ...     "roi_achievement": [1.2, 0.4],
    ... })
    >>> result = model.score(pf)
    >>> result.score.round(2).tolist()
    [80.0, 44.44]
    >>> result.band.tolist(), result.coverage.round(3).tolist()
    (['green', 'yellow'], [1.0, 0.667])
    """

    metrics: tuple[Metric, ...] = attrs.field(converter=to_metrics)
    groups: tuple[tuple[str, float], ...] | None = attrs.field(
        default=None, kw_only=True, converter=to_groups
    )
    bands: Bands = attrs.field(factory=Bands, kw_only=True)
    missing: str = attrs.field(default="renormalize", kw_only=True)
    min_coverage: float = attrs.field(default=0.5, kw_only=True)
    #: What :meth:`fit` learnt the weights from, a ``Training`` counting the accounts used,
    #: their churners and the accounts left out (unknown outcome, no score); ``None`` on a
    #: model that was not fitted.
    training: Training | None = training_field()

    def __attrs_post_init__(self) -> None:
        check_model(self)

    def _group_weight(self, group: str) -> float:
        if self.groups is not None:
            return dict(self.groups)[group]
        return sum(m.weight for m in self.metrics if m.group == group)

    # -- structure ----------------------------------------------------------------------------

    @property
    def names(self) -> tuple[str, ...]:
        """Metric names, in order."""
        return tuple(m.name for m in self.metrics)

    @property
    def group_names(self) -> tuple[str, ...]:
        """Named groups, in the order of ``groups`` (or of first use by a metric)."""
        if self.groups is not None:
            return tuple(name for name, _ in self.groups)
        return tuple(dict.fromkeys(m.group for m in self.metrics if m.group is not None))

    def metric(self, name: str) -> Metric:
        """The metric called ``name``."""
        a_name(name, "a metric's name", ModelError)
        for metric in self.metrics:
            if metric.name == name:
                return metric
        suffix = did_you_mean_suffix(name, self.names)
        raise ModelError(f"no metric {name!r}{suffix}")

    @cached_property
    def _plan(self) -> Plan:
        groups = [(g, self._group_weight(g)) for g in self.group_names]
        return weighting_plan(
            self.metrics, groups, missing=self.missing, min_coverage=self.min_coverage
        )

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the model reads, in first-use order."""
        return tuple(dict.fromkeys(c for m in self.metrics for c in m.columns))

    def kinds(self) -> dict[str, Kind]:
        """The kind of every column the model reads."""
        kinds: dict[str, Kind] = {}
        for metric in self.metrics:
            kinds.update(metric.kinds())
        return kinds

    @property
    def population_dependent(self) -> bool:
        """Whether an account's score depends on who is scored with it (percentiles)."""
        return any(m.scheme.population_dependent for m in self.metrics)

    @cached_property
    def fingerprint(self) -> str:
        """A stable hash of :meth:`to_dict`, stamped on every result of this model."""
        return fingerprint(self.to_dict())

    def rule_schema(self) -> Mapping[str, Kind]:
        """The names a health result gives rules, with their kinds (before any scoring).

        Examples
        --------
        >>> import successkit as sk
        >>> model = sk.HealthModel([sk.Metric("nps", scheme=sk.Linear(-100, 100), group="roi")])
        >>> [(k, v.value) for k, v in model.rule_schema().items()]  # doctest: +NORMALIZE_WHITESPACE
        [('score', 'number'), ('band', 'category'), ('coverage', 'number'), ('roi', 'number'),
         ('nps', 'number')]
        """
        schema = {"score": Kind.NUMBER, "band": Kind.CATEGORY, "coverage": Kind.NUMBER}
        schema.update(dict.fromkeys(self.group_names, Kind.NUMBER))
        schema.update(dict.fromkeys(self.names, Kind.NUMBER))
        return schema

    def model_for(self, portfolio: Portfolio, row: int) -> HealthModel | None:
        """The model that scores ``row`` of ``portfolio`` (this model, for a plain model)."""
        return self

    # -- scoring ------------------------------------------------------------------------------

    def as_portfolio(self, data: Portfolio | Account) -> Portfolio:
        """``data`` as a portfolio; an account becomes a portfolio of one whose missing
        values (and values it does not have) are missing."""
        return portfolio_of(data, kinds=self.kinds())

    def metric_matrix(self, portfolio: Portfolio) -> tuple[tuple[str, ...], FloatArray]:
        """Metric names and the accounts × metrics score matrix (0–100, NaN where missing).

        This is what the model combines into scores; fitting weights starts from it. The
        matrix is Fortran-ordered (each metric's column is contiguous) and read-only.

        Examples
        --------
        >>> import successkit as sk
        >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 10)),
        ...                         sk.Metric("y", scheme=sk.Thresholds([1]))])
        >>> pf = sk.Portfolio.from_columns({"id": ["a", "b"], "x": [5, None], "y": [0, 2]})
        >>> names, matrix = model.metric_matrix(pf)
        >>> names, matrix.tolist()
        (('x', 'y'), [[50.0, 50.0], [nan, 100.0]])
        """
        if not isinstance(portfolio, Portfolio):
            raise not_a_portfolio(portfolio)
        matrix, _ = self._matrix(portfolio)
        matrix.flags.writeable = False
        return self.names, matrix

    def _matrix(self, portfolio: Portfolio) -> tuple[FloatArray, tuple[str, ...]]:
        return metric_scores(self.metrics, portfolio, missing=self.missing)

    def score(
        self, data: Portfolio | Account, *, previous: HealthResult | None = None
    ) -> HealthResult:
        """Score every account of a portfolio (or one account) in one vectorised pass.

        Parameters
        ----------
        data:
            A :class:`~successkit.Portfolio`, or an :class:`~successkit.Account` (scored as
            a portfolio of one, so both paths agree).
        previous:
            An earlier result, to apply the bands' hysteresis (accounts aligned by id).

        Returns
        -------
        HealthResult
        """
        portfolio = self.as_portfolio(data)
        matrix, notes = self._matrix(portfolio)
        combined = self._plan.combine(matrix)
        return health_result(self, portfolio, combined, matrix, notes, previous)

    def score_history(self, history: History) -> tuple[HealthResult, ...]:
        """Score every snapshot, oldest first, each with hysteresis against the one before.

        Examples
        --------
        >>> import successkit as sk
        >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 100))],
        ...                        bands=sk.Bands(hysteresis=5))
        >>> history = sk.History([
        ...     sk.Portfolio.from_columns({"id": ["a"], "x": [45]}, as_of="2026-01-01"),
        ...     sk.Portfolio.from_columns({"id": ["a"], "x": [38]}, as_of="2026-02-01"),
        ...     sk.Portfolio.from_columns({"id": ["a"], "x": [34]}, as_of="2026-03-01"),
        ... ])
        >>> [r.band.tolist() for r in model.score_history(history)]
        [['yellow'], ['yellow'], ['red']]
        """
        return score_history(self, history)

    # -- variants -----------------------------------------------------------------------------

    def with_weights(
        self,
        metrics: Mapping[str, float] | None = None,
        *,
        groups: Mapping[str, float] | None = None,
    ) -> HealthModel:
        """The same model with some metric and/or group weights replaced.

        Examples
        --------
        >>> import successkit as sk
        >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 1)),
        ...                         sk.Metric("y", scheme=sk.Linear(0, 1))])
        >>> [m.weight for m in model.with_weights({"y": 3}).metrics]
        [1.0, 3.0]
        """
        for what, given in (("metrics", metrics), ("groups", groups)):
            if given is not None and not isinstance(given, Mapping):
                raise ModelError(f"{what} must map names to weights, got {given!r}")
        return attrs.evolve(self, **reweighted(self, metrics or {}, groups))

    # -- outcomes (the numerical cores live below this module) -----------------------------------

    def fit(
        self,
        portfolio: Portfolio,
        churned: Any,
        *,
        l2: float = 1.0,
        by: str | None = None,
        min_segment: int = 200,
    ) -> HealthModel | SegmentedModel:
        """This model with non-negative weights learnt from churn outcomes; metrics, schemes,
        groups and bands stay (see :func:`successkit.outcomes.fit`).

        ``churned`` is aligned with ``portfolio.ids``, or matched by id when it carries ids
        (a mapping, a Series indexed by id, one snapshot's labels ``labels.on(date)``);
        ``None`` / NaN outcomes are unknown and left out of the fit.

        Examples
        --------
        >>> import successkit as sk
        >>> model = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Linear(0, 1)),
        ...                         sk.Metric("seats", scheme=sk.Linear(0, 100))])
        >>> pf = sk.Portfolio.from_columns({
        ...     "id": list("abcdefgh"),
        ...     "login_rate": [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9],
        ...     "seats": [80, 90, 50, 70, 20, 30, 10, 40],
        ... })
        >>> churned = [True, True, False, True, False, False, False, False]
        >>> [m.weight for m in model.fit(pf, churned).metrics]
        [100.0, 0.0]
        """
        fitted: HealthModel | SegmentedModel = fit_model(
            self, portfolio, churned, l2=l2, by=by, min_segment=min_segment
        )
        return fitted

    def card(self, portfolio: Portfolio | None = None, churned: Any = None) -> Card:
        """The model as a points card: each measure's bands, cut points and points, with
        the share of ``portfolio``'s accounts and (given ``churned``) their churn rate per
        band (see :func:`successkit.scoring.card.build_card`).

        Examples
        --------
        >>> import successkit as sk
        >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Thresholds([1], points=[0, 5]))])
        >>> print(model.card())
        health card: 5 points
        measure  band  points
        x        < 1        0
                 ≥ 1        5
                 missing    —
        """
        return build_card(self, portfolio, churned)

    def calibrate(
        self, portfolio: Portfolio, churned: Any, *, method: str = "isotonic", bins: int = 10
    ) -> CalibratedModel:
        """Map this model's score to a churn probability learnt from outcomes (see
        :func:`successkit.outcomes.calibrate`); outcomes keyed by id are matched by id, and
        unknown ones are left out and counted in ``unknown``.

        Examples
        --------
        >>> import successkit as sk
        >>> model = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Linear(0, 1))])
        >>> pf = sk.Portfolio.from_columns({
        ...     "id": list("abcdefgh"), "login_rate": [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9]})
        >>> churned = [True, True, False, True, False, False, False, False]
        >>> model.calibrate(pf, churned).predict(pf).tolist()
        [1.0, 1.0, 0.5, 0.5, 0.0, 0.0, 0.0, 0.0]
        """
        return calibrate(self, portfolio, churned, method=method, bins=bins)

    # -- serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: ``{"type": "health", "version": 1, "metrics": [...], ...}``."""
        return model_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HealthModel:
        """Rebuild a model from :meth:`to_dict` output (raises ModelError when malformed).

        Examples
        --------
        >>> import successkit as sk
        >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 1))], min_coverage=1)
        >>> sk.HealthModel.from_dict(model.to_dict()) == model
        True
        """
        return cls(**read_model_dict(data))

    @classmethod
    def dear(cls) -> HealthModel:
        """An example DEAR model (Gainsight's deployment, engagement, adoption, ROI) over the
        columns of :func:`successkit.datasets.make_portfolio`.

        A template to copy and adapt: it reads ``license_activation_rate``,
        ``first_login_rate``, ``login_rate`` (deployment); ``keyperson_touch``,
        ``seminar_attendance`` (engagement); ``weekly_active_rate``, ``feature_x_usage``
        (adoption); ``roi_achievement`` and ``nps`` (ROI). Deployment and adoption weigh 30
        each, engagement and ROI 20.

        Examples
        --------
        >>> import successkit as sk
        >>> sk.HealthModel.dear().group_names
        ('deployment', 'engagement', 'adoption', 'roi')
        """
        return cls(dear_metrics(), groups=DEAR_GROUPS)


register_model("health", HealthModel)

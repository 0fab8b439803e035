"""HealthResult: the scores of a portfolio, and the questions a CS team asks of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import (
    FloatArray,
    array_field,
    named_columns,
    nullable,
    readonly,
    readonly_arrays,
)
from successkit._html import HEAD_ROWS, background, head_table
from successkit._optional import import_optional
from successkit._options import column_name
from successkit._rows import as_rows, row_of
from successkit.data.column import Column, labelled_codes
from successkit.data.convert import convert_column
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError
from successkit.scoring.bands import BandedScores
from successkit.scoring.explain import Explanation, explain_row, headroom_row
from successkit.scoring.rollups import RollupResult, rollup
from successkit.scoring.summary import HealthSummary, band_summary

__all__ = ["HealthResult", "nullable"]



def _names(value: Any) -> tuple[str, ...]:
    return tuple(value)


def _matrix(value: Any) -> FloatArray:
    return readonly(np.asfortranarray(value, dtype=np.float64))


@readonly_arrays
@attrs.frozen(kw_only=True, repr=False)
class HealthResult(BandedScores):
    """Health scores of a portfolio, aligned with its account ids.

    Arrays (read-only numpy, one entry per account in :attr:`ids` order):

    ``score``
        0–100, NaN where the score is missing (coverage below the model's
        ``min_coverage``, or no model for the account's segment).
    ``band``
        Object array of band labels, ``None`` where the score is missing (``band_codes``
        holds the same as int8 indices into ``bands.labels``, ``-1`` for none).
    ``coverage``
        Share of the metrics' weight present (NaN when no model scored the account).
    ``points`` / ``max_points``
        The unweighted card: points earned over the points available from the present
        metrics (every metric with ``missing="zero"``). Sansan's card reads ``26 / 40``.
    ``group_scores`` / ``metric_scores``
        Read-only mappings name → float array (0–100, NaN where missing).

    ``fingerprint`` is the model's hash, so a score can be traced to its configuration;
    ``notes`` lists data problems that scored as missing (unknown categories).

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> model = sk.HealthModel([
    ...     sk.Metric("login_rate", scheme=sk.Thresholds([0.25, 0.5, 0.75]), group="deployment"),
    ...     sk.Metric("nps", scheme=sk.Linear(-100, 100), group="roi"),
    ... ])
    >>> pf = sk.Portfolio.from_columns({"id": ["a", "b"], "login_rate": [0.8, 0.1],
    ...                                 "nps": [20, None]})
    >>> result = model.score(pf)
    >>> result.score.tolist(), result.band.tolist()
    ([80.0, 25.0], ['green', 'red'])
    >>> result.group_scores["roi"].tolist()
    [60.0, nan]
    >>> print(result.explain("b"))
    b: score 25 (red), coverage 50%, card 1 / 4
      metric      value  score  share  contribution
      login_rate    0.1     25   100%            25
      nps             —      —     0%             0  missing
    """

    # ids, score, band_codes, bands and group_names: see BandedScores
    group_matrix: FloatArray = array_field(converter=_matrix)
    metric_names: tuple[str, ...] = attrs.field(converter=_names)
    metric_matrix: FloatArray = array_field(converter=_matrix)
    coverage: FloatArray = array_field()
    points: FloatArray = array_field()
    max_points: FloatArray = array_field()
    fingerprint: str
    as_of: dt.date | None = None
    notes: tuple[str, ...] = attrs.field(default=(), converter=_names)
    model: Any = attrs.field(default=None, eq=False)
    portfolio: Portfolio | None = attrs.field(default=None, eq=False)

    def __attrs_post_init__(self) -> None:
        n = self.ids.shape[0]
        for name in ("score", "band_codes", "coverage", "points", "max_points"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"{name} must have one entry per account")
        if self.group_matrix.shape != (n, len(self.group_names)):
            raise ValueError("group_matrix must be accounts × groups")
        if self.metric_matrix.shape != (n, len(self.metric_names)):
            raise ValueError("metric_matrix must be accounts × metrics")

    # -- arrays -------------------------------------------------------------------------------

    @cached_property
    def metric_scores(self) -> Mapping[str, FloatArray]:
        """Metric name → metric scores (0–100, NaN where missing, stale or unknown)."""
        return named_columns(self.metric_matrix, self.metric_names)

    def index(self, account_id: str) -> int:
        """The row of ``account_id`` (a DataError, with did-you-mean, when unknown)."""
        return row_of(self.ids, account_id)

    def take(self, rows: npt.ArrayLike) -> HealthResult:
        """The result for the accounts at ``rows`` (positions or a boolean mask)."""
        index = as_rows(rows, len(self))
        return attrs.evolve(
            self,
            ids=self.ids[index],
            score=self.score[index],
            band_codes=self.band_codes[index],
            group_matrix=self.group_matrix[index],
            metric_matrix=self.metric_matrix[index],
            coverage=self.coverage[index],
            points=self.points[index],
            max_points=self.max_points[index],
            portfolio=None if self.portfolio is None else self.portfolio.take(index),
        )

    # -- questions about one account ----------------------------------------------------------

    def _kept(self, account_id: str) -> tuple[int, Any, Portfolio]:
        """The account's row, with the model and portfolio this result was scored from."""
        row = self.index(account_id)
        if self.portfolio is None or self.model is None:
            raise DataError(
                "this result does not keep its model and portfolio", account=str(account_id)
            )
        return row, self.model, self.portfolio

    def _scored(self, account_id: str) -> tuple[int, Any, Portfolio]:
        """Like :meth:`_kept`, with the (segment's) health model that scored the account."""
        row, model, portfolio = self._kept(account_id)
        model = model.model_for(portfolio, row)
        if model is None:
            raise DataError("no model scores this account's segment", account=str(account_id))
        return row, model, portfolio

    def explain(self, account_id: str) -> Explanation:
        """Why an account scores what it does: per metric the raw value, metric score,
        share of the score and contribution (contributions add up to the score), largest
        contribution first; missing metrics last with the reason.

        Examples
        --------
        >>> import successkit as sk
        >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 1), weight=3),
        ...                         sk.Metric("y", scheme=sk.Linear(0, 1))])
        >>> pf = sk.Portfolio.from_columns({"id": ["a"], "x": [0.5], "y": [1.0]})
        >>> [(m.metric, m.contribution) for m in model.score(pf).explain("a").metrics]
        [('x', 37.5), ('y', 25.0)]
        """
        row, model, portfolio = self._scored(account_id)
        columns = [self.metric_names.index(n) for n in model.names]
        return explain_row(
            model,
            portfolio.take([row]),
            self.metric_matrix[row, columns],
            score=float(self.score[row]),
            band=self.band[row],
            coverage=float(self.coverage[row]),
            points=(float(self.points[row]), float(self.max_points[row])),
        )

    def headroom(self, account_id: str) -> dict[str, float]:
        """Score points each metric could still add: the account's score with that metric
        at its best (others unchanged) minus its score now, largest first.

        A missing metric's headroom counts its weight coming back; headroom is NaN where
        the score is (and stays) missing.

        Examples
        --------
        >>> import successkit as sk
        >>> linear = sk.Linear(0, 1)
        >>> model = sk.HealthModel([sk.Metric("x", scheme=linear, weight=3),
        ...                         sk.Metric("y", scheme=linear)])
        >>> result = model.score(sk.Portfolio.from_columns({"id": ["a"], "x": [0.5],
        ...                                                  "y": [None]}))
        >>> result.score.tolist(), result.headroom("a")  # y is missing: x carries the score
        ([50.0], {'x': 50.0, 'y': 12.5})
        """
        row, model, _ = self._scored(account_id)
        columns = [self.metric_names.index(n) for n in model.names]
        return headroom_row(model, self.metric_matrix[row, columns], float(self.score[row]))

    def what_if(self, account_id: str, **values: Any) -> HealthResult:
        """Re-score one account with some raw values changed (columns by name; pass names
        that are not identifiers as ``**{"D-3 Login Rate": 0.7}``). Returns a result for
        that account alone; nothing else changes.

        Models with percentile metrics re-score the whole portfolio, so the account is
        ranked against the same population.

        Examples
        --------
        >>> import successkit as sk
        >>> model = sk.HealthModel([sk.Metric(name, scheme=sk.Linear(0, 1)) for name in "xy"])
        >>> result = model.score(sk.Portfolio.from_columns(
        ...     {"id": ["a", "b"], "x": [0.5, 0.9], "y": [0.1, 0.9]}))
        >>> changed = result.what_if("a", y=0.9)
        >>> result.score.tolist(), changed.ids.tolist(), changed.score.tolist()
        ([30.0, 90.0], ['a'], [70.0])
        """
        row, model, portfolio = self._kept(account_id)
        readable = model.columns
        for name in values:
            if name not in readable:
                raise DataError(
                    f"what_if changes a column the model does not read; it reads "
                    f"{list(readable)}",
                    column=name,
                    account=str(account_id),
                )
        kinds = model.kinds()
        if model.population_dependent:
            changed = {
                name: _splice(portfolio, name, row, value, kinds.get(name))
                for name, value in values.items()
            }
            whole: HealthResult = model.score(portfolio.with_columns(changed))
            return whole.take([row])
        one = portfolio.take([row])
        changed = {name: _splice(one, name, 0, value, kinds.get(name)) for name, value in
                   values.items()}
        rescored: HealthResult = model.score(one.with_columns(changed))
        return rescored

    # -- roll-up and rules --------------------------------------------------------------------

    def rollup(
        self,
        by: str = "parent_id",
        *,
        weight: str | None = None,
        portfolio: Portfolio | None = None,
    ) -> RollupResult:
        """Parent health from child accounts: see :func:`successkit.rollup`."""
        return rollup(self, by=by, weight=weight, portfolio=portfolio)

    def rule_columns(self) -> Mapping[str, Column]:
        """The values rules read as ``health.*``: ``score``, ``band`` (category),
        ``coverage``, each group and each metric (numbers, 0–100, NaN where missing).

        Examples
        --------
        >>> import successkit as sk
        >>> model = sk.HealthModel([sk.Metric("nps", scheme=sk.Linear(0, 10), group="roi")])
        >>> pf = sk.Portfolio.from_columns({"id": ["a", "b"], "nps": [9, None]})
        >>> cols = model.score(pf).rule_columns()
        >>> list(cols), cols["band"].to_list()
        (['score', 'band', 'coverage', 'roi', 'nps'], ['green', None])
        """
        columns: dict[str, Column] = {
            "score": Column.number(self.score),
            "band": labelled_codes(self.band_codes, self.bands.labels),
            "coverage": Column.number(self.coverage),
        }
        for name, values in self.group_scores.items():
            columns[name] = Column.number(values)
        for name, values in self.metric_scores.items():
            columns[name] = Column.number(values)
        return MappingProxyType(columns)

    # -- output -------------------------------------------------------------------------------

    def summary(self, *, arr: str | None = "arr") -> HealthSummary:
        """Accounts (and ARR, when the portfolio has an ``arr`` column) per band.

        Examples
        --------
        >>> import successkit as sk
        >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 1))])
        >>> pf = sk.Portfolio.from_columns({"id": ["a", "b", "c"], "x": [0.1, 0.9, 0.95],
        ...                                 "arr": [100, 250, 50]})
        >>> print(model.score(pf).summary())
        band    accounts  share  arr  arr share
        red            1    33%  100        25%
        yellow         0     0%    0         0%
        green          2    67%  300        75%
        """
        if arr is not None:
            column_name(arr, "arr")
        arr_values = None
        if arr is not None and self.portfolio is not None and arr in self.portfolio.columns:
            arr_values = self.portfolio.column(arr, "number").values
        return band_summary(self.bands, self.band_codes, self.score, arr_values)

    def plot(self, ax: Any = None, *, bins: int = 20, **kwargs: Any) -> Any:
        """Histogram of the scores, stacked by band in the bands' colours, with the band
        edges dashed (needs ``successkit[plot]``); ``kwargs`` go to ``Axes.hist``.
        Returns the matplotlib ``Axes``.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import successkit as sk
        >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 1))])
        >>> pf = sk.Portfolio.from_columns({"id": ["a", "b", "c"], "x": [0.1, 0.9, 0.95]})
        >>> ax = model.score(pf).plot(bins=10)
        >>> [t.get_text() for t in ax.get_legend().get_texts()]
        ['red (1)', 'yellow (0)', 'green (2)']
        """
        from successkit.scoring._plots import plot_health

        return plot_health(self, ax, bins=bins, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: ids, score, band, coverage, points, groups, metrics (``None``
        for missing), with the model fingerprint and the date."""
        return {
            "fingerprint": self.fingerprint,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "ids": self.ids.tolist(),
            "score": nullable(self.score),
            "band": self.band.tolist(),
            "coverage": nullable(self.coverage),
            "points": nullable(self.points),
            "max_points": nullable(self.max_points),
            "groups": {name: nullable(v) for name, v in self.group_scores.items()},
            "metrics": {name: nullable(v) for name, v in self.metric_scores.items()},
            "notes": list(self.notes),
        }

    def _table(self) -> dict[str, Any]:
        fixed = {
            "score": self.score,
            "band": self.band,
            "coverage": self.coverage,
            "points": self.points,
            "max_points": self.max_points,
        }
        table: dict[str, Any] = dict(fixed)
        for prefix, scores in (("group", self.group_scores), ("metric", self.metric_scores)):
            for name, values in scores.items():
                table[f"{prefix}:{name}" if name in table else name] = values
        return table

    def to_frame(self) -> Any:
        """A pandas ``DataFrame`` indexed by account id (needs ``successkit[pandas]``):
        score, band (ordered categorical), coverage, points, max_points, then one column per
        group and per metric."""
        pd = import_optional("pandas", purpose="HealthResult.to_frame()")
        table = self._table()
        table["band"] = pd.Categorical.from_codes(
            np.array(self.band_codes), categories=list(self.bands.labels), ordered=True
        )
        data = {k: v if k == "band" else np.array(v) for k, v in table.items()}
        return pd.DataFrame(data, index=pd.Index(self.ids.tolist(), name="id", dtype=object))

    def __repr__(self) -> str:
        as_of = "" if self.as_of is None else f", as_of={self.as_of.isoformat()}"
        scored = self.score[~np.isnan(self.score)]
        mean = f", mean score {scored.mean():.1f}" if scored.size else ""
        return (
            f"HealthResult({len(self)} accounts{as_of}{mean}, fingerprint={self.fingerprint})"
        )

    def _repr_html_(self) -> str:
        styles = background(self.bands.colour(label) for label in self.band[:HEAD_ROWS])
        return head_table(self.ids, self._table(), caption=repr(self), row_styles=styles)


def _splice(portfolio: Portfolio, name: str, row: int, value: Any, kind: Any) -> Column:
    """Column ``name`` of ``portfolio`` with ``value`` at ``row`` (read as ``kind``; a
    column the model only tests for missing values keeps its own kind)."""
    if kind is None:
        kind = portfolio.column(name).kind if name in portfolio.columns else \
            convert_column([value], name=name).kind
    if name in portfolio.columns:
        column = portfolio.column(name, kind)
    else:
        column = Column.empty(kind, len(portfolio))
    new = convert_column([value], name=name, kind=kind)
    if column.kind.value == "category":
        labels = column.labels().copy()
        labels[row] = new.labels()[0]
        return Column.from_labels(labels)
    values = column.values.copy()
    missing = column.missing.copy()
    values[row] = new.values[0]
    missing[row] = new.missing[0]
    return Column(column.kind, values, missing)

"""A card that travels: the health score as SQL, and per-account reason codes.

:func:`card_sql` writes one ``CASE`` expression per metric (its points) and the score, so an
application can score accounts inside its own database with the same points as
:meth:`HealthModel.score <successkit.HealthModel.score>`. :func:`reason_codes` names, for each
account, the measures that cost it the most points against their best band.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import FloatArray, array_field, readonly_arrays
from successkit._options import one_id
from successkit.data.portfolio import Portfolio, not_a_portfolio
from successkit.errors import DataError, ModelError
from successkit.scoring.card import companion_of, indicator_points
from successkit.scoring.health import HealthModel
from successkit.scoring.schemes import Categories, Linear, Thresholds
from successkit.scoring.segmented import SegmentedModel

__all__ = ["ReasonCodes", "card_sql", "reason_codes"]



def _name(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _qualified(table: Any) -> str:
    """``table`` as SQL: each dot-separated part (schema, table) a quoted identifier."""
    parts = table.split(".") if isinstance(table, str) else []
    if not parts or not all(parts):
        raise ModelError(f"table must be a table name, its schema before a dot if any, "
                         f"got {table!r}")
    return ".".join(_name(part) for part in parts)


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _number(value: float) -> str:
    return repr(float(value))


def _points_sql(metric: Any) -> str:
    """The SQL of one metric's points (0 where its value is missing: ``missing="zero"``)."""
    scheme = metric.scheme
    owner = companion_of(metric)
    if metric.column is None:
        if owner is None or not isinstance(scheme, Thresholds):
            raise ModelError(f"metric {metric.name!r} reads an expression; card_sql exports "
                             "metrics that read a column")
        # 1 when the owner is missing: the band at or above the cut 0.5 (or below it).
        present_points = indicator_points(scheme, 0.0)
        return (f"CASE WHEN {_name(owner)} IS NULL THEN {_number(indicator_points(scheme, 1.0))}"
                f" ELSE {_number(present_points)} END")
    column = _name(metric.column)
    if isinstance(scheme, Thresholds):
        value_points = scheme.points_by_value
        parts = [f"WHEN {column} IS NULL THEN 0.0"]
        # Special values first: they earn their own points whatever band they fall in.
        parts += [f"WHEN {column} = {_number(value)} THEN {_number(points)}"
                  for value, points in scheme.special]
        for cut, points in zip(scheme.cuts, value_points, strict=False):
            parts.append(f"WHEN {column} < {_number(cut)} THEN {_number(points)}")
        parts.append(f"ELSE {_number(value_points[-1])}")
        return "CASE " + " ".join(parts) + " END"
    if isinstance(scheme, Categories):
        parts = [f"WHEN {_text(label)} THEN {_number(points)}" for label, points in scheme.mapping]
        if scheme.other is None:
            return f"CASE {column} " + " ".join(parts) + " ELSE 0.0 END"
        # NULL stays the missing band (0 points); any other unlisted value is "other".
        return (f"CASE WHEN {column} IS NULL THEN 0.0 ELSE CASE {column} " + " ".join(parts)
                + f" ELSE {_number(scheme.other)} END END")
    if isinstance(scheme, Linear):
        share = f"(({column} - {_number(scheme.low)}) / {_number(scheme.high - scheme.low)})"
        return (f"COALESCE(MIN(MAX({share}, 0.0), 1.0) * {_number(scheme.max_points)}, 0.0)")
    raise ModelError(f"metric {metric.name!r} has a {type(scheme).__name__} scheme, which "
                     "depends on the whole population; card_sql exports thresholds, "
                     "categories and linear schemes")


def _present_sql(metric: Any) -> str:
    """SQL that is 1 where the metric has a value it can score, else 0."""
    if metric.column is None:
        return "1"
    column = _name(metric.column)
    if isinstance(metric.scheme, Categories) and metric.scheme.other is None:
        labels = ", ".join(_text(label) for label, _ in metric.scheme.mapping)
        return f"(CASE WHEN {column} IN ({labels}) THEN 1 ELSE 0 END)"
    return f"(CASE WHEN {column} IS NULL THEN 0 ELSE 1 END)"


def _card_sql(model: Any, where: str) -> dict[str, str]:
    """The SQL of one card's columns: each metric's points (as ``<metric>_points``), the
    total ``points`` and the ``score``."""
    if not isinstance(model, HealthModel):
        raise ModelError(f"card_sql exports a HealthModel or a SegmentedModel of them, got "
                         f"{type(model).__name__}{where}")
    if model.missing != "zero":
        raise ModelError(f"card_sql needs a card that scores missing values as 0 "
                         f"(missing='zero'); {where.removeprefix(' for ') or 'this model'} "
                         f"has missing={model.missing!r}")
    effective = model._plan.effective()
    points = [_points_sql(metric) for metric in model.metrics]
    score = " + ".join(
        f"({sql}) * {_number(100.0 * share / metric.scheme.max_points)}"
        for sql, metric, share in zip(points, model.metrics, effective, strict=True))
    if model.min_coverage > 0:
        # Below min_coverage (the share of weight with a value) the score is missing.
        coverage = " + ".join(f"{_present_sql(m)} * {_number(share)}"
                              for m, share in zip(model.metrics, effective, strict=True))
        score = (f"CASE WHEN {coverage} >= {_number(model.min_coverage - 1e-12)} "
                 f"THEN {score} ELSE NULL END")
    columns = {f"{m.name}_points": sql for m, sql in zip(model.metrics, points, strict=True)}
    return {**columns, "points": " + ".join(f"({sql})" for sql in points), "score": score}


def _by_segment(column: str, exprs: list[tuple[str, str | None]],
                default: str | None) -> str:
    """One ``CASE`` choosing each segment's expression (``None``: NULL) by the segment
    column; any other value, ``NULL`` included, takes the default's."""
    parts = [f"WHEN {column} = {_text(label)} THEN {sql or 'NULL'}" for label, sql in exprs]
    return "CASE " + " ".join(parts) + f" ELSE {default or 'NULL'} END"


def card_sql(model: HealthModel | SegmentedModel, *, table: str = "accounts",
             id_column: str = "id") -> str:
    """A ``SELECT`` giving each account's points per metric, total points and score.

    The model must score missing values as 0 (``missing="zero"``, as fitted cards do) so
    the score is a fixed weighted sum of the metrics' points. A category scheme with
    ``other=`` gives any value it does not list those points (the ``ELSE`` branch), while
    ``NULL`` stays missing (0 points). Names are quoted as SQL identifiers; dots in
    ``table`` separate its schema (``"analytics.accounts"`` reads ``"analytics"."accounts"``).
    A yes/no metric is compared as a number (0 or 1), as SQLite stores it; PostgreSQL will
    not compare a ``boolean`` column with a number, so read it as an integer in a view.

    A :class:`~successkit.SegmentedModel` (per-segment cards, ``fit_card(by=...)``) is one
    ``SELECT`` too: each column is a ``CASE`` on the segment column choosing the points of
    the account's segment card, and of the default card for any other segment value or
    ``NULL``. A metric an account's card does not have is ``NULL``, as the score's metric
    matrix has NaN; an account of no card (no default) has a ``NULL`` score.

    Examples
    --------
    >>> import sqlite3
    >>> import successkit as sk
    >>> from successkit.outcomes import card_sql
    >>> model = sk.HealthModel([
    ...     sk.Metric("login_rate", scheme=sk.Thresholds([0.3, 0.6], points=[0, 20, 35]),
    ...               weight=35),
    ...     sk.Metric("plan", scheme=sk.Categories({"basic": 0, "pro": 15}), weight=15),
    ... ], missing="zero", min_coverage=0)
    >>> db = sqlite3.connect(":memory:")
    >>> _ = db.execute("CREATE TABLE accounts (id TEXT, login_rate REAL, plan TEXT)")
    >>> _ = db.executemany("INSERT INTO accounts VALUES (?, ?, ?)",
    ...                    [("a", 0.5, "pro"), ("b", None, "basic")])
    >>> [(i, s) for i, *_, s in db.execute(card_sql(model))]
    [('a', 70.0), ('b', 0.0)]

    Per segment, the plan's card for ``"pro"`` accounts and this one for the rest:

    >>> pro = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Thresholds([0.5],
    ...                                                                   points=[0, 10]))],
    ...                      missing="zero", min_coverage=0)
    >>> by_plan = sk.SegmentedModel("plan", {"pro": pro}, default=model)
    >>> [(i, s) for i, *_, s in db.execute(card_sql(by_plan))]
    [('a', 100.0), ('b', 0.0)]
    >>> by_plan.score(sk.Portfolio.from_columns({"id": ["a", "b"], "login_rate": [0.5, None],
    ...                                          "plan": ["pro", "basic"]})).score.tolist()
    [100.0, 0.0]
    """
    if not isinstance(model, HealthModel | SegmentedModel):
        raise ModelError(f"card_sql exports a HealthModel or a SegmentedModel, got "
                         f"{type(model).__name__}")
    source = _qualified(table)
    if not isinstance(id_column, str) or not id_column:
        raise ModelError(f"id_column must be a column name, got {id_column!r}")
    if isinstance(model, HealthModel):
        columns = _card_sql(model, "")
    else:
        segment = _name(model.by)
        cards = {label: _card_sql(card, f" for segment {label!r}")
                 for label, card in model.models}
        fallback = ({} if model.default is None
                    else _card_sql(model.default, " for the default card"))
        aliases = [*(f"{name}_points" for name in model.names), "points", "score"]
        columns = {alias: _by_segment(segment, [(label, card.get(alias))
                                                for label, card in cards.items()],
                                      fallback.get(alias))
                   for alias in aliases}
    return (
        "SELECT\n  " + _name(id_column) + ",\n"
        + ",\n".join(f"  {sql} AS {_name(alias)}" for alias, sql in columns.items())
        + "\nFROM " + source
    )


@readonly_arrays
@attrs.frozen(kw_only=True)
class ReasonCodes:
    """Per account, the ``top`` measures that cost it the most points against their best
    band (``None`` / 0 where fewer measures cost anything).

    .. versionadded:: 0.2

    Examples
    --------
    >>> import successkit as sk
    >>> card = sk.HealthModel([
    ...     sk.Metric("login_rate", scheme=sk.Thresholds([0.3, 0.6], [0, 20, 40])),
    ...     sk.Metric("plan", scheme=sk.Categories({"basic": 0, "pro": 10}))])
    >>> accounts = sk.Portfolio.from_columns({"id": ["a", "b"], "login_rate": [0.1, 0.5],
    ...                                       "plan": ["basic", "pro"]})
    >>> sk.reason_codes(card, accounts, top=2).of("a")  # points lost against the best band
    [('login_rate', 40.0), ('plan', 10.0)]
    """

    ids: npt.NDArray[np.str_] = array_field()
    metrics: npt.NDArray[np.object_] = array_field()  # accounts × top
    lost: FloatArray = array_field()  # accounts × top

    def of(self, account_id: str) -> list[tuple[str, float]]:
        """``(measure, points lost)`` of one account, costliest first."""
        rows = np.flatnonzero(self.ids == str(one_id(account_id)))
        if rows.size == 0:
            raise DataError(f"no account {account_id!r} in these reason codes")
        row = int(rows[0])
        return [(str(m), float(p)) for m, p in zip(self.metrics[row], self.lost[row],
                                                   strict=True) if m is not None]


def _lost(model: HealthModel, portfolio: Portfolio) -> tuple[list[str], FloatArray]:
    """The card's measures (a metric with its missing-value companion) and the points each
    account loses on each against its best band."""
    _, matrix = model.metric_matrix(portfolio)
    earned = np.nan_to_num(matrix) * (np.array([m.scheme.max_points for m in model.metrics])
                                      / 100.0)
    owners: dict[str, list[int]] = {}
    for j, metric in enumerate(model.metrics):
        owner = companion_of(metric)
        key = metric.name
        if owner is not None and metric.column is None:
            key = next((m.name for m in model.metrics if m.column == owner), metric.name)
        owners.setdefault(key, []).append(j)
    measures = list(owners)
    lost = np.empty((len(portfolio), len(measures)))
    for k, key in enumerate(measures):  # a loop over measures
        cols = owners[key]
        best = max(model.metrics[j].scheme.max_points for j in cols)
        lost[:, k] = best - earned[:, cols].sum(axis=1)
    np.maximum(lost, 0.0, out=lost)
    # A score read back to points carries rounding noise: a cost below 1e-9 points is none.
    np.round(lost, 9, out=lost)
    return measures, lost


def reason_codes(model: HealthModel | SegmentedModel, portfolio: Portfolio, *,
                 top: int = 3) -> ReasonCodes:
    """The measures that cost each account the most points against their best band.

    A missing value costs the measure's best points (it earns none); a category the
    scheme does not list costs its best points less its ``other`` points (all of them
    without ``other``); a measure's missing-value companion counts with the measure it
    belongs to. With a :class:`~successkit.SegmentedModel`, each account's codes come from
    the card that scores it (none for an account of no card).

    Examples
    --------
    >>> import successkit as sk
    >>> from successkit.outcomes import reason_codes
    >>> model = sk.HealthModel([
    ...     sk.Metric("login_rate", scheme=sk.Thresholds([0.3, 0.6], points=[0, 20, 35]),
    ...               weight=35),
    ...     sk.Metric("plan", scheme=sk.Categories({"basic": 0, "pro": 15}), weight=15),
    ... ], missing="zero")
    >>> pf = sk.Portfolio.from_columns({"id": ["a", "b"], "login_rate": [0.2, 0.9],
    ...                                 "plan": ["basic", "pro"]})
    >>> codes = reason_codes(model, pf, top=2)
    >>> codes.of("a"), codes.of("b")
    ([('login_rate', 35.0), ('plan', 15.0)], [])
    """
    if not isinstance(model, HealthModel | SegmentedModel):
        raise ModelError(f"reason_codes reads a HealthModel or a SegmentedModel, got "
                         f"{type(model).__name__}")
    if not isinstance(portfolio, Portfolio):
        raise not_a_portfolio(portfolio)
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ModelError(f"top must be a positive integer, got {top!r}")
    parts = ([(model, np.arange(len(portfolio)))] if isinstance(model, HealthModel)
             else [(card, rows) for _, card, rows in model.parts(portfolio)])
    measured = [(rows, *_lost(card, portfolio.take(rows))) for card, rows in parts]
    width = min(top, max(len(measures) for _, measures, _ in measured))
    labels = np.full((len(portfolio), width), None, dtype=object)
    chosen = np.zeros((len(portfolio), width))
    for rows, measures, lost in measured:  # a loop over cards
        own = min(width, len(measures))
        # Costliest first; ties in the order of the card's measures.
        order = np.argsort(-lost, axis=1, kind="stable")[:, :own]
        chosen[rows, :own] = np.take_along_axis(lost, order, axis=1)
        labels[rows, :own] = np.array(measures, dtype=object)[order]
    labels[chosen <= 0] = None
    chosen[chosen <= 0] = 0.0
    return ReasonCodes(ids=portfolio.ids, metrics=labels, lost=chosen)

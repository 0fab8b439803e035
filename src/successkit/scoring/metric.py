"""Metric: one measure of a health score — where its value comes from and how it scores."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cached_property
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import FloatArray
from successkit._keys import at, read_dict
from successkit.data.column import Column
from successkit.data.dates import model_duration
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError, ModelError, RuleError
from successkit.scoring._serial import VERSION, check_version, field, number, text
from successkit.scoring.schemes import Scheme, scheme_from_dict

__all__ = ["Metric"]

_KEYS = ("type", "version", "name", "source", "scheme", "weight", "group", "label", "max_age",
         "observed_at")


# A source that is a single name (the playbook language's identifiers) reads that column.
_IDENTIFIER = re.compile(r"[^\W\d]\w*")


def plain_column(source: str) -> str | None:
    """The column a source reads directly: a bare name, or any name in backticks.

    Anything else is an arithmetic expression over columns.
    """
    if _IDENTIFIER.fullmatch(source):
        return source
    if len(source) > 2 and source[0] == source[-1] == "`" and "`" not in source[1:-1]:
        return source[1:-1]
    return None


# -- the expression integration point -------------------------------------------------------
#
# Metric sources that are expressions ("activated_users / seats") use the playbook
# language's expression grammar, so a metric and a rule read the same text the same way.
# This is the only place that touches it.


def _expression_api() -> Any:
    try:
        from successkit import dsl
    except ImportError:  # pragma: no cover - dsl is part of the package
        return None
    if not all(hasattr(dsl, n) for n in ("parse_expression", "expression_names",
                                         "evaluate_expression")):
        return None
    return dsl


def parse_source(source: str, *, where: str) -> tuple[Any, tuple[str, ...]]:
    """Parse an expression source: ``(expression, column names it reads)``.

    Raises :class:`~successkit.ModelError` for text that does not parse, or when the
    expression language is not available yet.
    """
    dsl = _expression_api()
    if dsl is None:
        raise ModelError(
            f"source {source!r} is an expression, and expressions need "
            "successkit.dsl.parse_expression(), which is not available; use a column name",
            where=where,
        )
    try:
        expr = dsl.parse_expression(source)
    except RuleError as exc:
        raise ModelError(
            f"source is not a valid expression (quote a column name with odd characters "
            f"in backticks, e.g. `D-3 Login Rate`):\n{exc}",
            where=where,
        ) from exc
    return expr, tuple(dsl.expression_names(expr))


def evaluate_source(expr: Any, portfolio: Portfolio) -> FloatArray:
    """The values of a parsed expression over ``portfolio`` (NaN where missing or /0)."""
    dsl = _expression_api()
    assert dsl is not None  # parse_source succeeded before
    values = np.asarray(dsl.evaluate_expression(expr, portfolio), dtype=np.float64)
    return values


def presence_only(expr: Any) -> frozenset[str]:
    """The columns a parsed expression reads only to ask whether they are missing (``x is
    missing``): their values are never used, so they may be of any kind.

    Examples
    --------
    >>> expr, _ = parse_source("(plan is missing) + (x is not missing) * x", where="m")
    >>> sorted(presence_only(expr))
    ['plan']
    """
    from successkit.dsl import ast

    uses: dict[str, int] = {}
    tests: dict[str, int] = {}
    for node in ast.walk(expr):  # a loop over the expression's nodes
        if isinstance(node, ast.Name):
            uses[node.name] = uses.get(node.name, 0) + 1
        elif isinstance(node, ast.IsMissing) and isinstance(node.operand, ast.Name):
            tests[node.operand.name] = tests.get(node.operand.name, 0) + 1
    return frozenset(name for name, count in tests.items() if uses.get(name) == count)


# -- Metric ---------------------------------------------------------------------------------


def _check_scheme(value: Any, where: str) -> None:
    if not isinstance(value, Scheme):
        raise ModelError(
            "scheme must be a Thresholds, Linear, Categories or Percentile, "
            f"got {type(value).__name__}",
            where=where,
        )


@attrs.frozen
class Metric:
    """One measure of a health score: a value per account, scored by a scheme.

    .. versionadded:: 0.1

    Parameters
    ----------
    name:
        The metric's name, unique within a model; rules read its score as
        ``health.<name>``.
    source:
        Where the value comes from: a column name (default: the column named ``name``; a
        name with spaces or dashes goes in backticks, ``"`D-3 Login Rate`"``) or an
        arithmetic expression over
        number columns in the playbook language's syntax (``"activated_users / seats"``;
        division by zero gives a missing value).
    scheme:
        How a value becomes points: :class:`Thresholds`, :class:`Linear`,
        :class:`Categories` or :class:`Percentile`.
    weight:
        The metric's weight within its group (non-negative).
    group:
        The group the metric belongs to (e.g. a DEAR group), or ``None`` for a top-level
        metric.
    label:
        A display label (default: ``name``).
    max_age:
        Staleness limit (``"30d"``, ``"3mo"``, days): a value observed longer ago than this,
        according to the date column ``observed_at``, counts as missing, as does a value
        whose observation date is missing.
    observed_at:
        The date column saying when the value was observed; default ``<name>_at``. Only
        with ``max_age``.

    Examples
    --------
    >>> import successkit as sk
    >>> login = sk.Metric("login_rate", scheme=sk.Thresholds([0.25, 0.5, 0.75]),
    ...                   group="deployment")
    >>> login.source, login.columns
    ('login_rate', ('login_rate',))
    >>> pf = sk.Portfolio.from_columns({"id": ["a", "b"], "login_rate": [0.63, None]})
    >>> login.scores(pf).tolist()
    [75.0, nan]
    >>> sk.Metric("D-3", source="`D-3 Login Rate`", scheme=sk.Linear(0, 1)).columns
    ('D-3 Login Rate',)
    """

    name: str
    source: str = attrs.field(default=None, kw_only=True)
    scheme: Scheme = attrs.field(kw_only=True)
    weight: float = attrs.field(default=1.0, kw_only=True)
    group: str | None = attrs.field(default=None, kw_only=True)
    label: str | None = attrs.field(default=None, kw_only=True)
    max_age: int | None = attrs.field(default=None, kw_only=True)
    observed_at: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        # Validation lives here rather than in converters so every error names the metric.
        text(self.name, what="a metric name")
        where = self.where
        set_ = object.__setattr__
        _check_scheme(self.scheme, where)
        weight = number(self.weight, what="weight", where=where)
        if weight < 0:
            raise ModelError(f"weight must not be negative, got {weight:g}", where=where)
        set_(self, "weight", weight)
        for key in ("group", "label", "observed_at"):
            value = getattr(self, key)
            if value is not None:
                text(value, what=key, where=where)
        if self.source is None:
            # The metric reads the column of its own name, whatever characters it has.
            plain = _IDENTIFIER.fullmatch(self.name) or "`" in self.name
            set_(self, "source", self.name if plain else f"`{self.name}`")
        elif not isinstance(self.source, str) or not self.source.strip():
            raise ModelError(f"source must be non-empty text, got {self.source!r}", where=where)
        if self.max_age is not None:
            set_(self, "max_age", model_duration(self.max_age, what="max_age", where=where))
        if self.max_age is None and self.observed_at is not None:
            raise ModelError("observed_at needs max_age (it dates the value for staleness)",
                             where=where)
        if self.max_age is not None and self.observed_at is None:
            set_(self, "observed_at", f"{self.name}_at")
        if self.column is None:
            if self.scheme.kind is not Kind.NUMBER:
                raise ModelError(
                    f"a {type(self.scheme).__name__} scheme reads a column, not an expression",
                    where=where,
                )
            _ = self._expression  # syntax errors surface at construction

    # -- where the value comes from -----------------------------------------------------------

    @property
    def where(self) -> str:
        """How error messages name this metric."""
        return f"metric {self.name!r}"

    @property
    def display(self) -> str:
        """The label to show (``label`` or ``name``)."""
        return self.label or self.name

    @cached_property
    def column(self) -> str | None:
        """The column the source reads directly, or ``None`` for an expression."""
        return plain_column(self.source)

    @cached_property
    def _expression(self) -> tuple[Any, tuple[str, ...]]:
        return parse_source(self.source, where=self.where)

    @cached_property
    def _presence_only(self) -> frozenset[str]:
        """Columns the source reads only through ``is missing``: any kind will do."""
        if self.column is not None:
            return frozenset()
        return presence_only(self._expression[0])

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns this metric reads (value columns, then the observation date)."""
        names = (self.column,) if self.column is not None else self._expression[1]
        return (*names, self.observed_at) if self.observed_at is not None else names

    def kinds(self) -> dict[str, Kind]:
        """The kind of each column this metric reads (a column read only through ``is
        missing`` may be of any kind, and is left out)."""
        values = self.columns[: len(self.columns) - (self.max_age is not None)]
        kinds = dict.fromkeys((c for c in values if c not in self._presence_only),
                              self.scheme.kind)
        if self.observed_at is not None:
            kinds[self.observed_at] = Kind.DATE
        return kinds

    def values(self, portfolio: Portfolio) -> Column:
        """The raw values, read as the kind the scheme needs (expressions give numbers)."""
        if self.column is not None:
            return portfolio.column(self.column, self.scheme.kind)
        expr, names = self._expression
        for name in names:  # unknown or non-numeric columns, by name
            portfolio.column(name, None if name in self._presence_only else Kind.NUMBER)
        return Column.number(evaluate_source(expr, portfolio))

    def stale(self, portfolio: Portfolio) -> npt.NDArray[np.bool_] | None:
        """Where the value is too old (or undated) under ``max_age``; ``None`` without it."""
        if self.max_age is None or self.observed_at is None:
            return None
        observed = portfolio.column(self.observed_at, Kind.DATE)
        if portfolio.as_of is None:
            raise DataError(
                f"metric {self.name!r} has max_age, so the portfolio needs an as_of date",
                column=self.observed_at,
            )
        age = np.datetime64(portfolio.as_of, "D") - observed.values
        stale: npt.NDArray[np.bool_] = observed.missing | (
            age > np.timedelta64(self.max_age, "D")
        )
        return stale

    def scores(self, portfolio: Portfolio, *, out: FloatArray | None = None) -> FloatArray:
        """Metric scores 0–100 for every account, NaN where missing, unknown or stale."""
        result = self.scheme.scores(self.values(portfolio), out=out)
        stale = self.stale(portfolio)
        if stale is not None:
            np.copyto(result, np.nan, where=stale)
        return result

    # -- serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (the scheme nested under ``"scheme"``)."""
        return {
            "type": "metric",
            "version": VERSION,
            "name": self.name,
            "source": self.source,
            "scheme": self.scheme.to_dict(),
            "weight": self.weight,
            "group": self.group,
            "label": self.label,
            "max_age": self.max_age,
            "observed_at": self.observed_at,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Metric:
        """Rebuild a metric from :meth:`to_dict` output.

        Examples
        --------
        >>> import successkit as sk
        >>> m = sk.Metric("nps", scheme=sk.Linear(-100, 100), weight=2, max_age="90d")
        >>> sk.Metric.from_dict(m.to_dict()) == m
        True
        """
        data = read_dict(data, _KEYS, what="a metric")
        check_version(data, kind="metric")
        name = field(data, "name", where="metric")
        with at("scheme"):
            scheme = scheme_from_dict(field(data, "scheme", where=f"metric {name!r}"))
        return cls(
            name,
            source=data.get("source", name),
            scheme=scheme,
            weight=data.get("weight", 1.0),
            group=data.get("group"),
            label=data.get("label"),
            max_age=data.get("max_age"),
            observed_at=data.get("observed_at"),
        )

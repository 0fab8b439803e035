"""The card view of a health model: each measure's bands, cut points and points, with the
share of accounts and their churn rate in each band — a points table a CS lead reads by eye.

:meth:`HealthModel.card <successkit.HealthModel.card>` builds a :class:`Card`; printing it
gives text, a notebook shows it as HTML, and :meth:`Card.to_rows` gives the plain points
table (one row per band) to export.
"""

from __future__ import annotations

import re
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._html import html_table
from successkit.data.portfolio import Portfolio, not_a_portfolio
from successkit.errors import DataError
from successkit.scoring._outcome_inputs import read_outcome
from successkit.scoring.schemes import Categories, Thresholds

__all__ = ["Card", "CardRow", "build_card", "companion_of", "indicator_points"]

# A companion metric carries the points of another metric's missing values.
_COMPANION = re.compile(r"\(`(?P<column>[^`]+)` is missing\)")


# More category levels than this that earn exactly the "other" points show as one row.
FOLD_LEVELS = 5


def companion_of(metric: Any) -> str | None:
    """The column whose missing values ``metric`` gives points to, if it is such a
    companion (source ``(`column` is missing)``), else ``None``."""
    match = _COMPANION.fullmatch(metric.source)
    return match.group("column") if match else None


def indicator_points(scheme: Thresholds, value: float) -> float:
    """The points ``scheme`` gives ``value`` (its band by the cuts, in the scheme's
    direction)."""
    band = int(np.searchsorted(np.asarray(scheme.cuts), value, side="right"))
    return float(scheme.points_by_value[band])


def _cut(value: float) -> str:
    return f"{value:g}"


@attrs.frozen(kw_only=True)
class CardRow:
    """One band of one measure: its label, value range (``low ≤ value < high``; ``None``
    unbounded; ``low == high`` for a special value of a :class:`~successkit.Thresholds`
    scheme, which is that value alone), points, and — when the card was built with data —
    the share of accounts in it and their churn rate."""

    metric: str
    band: str
    low: float | None = None
    high: float | None = None
    points: float | None = None
    share: float | None = None
    churn_rate: float | None = None


def _value_bands(scheme: Thresholds) -> list[tuple[str, float | None, float | None, float]]:
    cuts = scheme.cuts
    points = scheme.points_by_value
    bands: list[tuple[str, float | None, float | None, float]] = []
    for b in range(len(cuts) + 1):
        low = cuts[b - 1] if b > 0 else None
        high = cuts[b] if b < len(cuts) else None
        if low is None:
            label = f"< {_cut(high)}" if high is not None else (
                "any other" if scheme.special else "any")
        elif high is None:
            label = f"≥ {_cut(low)}"
        else:
            label = f"{_cut(low)} – {_cut(high)}"
        bands.append((label, low, high, float(points[b])))
    # A special value's row: exactly that value (low = high), whatever band it falls in.
    bands += [(f"= {_cut(value)}", value, value, points) for value, points in scheme.special]
    return bands


@attrs.frozen(kw_only=True)
class Card:
    """A health model as a points card (see :func:`build_card`).

    .. versionadded:: 0.2

    Examples
    --------
    >>> import successkit as sk
    >>> model = sk.HealthModel([
    ...     sk.Metric("login_rate", scheme=sk.Thresholds([0.3, 0.6], [0, 20, 40])),
    ...     sk.Metric("plan", scheme=sk.Categories({"basic": 0, "pro": 10}))])
    >>> print(model.card())
    health card: 50 points
    measure     band       points
    login_rate  < 0.3           0
                0.3 – 0.6      20
                ≥ 0.6          40
                missing         —
    plan        basic           0
                pro            10
                missing         —
    """

    rows: tuple[CardRow, ...]
    total_points: float
    missing: str
    accounts: int | None = None
    #: What ``accounts`` counts: ``"accounts"``, or ``"account-snapshots"`` for a card
    #: learnt from every snapshot of a history.
    counted: str = "accounts"

    def to_rows(self) -> list[dict[str, Any]]:
        """The plain points table: one dict per band (metric, band, low, high, points,
        share, churn_rate)."""
        return [attrs.asdict(row) for row in self.rows]

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """The card as a points chart: one bar per band, as long as its points, grouped by
        measure; with data, shaded by churn rate and labelled with the share of accounts
        (needs ``successkit[plot]``). ``kwargs`` go to ``Axes.barh``; returns the ``Axes``.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import successkit as sk
        >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Thresholds([1], points=[0, 5]))])
        >>> ax = model.card().plot()
        >>> [t.get_text() for t in ax.get_yticklabels()]
        ['x', '< 1', '≥ 1', 'missing']
        """
        from successkit.scoring._plots import plot_card

        return plot_card(self, ax, **kwargs)

    def __str__(self) -> str:
        with_data = self.accounts is not None
        head = ["measure", "band", "points"] + (["accounts", "churn"] if with_data else [])
        lines = []
        previous = None
        for row in self.rows:
            cells = [row.metric if row.metric != previous else "", row.band,
                     "—" if row.points is None else f"{row.points:g}"]
            if with_data:
                cells.append("—" if row.share is None else f"{100 * row.share:.1f}%")
                cells.append("—" if row.churn_rate is None else f"{100 * row.churn_rate:.1f}%")
            lines.append(cells)
            previous = row.metric
        widths = [max(len(c[i]) for c in [head, *lines]) for i in range(len(head))]
        right = {2, 3, 4}

        def fmt(cells: list[str]) -> str:
            return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                             for i, (c, w) in enumerate(zip(cells, widths, strict=True))
                             ).rstrip()

        title = f"health card: {self.total_points:g} points"
        if with_data:
            title += f", {self.accounts} {self.counted}"
        return "\n".join([title, fmt(head), *(fmt(c) for c in lines)])

    def _repr_html_(self) -> str:
        columns: dict[str, list[Any]] = {
            "measure": [r.metric for r in self.rows],
            "band": [r.band for r in self.rows],
            "points": [r.points for r in self.rows],
        }
        if self.accounts is not None:
            columns["accounts"] = [None if r.share is None else f"{100 * r.share:.1f}%"
                                   for r in self.rows]
            columns["churn"] = [None if r.churn_rate is None else f"{100 * r.churn_rate:.1f}%"
                                for r in self.rows]
        return html_table(columns, caption=f"health card: {self.total_points:g} points")


def _stats(index: npt.NDArray[np.intp], size: int, churned: npt.NDArray[np.bool_] | None,
           n: int) -> tuple[list[float | None], list[float | None]]:
    counts = np.bincount(index, minlength=size)[:size]
    bad = (np.bincount(index, weights=churned.astype(np.float64), minlength=size)[:size]
           if churned is not None else None)
    shares: list[float | None] = [float(c) / n if n else None for c in counts]
    rates: list[float | None] = [
        None if bad is None or c == 0 else float(bad[b]) / float(c)
        for b, c in enumerate(counts)
    ]
    return shares, rates


def build_card(model: Any, portfolio: Portfolio | None = None, churned: Any = None) -> Card:
    """The card of ``model``; with ``portfolio`` (and ``churned``) each band also shows the
    share of accounts in it (and their churn rate); a measure no account misses then shows
    no missing row.

    Linear and percentile metrics have no bands: they show one row with their range.

    Examples
    --------
    >>> import successkit as sk
    >>> model = sk.HealthModel([
    ...     sk.Metric("login_rate", scheme=sk.Thresholds([0.3, 0.6], points=[0, 20, 35]),
    ...               weight=35),
    ...     sk.Metric("plan", scheme=sk.Categories({"basic": 0, "pro": 15}), weight=15),
    ... ], missing="zero")
    >>> pf = sk.Portfolio.from_columns({"id": list("abcd"), "login_rate": [0.1, 0.5, 0.9, None],
    ...                                 "plan": ["basic", "pro", "pro", "basic"]})
    >>> print(model.card(pf, [True, False, False, True]))
    health card: 50 points, 4 accounts
    measure     band       points  accounts   churn
    login_rate  < 0.3           0     25.0%  100.0%
                0.3 – 0.6      20     25.0%    0.0%
                ≥ 0.6          35     25.0%    0.0%
                missing         0     25.0%  100.0%
    plan        basic           0     50.0%  100.0%
                pro            15     50.0%    0.0%

    A category scheme with ``other=`` shows its "other" band: the points of any label the
    card does not list (here ``legacy``); a missing value stays the missing band:

    >>> plan = sk.Metric("plan", scheme=sk.Categories({"basic": 0, "pro": 15}, other=5))
    >>> pf2 = sk.Portfolio.from_columns({"id": list("abc"), "plan": ["pro", "legacy", None]})
    >>> print(sk.HealthModel([plan], missing="zero").card(pf2, [False, True, True]))
    health card: 15 points, 3 accounts
    measure  band     points  accounts   churn
    plan     basic         0      0.0%       —
             pro          15     33.3%    0.0%
             other         5     33.3%  100.0%
             missing       0     33.3%  100.0%
    """
    if portfolio is not None and not isinstance(portfolio, Portfolio):
        raise not_a_portfolio(portfolio)
    if churned is not None and portfolio is None:
        raise DataError("churned needs the accounts its outcomes belong to: pass them too, "
                        "card(portfolio, churned)")
    y = None
    n = 0
    if portfolio is not None:
        n = len(portfolio)
        if churned is not None:
            y = read_outcome(churned, n, ids=portfolio.ids)
    companions = {}
    for metric in model.metrics:
        column = companion_of(metric)
        if column is not None:
            companions[column] = metric
    rows: list[CardRow] = []
    zero = model.missing == "zero"
    for metric in model.metrics:  # a loop over metrics
        if companion_of(metric) is not None and metric.column is None:
            owner = companion_of(metric)
            if any(m.column == owner for m in model.metrics if m is not metric):
                continue  # shown as the missing row of the metric it belongs to
        scheme = metric.scheme
        extra = companions.get(metric.column) if metric.column is not None else None
        missing_points = (extra.scheme.max_points if extra is not None else 0.0) if zero \
            else None
        name = metric.display
        entries: list[tuple[str, float | None, float | None, float | None]]
        index = None
        if companion_of(metric) is not None and isinstance(scheme, Thresholds):
            # A metric of missingness alone: its two bands are "has a value" / "no value".
            entries = [("has a value", None, None, indicator_points(scheme, 0.0)),
                       ("no value", None, None, indicator_points(scheme, 1.0))]
            if portfolio is not None:
                index = (metric.values(portfolio).values >= 0.5).astype(np.intp)
            shares: list[float | None] = [None] * 2
            rates: list[float | None] = [None] * 2
            if index is not None:
                shares, rates = _stats(index, 2, y, n)
            for (label, low, high, points), share, rate in zip(entries, shares, rates,
                                                               strict=True):
                rows.append(CardRow(metric=name, band=label, low=low, high=high,
                                    points=points, share=share, churn_rate=rate))
            continue
        if isinstance(scheme, Thresholds):
            entries = list(_value_bands(scheme))
            if portfolio is not None:
                # Value bands, then special values, then missing: the order of entries.
                index = scheme.bands_of(metric.values(portfolio).values)
        elif isinstance(scheme, Categories):
            listed = list(scheme.mapping)
            folded = [label for label, points in listed if points == scheme.other]
            if len(folded) <= FOLD_LEVELS:
                folded = []
            # Many levels earning just what "other" earns (a fitted card's rare levels) read
            # as one row: the card stays a page a CS lead can check by eye.
            gone = set(folded)
            listed = [(label, points) for label, points in listed if label not in gone]
            entries = [(label, None, None, points) for label, points in listed]
            if scheme.other is not None:
                # The band of labels the mapping does not list (a level named "other"
                # keeps its name; this band then reads "(other)").
                other = "(other)" if any(e[0] == "other" for e in entries) else "other"
                if folded:
                    other += f" ({len(folded):,} levels)"
                entries.append((other, None, None, scheme.other))
            if portfolio is not None:
                column = metric.values(portfolio)
                order = {label: b for b, (label, _) in enumerate(listed)}
                # Unlisted labels: the "other" band (last entry), else "not on the card".
                stranger = len(entries) - 1 if scheme.other is not None else len(entries) + 1
                lookup = np.array([order.get(c, stranger) for c in column.categories]
                                  + [len(entries)], dtype=np.intp)
                index = lookup[column.values]
        else:
            entries = [(scheme.describe(), None, None, scheme.max_points)]
            if portfolio is not None:
                values = metric.scores(portfolio)
                index = np.where(np.isnan(values), 1, 0)
        labels = [*entries, ("missing", None, None, missing_points)]
        if isinstance(scheme, Categories) and scheme.other is None:
            # Labels the scheme does not know score as missing; with data, they get a row.
            labels.append(("not on the card", None, None, missing_points))
        shares = [None] * len(labels)
        rates = [None] * len(labels)
        if index is not None:
            shares, rates = _stats(index, len(labels), y, n)
        for (label, low, high, points), share, rate in zip(labels, shares, rates, strict=True):
            if label == "not on the card" and not share:
                continue
            if label == "missing" and share == 0 and not points:
                continue  # no account is missing it: the missing row would say nothing
            rows.append(CardRow(metric=name, band=label, low=low, high=high, points=points,
                                share=share, churn_rate=rate))
    total = float(sum(m.scheme.max_points for m in model.metrics))
    return Card(rows=tuple(rows), total_points=total, missing=model.missing,
                accounts=n if portfolio is not None else None)

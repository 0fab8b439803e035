"""Roll-up: a parent account's health from its child accounts."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import FloatArray, array_field, nullable, readonly_arrays
from successkit._html import HEAD_ROWS, background, head_table
from successkit._optional import import_optional
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio, not_a_portfolio
from successkit.errors import DataError
from successkit.scoring.bands import BandedScores
from successkit.scoring.summary import HealthSummary, band_summary

__all__ = ["RollupResult", "rollup"]



@readonly_arrays
@attrs.frozen(kw_only=True, repr=False)
class RollupResult(BandedScores):
    """Parent health rolled up from child accounts, one row per parent id.

    ``score`` is the weighted mean of the children's scores (children without a score, or
    without a weight, left out; NaN when no child has a score); ``group_scores`` likewise
    per group. ``children`` counts the children, ``scored`` those that contributed, and
    ``coverage`` is the share of the children's weight that had a score.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 100))])
    >>> pf = sk.Portfolio.from_columns({"id": ["a", "b"], "parent_id": ["P", "P"],
    ...                                 "x": [90, None]})
    >>> parents = model.score(pf).rollup()
    >>> parents.ids.tolist(), parents.score.tolist(), parents.coverage.tolist()
    (['P'], [90.0], [0.5])
    """

    # ids, score, band_codes, bands, group_names and group_matrix: see BandedScores
    children: npt.NDArray[np.int64] = array_field()
    scored: npt.NDArray[np.int64] = array_field()
    coverage: FloatArray = array_field()
    weight: str | None
    fingerprint: str

    def summary(self) -> HealthSummary:
        """Parents per band."""
        return band_summary(self.bands, self.band_codes, self.score, None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (``None`` for missing)."""
        return {
            "fingerprint": self.fingerprint,
            "weight": self.weight,
            "ids": self.ids.tolist(),
            "score": nullable(self.score),
            "band": self.band.tolist(),
            "children": self.children.tolist(),
            "scored": self.scored.tolist(),
            "coverage": nullable(self.coverage),
            "groups": {name: nullable(v) for name, v in self.group_scores.items()},
        }

    def _table(self) -> dict[str, Any]:
        table: dict[str, Any] = {
            "score": self.score,
            "band": self.band,
            "children": self.children,
            "scored": self.scored,
            "coverage": self.coverage,
        }
        for name, values in self.group_scores.items():
            table[f"group:{name}" if name in table else name] = values
        return table

    def to_frame(self) -> Any:
        """A pandas ``DataFrame`` indexed by parent id."""
        pd = import_optional("pandas", purpose="RollupResult.to_frame()")
        return pd.DataFrame(
            {k: np.array(v) for k, v in self._table().items()},
            index=pd.Index(self.ids.tolist(), name="id", dtype=object),
        )

    def __repr__(self) -> str:
        by = "equally" if self.weight is None else f"by {self.weight}"
        return f"RollupResult({len(self)} parents, children weighted {by})"

    def _repr_html_(self) -> str:
        styles = background(self.bands.colour(label) for label in self.band[:HEAD_ROWS])
        return head_table(self.ids, self._table(), caption=repr(self), row_styles=styles)


def _weighted_mean(
    parent: npt.NDArray[np.intp], k: int, values: FloatArray, weights: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Per parent: weighted mean of ``values`` (missing left out) and the weight used."""
    use = ~np.isnan(values) & (parent >= 0)
    used_weight = np.bincount(parent[use], weights=weights[use], minlength=k).astype(np.float64)
    total = np.bincount(parent[use], weights=weights[use] * values[use], minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / used_weight
    mean[used_weight <= 0] = np.nan
    return mean, used_weight


# What rollup() reads of a HealthResult: duck-typed, as result.py imports this module for
# HealthResult.rollup().
_RESULT_FIELDS = ("bands", "group_matrix", "group_names", "ids", "portfolio", "score")


def rollup(
    result: Any,
    *,
    by: str = "parent_id",
    weight: str | None = None,
    portfolio: Portfolio | None = None,
) -> RollupResult:
    """Parent health from child accounts, weighted equally or by a column such as ARR.

    Parameters
    ----------
    result:
        The children's health result.
    by:
        The category column naming each account's parent (missing: no parent).
    weight:
        A number column to weigh children by (``"arr"``); ``None`` weighs them equally.
        A child with a missing weight is left out; a negative weight is a DataError.
    portfolio:
        Where ``by`` and ``weight`` are read (default: the portfolio that was scored),
        aligned to the result by account id.

    Examples
    --------
    >>> import successkit as sk
    >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 100))])
    >>> pf = sk.Portfolio.from_columns({
    ...     "id": ["a1", "a2", "b1", "solo"],
    ...     "parent_id": ["A", "A", "B", None],
    ...     "x": [80, 20, None, 50],
    ...     "arr": [300, 100, 50, 10],
    ... })
    >>> parents = sk.rollup(model.score(pf), weight="arr")
    >>> parents.ids.tolist(), parents.score.tolist(), parents.children.tolist()
    (['A', 'B'], [65.0, nan], [2, 1])
    """
    if not all(hasattr(result, a) for a in _RESULT_FIELDS):
        raise DataError(f"rollup() takes a HealthResult, got {type(result).__name__}")
    if not isinstance(by, str) or (weight is not None and not isinstance(weight, str)):
        raise DataError(f"rollup() reads by= and weight= as column names, got "
                        f"{type(by).__name__} and {type(weight).__name__}")
    if portfolio is not None and not isinstance(portfolio, Portfolio):
        raise not_a_portfolio(portfolio, role="portfolio")
    source = portfolio if portfolio is not None else result.portfolio
    if source is None:
        raise DataError("rollup() needs the portfolio with the parent column")
    if portfolio is not None:
        source = portfolio.reindex(result.ids)
    parents = source.column(by, Kind.CATEGORY)
    # The parent each child is weighed towards: -1 without a parent or without a weight.
    code = parents.values.astype(np.intp)
    if weight is None:
        weights = np.ones(len(result))
    else:
        column = source.column(weight, Kind.NUMBER)
        negative = column.values < 0
        if negative.any():
            row = int(np.flatnonzero(negative)[0])
            raise DataError("negative weight", column=weight, account=str(result.ids[row]))
        weights = np.where(column.missing, 0.0, column.values)
        code[column.missing] = -1
    k = len(parents.categories)
    score, used = _weighted_mean(code, k, result.score, weights)
    groups = np.column_stack(
        [_weighted_mean(code, k, result.group_matrix[:, g], weights)[0]
         for g in range(len(result.group_names))]
    ) if result.group_names else np.empty((k, 0))
    children = np.bincount(parents.values[parents.values >= 0], minlength=k)
    weighed = code >= 0
    scored = np.bincount(code[weighed & ~np.isnan(result.score)], minlength=k)
    offered = np.bincount(code[weighed], weights=weights[weighed], minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = used / offered
    keep = children > 0
    bands = result.bands
    return RollupResult(
        ids=np.asarray(parents.categories, dtype=str)[keep] if k else np.zeros(0, dtype=str),
        score=score[keep],
        band_codes=bands.codes(score[keep]),
        bands=bands,
        group_names=result.group_names,
        group_matrix=groups[keep],
        children=children[keep].astype(np.int64),
        scored=scored[keep].astype(np.int64),
        coverage=coverage[keep],
        weight=weight,
        fingerprint=result.fingerprint,
    )

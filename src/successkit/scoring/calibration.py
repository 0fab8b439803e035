"""From health score to churn probability: :class:`CalibratedModel`.

A health score ranks accounts; a calibrated model also says *how likely* each is to churn,
so risk can be priced (``expected_loss = ARR × probability``). The curve is learnt from
scores and outcomes and is monotone: a higher score never gets a higher churn probability.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import FloatArray, array_field, readonly_arrays
from successkit._fingerprint import fingerprint
from successkit._keys import at, read_dict
from successkit._options import one_of
from successkit.data.account import Account
from successkit.data.portfolio import Portfolio, not_a_portfolio
from successkit.errors import DataError, ModelError
from successkit.scoring._outcome_inputs import both_outcomes, read_arr, read_count, read_scores
from successkit.scoring._outcome_plots import plot_curve
from successkit.scoring._serial import VERSION, check_version, field, model_class
from successkit.scoring.isotonic import isotonic_decreasing, pool_adjacent_violators

__all__ = ["METHODS", "CalibratedModel", "calibrate"]


#: Calibration methods: a monotone curve through every distinct score, or per score bin.
METHODS = ("isotonic", "binned")


def _floats(value: Any) -> FloatArray:
    return np.asarray(value, dtype=np.float64)


@readonly_arrays
@attrs.frozen(kw_only=True, repr=False)
class CalibratedModel:
    """A health score mapped to a churn probability (within the outcome window it was
    calibrated on), monotone: a higher score never has a higher probability.

    Made by :func:`calibrate` (``model.calibrate(portfolio, churned)``) or
    :meth:`from_scores`. ``method="isotonic"`` interpolates linearly between the
    probabilities fitted at each distinct training score (pool-adjacent-violators);
    ``"binned"`` uses the churn rate of each score bin (quantile bins, made monotone the
    same way). Scores outside the training range take the nearest end's probability.

    .. versionadded:: 0.1

    Attributes
    ----------
    model:
        The health model whose scores are calibrated, or ``None`` when calibrated from
        bare scores (then :meth:`predict` takes scores, not portfolios).
    method:
        ``"isotonic"`` or ``"binned"``.
    knots:
        Scores, ascending: where the isotonic curve is fitted, or each bin's lowest score.
    probabilities:
        Churn probability at each knot (non-increasing).
    accounts, churn_rate:
        The training accounts and their churn rate.
    unknown:
        Accounts left out of training because their outcome was unknown (censored).

    Examples
    --------
    >>> import successkit as sk
    >>> scores = [20.0, 30, 40, 50, 60, 70, 80, 90]
    >>> churned = [True, True, False, True, False, False, False, False]
    >>> calibrated = sk.CalibratedModel.from_scores(scores, churned)
    >>> calibrated.predict([25.0, 45.0, 95.0]).tolist()
    [1.0, 0.5, 0.0]
    >>> calibrated.expected_loss([25.0, 45.0], arr=[1200, 3000]).tolist()
    [1200.0, 1500.0]
    """

    model: Any = None
    method: str = "isotonic"
    knots: FloatArray = array_field(converter=_floats)
    probabilities: FloatArray = array_field(converter=_floats)
    accounts: int = 0
    churn_rate: float = float("nan")
    unknown: int = 0

    def __attrs_post_init__(self) -> None:
        one_of(self.method, METHODS, "method", ModelError)
        if self.knots.ndim != 1 or self.knots.shape != self.probabilities.shape:
            raise ModelError("knots and probabilities must be 1-d arrays of the same length")
        if not self.knots.size:
            raise ModelError("a calibrated model needs at least one knot")
        if not (np.isfinite(self.knots).all() and np.isfinite(self.probabilities).all()):
            raise ModelError("knots and probabilities must be finite")
        if (np.diff(self.knots) <= 0).any():
            raise ModelError("knots must increase strictly")
        if ((self.probabilities < 0) | (self.probabilities > 1)).any():
            raise ModelError("probabilities must lie in [0, 1]")
        if (np.diff(self.probabilities) > 0).any():
            raise ModelError("probabilities must not increase with the score")

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_scores(
        cls,
        scores: Any,
        churned: Any,
        *,
        method: str = "isotonic",
        bins: int = 10,
        model: Any = None,
    ) -> CalibratedModel:
        """Calibrate bare scores (or a health result's) against churn outcomes.

        Accounts without a score are left out. See :func:`calibrate` for the parameters.

        Examples
        --------
        >>> import successkit as sk
        >>> calibrated = sk.CalibratedModel.from_scores(
        ...     [10.0, 20, 80, 90], [True, False, False, False], method="binned", bins=2)
        >>> calibrated.knots.tolist(), calibrated.probabilities.tolist()
        ([10.0, 80.0], [0.5, 0.0])
        """
        one_of(method, METHODS, "method", ModelError)
        read = read_scores(scores)
        outcome, known = read.outcomes(churned)
        scored = ~np.isnan(read.score)
        unknown = int((scored & ~known).sum())
        keep = scored & known
        score, y = read.score[keep], outcome[keep]
        n = int(score.shape[0])
        if n == 0:
            raise DataError("no account has a score to calibrate on")
        n1 = both_outcomes(y, accounts="accounts",
                           need="calibration needs churned and staying accounts")
        if method == "isotonic":
            knots, probabilities = isotonic_decreasing(score, y.astype(np.float64))
        else:
            knots, probabilities = _binned(score, y, read_count(bins, "bins", least=1))
        return cls(
            model=model,
            method=method,
            knots=knots,
            probabilities=np.clip(probabilities, 0.0, 1.0),
            accounts=n,
            churn_rate=n1 / n,
            unknown=unknown,
        )

    # -- prediction ---------------------------------------------------------------------------

    def _scores(self, data: Any) -> tuple[FloatArray, Any]:
        """Scores of ``data`` (a portfolio, account, health result or scores) and ids."""
        if isinstance(data, (Portfolio, Account)):
            if self.model is None:
                raise ModelError(
                    "this calibration was made from bare scores; pass scores (or a health "
                    "result), not a portfolio"
                )
            result = self.model.score(data)
            return np.asarray(result.score, dtype=np.float64), result.ids
        read = read_scores(data)
        return read.score, read.ids

    def predict(self, data: Any) -> FloatArray:
        """Churn probability per account (NaN where the score is missing).

        ``data`` is a portfolio or account (scored with :attr:`model`), a health result,
        or scores.
        """
        score, _ = self._scores(data)
        return self._probability(score)

    def _probability(self, score: FloatArray) -> FloatArray:
        if self.method == "isotonic":
            p = np.interp(score, self.knots, self.probabilities)
        else:
            rows = np.clip(np.searchsorted(self.knots, score, side="right") - 1, 0, None)
            p = self.probabilities[rows]
        return np.where(np.isnan(score), np.nan, p)

    def expected_loss(self, data: Any, *, arr: Any = "arr") -> FloatArray:
        """Expected churned ARR per account: ``arr × probability``.

        ``arr`` is ARR per account, or (when ``data`` is a portfolio) the name of its ARR
        column.

        Examples
        --------
        >>> import successkit as sk
        >>> calibrated = sk.CalibratedModel.from_scores([10.0, 90], [True, False])
        >>> calibrated.expected_loss([10.0, 50.0], arr=[100.0, 100.0]).tolist()
        [100.0, 50.0]
        """
        score, ids = self._scores(data)
        if isinstance(arr, str):
            if not isinstance(data, Portfolio):
                raise DataError(
                    f"arr={arr!r} names a column, but the data is not a portfolio; pass ARR "
                    "per account"
                )
            values = data.column(arr, "number").values
        else:
            values = arr
        amounts = read_arr(values, score.shape[0], ids=None if ids is None else np.asarray(ids))
        return amounts * self._probability(score)

    # -- serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types, with the health model's own ``to_dict()`` when there is one."""
        data: dict[str, Any] = {
            "type": "calibrated",
            "version": VERSION,
            "method": self.method,
            "knots": self.knots.tolist(),
            "probabilities": self.probabilities.tolist(),
            "accounts": self.accounts,
            "churn_rate": None if np.isnan(self.churn_rate) else self.churn_rate,
            "model": None if self.model is None else self.model.to_dict(),
        }
        # "unknown" is written only when some outcomes were left out, so calibrations
        # without any keep their JSON and fingerprint.
        if self.unknown:
            data["unknown"] = self.unknown
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CalibratedModel:
        """Rebuild a calibrated model from :meth:`to_dict` output.

        Examples
        --------
        >>> import successkit as sk
        >>> calibrated = sk.CalibratedModel.from_scores([10.0, 50, 90], [True, True, False])
        >>> sk.CalibratedModel.from_dict(calibrated.to_dict()) == calibrated
        True
        """
        data = read_dict(data, ("type", "version", "method", "knots", "probabilities",
                                "accounts", "churn_rate", "unknown", "model"),
                         what="a calibrated model")
        check_version(data, kind="calibrated")
        where = "calibrated model"
        knots = field(data, "knots", where=where)
        probabilities = field(data, "probabilities", where=where)
        for name, values in (("knots", knots), ("probabilities", probabilities)):
            if not isinstance(values, list) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
            ):
                raise ModelError(f"{name} must be a list of numbers", where=where)
        churn_rate = data.get("churn_rate")
        return cls(
            model=_model_from_dict(data.get("model")),
            method=field(data, "method", where=where),
            knots=knots,
            probabilities=probabilities,
            accounts=int(data.get("accounts", 0)),
            churn_rate=float("nan") if churn_rate is None else float(churn_rate),
            unknown=int(data.get("unknown", 0)),
        )

    @property
    def fingerprint(self) -> str:
        """A stable hash of :meth:`to_dict`."""
        return fingerprint(self.to_dict())

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """The calibration curve, score against churn probability (needs
        ``successkit[plot]``); ``kwargs`` go to ``Axes.plot``. Returns the ``Axes``."""
        return plot_curve(self, ax=ax, **kwargs)

    def __repr__(self) -> str:
        low, high = float(self.probabilities[-1]), float(self.probabilities[0])
        source = "scores" if self.model is None else type(self.model).__name__
        return (
            f"CalibratedModel({self.method}, {source}, {self.knots.shape[0]} knots, "
            f"p {low:.3f}–{high:.3f}, trained on {self.accounts} accounts"
            + (f", {self.unknown} unknown outcomes left out)" if self.unknown else ")")
        )


def _model_from_dict(data: Any) -> Any:
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise ModelError(f"model must be a dict or None, got {type(data).__name__}")
    kind = str(data.get("type"))
    if kind not in ("health", "segmented"):
        raise ModelError(f"cannot rebuild a model of type {data.get('type')!r}")
    # From the registry: health.py imports this module for HealthModel.calibrate().
    cls: Any = model_class(kind)
    with at("model"):
        return cls.from_dict(data)


def _binned(
    score: FloatArray, churned: npt.NDArray[np.bool_], bins: int
) -> tuple[FloatArray, FloatArray]:
    """Quantile bins of the score (ties never split), their churn rates made monotone."""
    ordered = np.sort(score)
    starts = np.ceil(np.arange(bins) * (ordered.shape[0] / bins)).astype(np.intp)
    edges = np.unique(ordered[np.minimum(starts, ordered.shape[0] - 1)])
    codes = np.searchsorted(edges, score, side="right") - 1
    counts = np.bincount(codes, minlength=edges.shape[0]).astype(np.float64)
    rates = np.bincount(codes, churned.astype(np.float64), minlength=edges.shape[0]) / counts
    fit = pool_adjacent_violators(rates[::-1], counts[::-1])[::-1]
    return edges, np.ascontiguousarray(fit)


def calibrate(
    model: Any,
    portfolio: Any,
    churned: Any,
    *,
    method: str = "isotonic",
    bins: int = 10,
) -> CalibratedModel:
    """Map ``model``'s health score to a churn probability, learnt from outcomes.

    Parameters
    ----------
    model:
        A health model (or segmented model): anything with ``score(portfolio)``.
    portfolio:
        The accounts to learn from.
    churned:
        Whether each account churned within the window the probabilities should refer to:
        aligned with ``portfolio.ids`` by position, or by id when it carries ids (a
        mapping, a Series indexed by id, one snapshot's labels). ``None`` or NaN is an
        unknown (censored) outcome: left out, and counted in :attr:`CalibratedModel.unknown`.
    method:
        ``"isotonic"`` (a monotone curve through every distinct score) or ``"binned"``
        (churn rate per quantile bin of the score, made monotone).
    bins:
        Number of quantile bins for ``"binned"``.

    Returns
    -------
    CalibratedModel

    Raises
    ------
    ModelError
        Unknown method, or the outcome has one class only.
    DataError
        Outcomes not aligned with the portfolio, or not booleans.

    Examples
    --------
    >>> import successkit as sk
    >>> from successkit.outcomes import calibrate
    >>> model = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Linear(0, 1))])
    >>> pf = sk.Portfolio.from_columns({"id": list("abcd"),
    ...                                 "login_rate": [0.1, 0.3, 0.7, 0.9]})
    >>> calibrated = calibrate(model, pf, [True, False, True, False])
    >>> calibrated.predict(pf).round(2).tolist()
    [1.0, 0.5, 0.5, 0.0]
    """
    if not callable(getattr(model, "score", None)):
        raise ModelError(f"calibrate() needs a health model (anything with "
                         f"score(portfolio)), got {type(model).__name__}")
    if not isinstance(portfolio, Portfolio):
        raise not_a_portfolio(portfolio)
    result = model.score(portfolio)
    return CalibratedModel.from_scores(
        result, churned, method=method, bins=bins, model=model,
    )

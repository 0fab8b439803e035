"""The numerical core of learning a health model's weights from churn outcomes, in numpy.

:meth:`HealthModel.fit <successkit.HealthModel.fit>` and :func:`successkit.outcomes.fit` both call
:func:`fit_model`; it needs no model class (models are duck-typed) beyond SegmentedModel.

The model's metrics, schemes, groups and bands stay as they are; only the weights change.
They come from an L2-regularised logistic regression of churn on the metric scores with
every coefficient constrained to be non-negative — a higher metric score may only lower the
churn risk, so a weight can be read as "how much this metric says about churn"::

    P(churn) = sigmoid(b − Σ β_m s_m / 100),   β_m ≥ 0,
    minimise  Σ log-loss + l2 / 2 · Σ β_m²       (l2 plays scikit-learn's 1 / C)

The health score ``Σ β_m s_m / Σ β_m`` is then a monotone function of the fitted risk, so it
ranks accounts exactly as the regression does. A metric score missing for an account is
replaced by the metric's mean over the training accounts while fitting (the fitted model
itself keeps its own missing-data rule).

The solver is a projected Newton method (Bertsekas 1982): Newton steps on the free
coefficients, coefficients at zero whose gradient pushes them below zero held there, and a
backtracking line search along the projection arc. With a few dozen metrics each step is
one small linear solve; it converges in a handful of iterations. It stops when the largest
projected gradient is below ``tol`` per account and the Newton step is negligible, and
raises :class:`~successkit.ModelError` when that has not happened after ``max_iter``
iterations — in practice when ``l2=0`` and the metric scores separate churned from staying
accounts perfectly, so that the optimum lies at infinity.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from successkit._arrays import BoolArray, FloatArray, array_field, readonly_arrays
from successkit._options import column_name
from successkit.data.portfolio import Portfolio, not_a_portfolio
from successkit.errors import DataError, ModelError
from successkit.scoring._outcome_inputs import both_outcomes, read_count, read_labels
from successkit.scoring._training import Training, with_training
from successkit.scoring.segmented import SegmentedModel

__all__ = [
    "SolverOptions",
    "Training",
    "WeightFit",
    "fit_matrix",
    "fit_model",
    "fit_weights",
    "with_fitted_weights",
]


# Armijo constant and the smallest step tried by the line search.
_ARMIJO = 1e-4
_MIN_STEP = 1e-12
# Largest Newton step (relative to the coefficients) that counts as converged.
_STEP_TOL = 1e-6


def _check_l2(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ModelError(f"l2 must be a number, got {value!r}")
    l2 = float(value)
    if not np.isfinite(l2) or l2 < 0:
        raise ModelError(f"l2 must be finite and not negative, got {value!r}")
    return l2


@attrs.frozen(kw_only=True)
class SolverOptions:
    """The weight solver's settings, given once to every fit :func:`fit_model` makes: the
    ridge penalty ``l2``, at most ``max_iter`` Newton iterations, and the projected-gradient
    tolerance ``tol`` per account (as :func:`fit_weights` takes them)."""

    l2: float = attrs.field(default=1.0, converter=_check_l2)
    max_iter: int = 100
    tol: float = 1e-8

    def __attrs_post_init__(self) -> None:
        # Out of range, they would end every fit in "did not converge … use l2 > 0".
        if isinstance(self.max_iter, bool) or not isinstance(self.max_iter, (int, np.integer)) \
                or self.max_iter < 1:
            raise ModelError(f"max_iter must be a positive integer, got {self.max_iter!r}")
        if isinstance(self.tol, bool) or not isinstance(self.tol, (int, float, np.number)) \
                or not (np.isfinite(self.tol) and self.tol > 0):
            raise ModelError(f"tol must be a positive number, got {self.tol!r}")


_DEFAULT_SOLVER = SolverOptions()


@readonly_arrays
@attrs.frozen(kw_only=True)
class WeightFit:
    """The regression behind a fit: coefficients per metric score (per 100 points), the
    intercept, and how the solver ended."""

    names: tuple[str, ...]
    coefficients: FloatArray = array_field()
    intercept: float
    iterations: int
    loss: float
    means: FloatArray = array_field()  # the imputation value of each metric

    def weights(self, total: float = 100.0) -> dict[str, float]:
        """Coefficients scaled to sum to ``total`` (the model's weights)."""
        scale = total / float(self.coefficients.sum())
        return {n: float(c * scale) for n, c in zip(self.names, self.coefficients, strict=True)}


def _loss(
    features: FloatArray, y: FloatArray, params: FloatArray, l2: float
) -> tuple[float, FloatArray]:
    eta = params[0] + features @ params[1:]
    value = float(np.sum(np.logaddexp(0.0, eta) - y * eta)) + 0.5 * l2 * float(
        params[1:] @ params[1:]
    )
    return value, eta


def fit_weights(
    names: tuple[str, ...],
    matrix: FloatArray,
    churned: BoolArray,
    *,
    l2: float = 1.0,
    max_iter: int = 100,
    tol: float = 1e-8,
) -> WeightFit:
    """Non-negative L2-regularised logistic regression of churn on metric scores.

    ``matrix`` is accounts × metrics (0–100, NaN where missing). See the module docs.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> scores = rng.uniform(0, 100, size=(2000, 2))
    >>> risk = 2.0 - 4.0 * scores[:, 0] / 100          # only the first metric matters
    >>> churned = rng.random(2000) < 1 / (1 + np.exp(-risk))
    >>> result = fit_weights(("useful", "noise"), scores, churned)
    >>> {k: round(v) for k, v in result.weights().items()}
    {'useful': 100, 'noise': 0}
    """
    n, m = matrix.shape
    y = churned.astype(np.float64)
    present = ~np.isnan(matrix)
    counts = present.sum(axis=0)
    empty = np.flatnonzero(counts == 0)
    if empty.size:
        raise DataError(f"metric {names[empty[0]]!r} has no value in the training accounts",
                        column=names[empty[0]])
    means = np.where(present, matrix, 0.0).sum(axis=0) / counts
    # Risk features: the score's shortfall, so that a positive coefficient protects.
    features = -np.where(present, matrix, means) / 100.0
    rate = float(y.mean())
    params = np.zeros(m + 1)
    params[0] = np.log(rate / (1 - rate))
    value, eta = _loss(features, y, params, l2)
    design = np.column_stack([np.ones(n), features])
    penalty = np.full(m + 1, l2)
    penalty[0] = 0.0
    for iteration in range(max_iter + 1):
        mu = 1.0 / (1.0 + np.exp(-eta))
        gradient = design.T @ (mu - y) + penalty * params
        projected = params - np.maximum(params - gradient, 0.0)
        projected[0] = gradient[0]
        # ε-active set: coefficients at (or within ε of) zero that the gradient pushes down.
        epsilon = min(1e-6, float(np.linalg.norm(projected)))
        active = np.zeros(m + 1, dtype=np.bool_)
        active[1:] = (params[1:] <= epsilon) & (gradient[1:] > 0)
        free = ~active
        weight = mu * (1.0 - mu)
        # The whole (m+1)² Hessian, then the free block: slicing the small matrix is far
        # cheaper than multiplying column subsets of the tall design matrix.
        hessian = ((design * weight[:, None]).T @ design)[np.ix_(free, free)]
        hessian[np.diag_indices_from(hessian)] += penalty[free] + 1e-10
        direction = np.zeros(m + 1)
        try:
            direction[free] = -np.linalg.solve(hessian, gradient[free])
        except np.linalg.LinAlgError:
            direction[free] = -gradient[free]
        direction[active] = -gradient[active]
        # Converged: no projected gradient left, and the Newton step is negligible. Both are
        # needed: with separated outcomes the gradient fades as the weights run off to
        # infinity, but the Newton step does not.
        small_gradient = float(np.max(np.abs(projected))) <= tol * n
        small_step = float(np.max(np.abs(direction[free]))) <= _STEP_TOL * (
            1.0 + float(np.max(np.abs(params)))
        )
        if small_gradient and small_step:
            return WeightFit(names=names, coefficients=params[1:].copy(),
                             intercept=float(params[0]), iterations=iteration,
                             loss=value / n, means=means)
        if iteration == max_iter:
            break
        step = 1.0
        while True:
            candidate = params + step * direction
            candidate[1:] = np.maximum(candidate[1:], 0.0)
            new_value, new_eta = _loss(features, y, candidate, l2)
            decrease = float(gradient @ (params - candidate))
            if new_value <= value - _ARMIJO * decrease or step < _MIN_STEP:
                break
            step /= 2
        if not np.isfinite(new_value):
            break
        params, value, eta = candidate, new_value, new_eta
    raise ModelError(
        f"the weight fit did not converge in {max_iter} iterations: the weights grow "
        "without bound (the metric scores separate churned from staying accounts almost "
        "perfectly); use l2 > 0"
    )


def fit_matrix(
    model: Any,
    names: tuple[str, ...],
    matrix: FloatArray,
    churned: BoolArray,
    *,
    solver: SolverOptions = _DEFAULT_SOLVER,
    unknown: int = 0,
) -> Any:
    """``model`` with weights fitted on a prepared metric score matrix (see :func:`fit`);
    the ``solver`` options go to :func:`fit_weights`.

    Rows without any metric score are left out. The returned model's ``training`` counts
    the rows used, their churners, those left out here, and ``unknown``: the rows with an
    unknown outcome the caller left out before (``matrix`` holds only known outcomes).
    """
    keep = ~np.isnan(matrix).all(axis=1)
    y = churned[keep]
    both_outcomes(
        y,
        accounts="training accounts",
        need="weights can only be learnt from outcomes with both churned and staying accounts",
    )
    result = fit_weights(names, matrix[keep], y, l2=solver.l2, max_iter=solver.max_iter,
                         tol=solver.tol)
    if float(result.coefficients.sum()) <= 0:
        raise ModelError(
            "no metric score predicts churn in these outcomes (every fitted weight is 0); "
            "the weights cannot be learnt"
        )
    training = Training(accounts=int(y.size), churned=int(y.sum()), unknown=unknown,
                        unscored=int(keep.size - y.size))
    return with_training(with_fitted_weights(model, result), training)


def with_fitted_weights(model: Any, result: WeightFit) -> Any:
    """``model`` with metric weights from ``result`` (summing to 100) and each group
    weighing the sum of its metrics' weights, so each metric counts by its coefficient."""
    weights = result.weights(100.0)
    weights = {k: round(v, 4) for k, v in weights.items()}
    groups = None
    if model.groups is not None:
        groups = {
            g: round(sum(weights[m.name] for m in model.metrics if m.group == g), 4)
            for g in model.group_names
        }
    return model.with_weights(weights, groups=groups)


def fit_model(
    model: Any,
    portfolio: Portfolio,
    churned: Any,
    *,
    l2: float = 1.0,
    by: str | None = None,
    min_segment: int = 200,
    max_iter: int = 100,
    tol: float = 1e-8,
) -> Any:
    """Learn non-negative metric (and group) weights from churn outcomes.

    Parameters
    ----------
    model:
        A :class:`~successkit.HealthModel`; its metrics, schemes, groups, bands and
        missing-data rule are kept.
    portfolio:
        The training accounts. ``fit`` sees nothing else: hold out test accounts yourself.
    churned:
        Whether each account churned: aligned with ``portfolio.ids`` by position, or by id
        when it carries ids (a mapping, a Series indexed by id, one snapshot's labels).
        ``None`` or NaN is an unknown (censored) outcome: that account is left out of the
        fit and counted in the fitted model's ``training``.
    l2:
        Ridge penalty on the coefficients (scikit-learn's ``1 / C``); larger values give
        more even weights. ``0`` fits without a penalty.
    by:
        A category column: fit one model per segment and return a
        :class:`~successkit.SegmentedModel`. Segments with fewer than ``min_segment``
        accounts (or only one outcome) use the model fitted on all accounts.
    min_segment:
        The fewest accounts a segment needs for a model of its own.
    max_iter, tol:
        Solver limits: Newton iterations, and the projected-gradient tolerance per account.

    Returns
    -------
    HealthModel or SegmentedModel
        The same model with learnt weights: metric weights sum to 100, and a group weighs
        the sum of its metrics'. Its ``training`` (a :class:`Training`) says what the
        weights were learnt from: the accounts used and their churners, and the accounts
        left out for an unknown outcome or for having no metric score. With ``by``, the
        segmented model's ``training`` covers all accounts (the fit of ``default``) and
        each segment's model has its own.

    Raises
    ------
    ModelError
        The outcome has one class only, no metric predicts churn, or the solver did not
        converge.
    DataError
        Outcomes not aligned with the portfolio or not booleans; a metric with no value in
        the training accounts; an unknown ``by`` column.

    Examples
    --------
    >>> import successkit as sk
    >>> from successkit.datasets import make_portfolio
    >>> from successkit.outcomes import fit
    >>> sample = make_portfolio(1000, months=1, seed=3)
    >>> model = sk.HealthModel([
    ...     sk.Metric("login_rate", scheme=sk.Percentile()),
    ...     sk.Metric("feature_x_usage", scheme=sk.Percentile()),
    ... ])
    >>> fitted = fit(model, sample.portfolio, sample.churned)
    >>> [(m.name, m.weight > 80) for m in fitted.metrics]
    [('login_rate', True), ('feature_x_usage', False)]

    An unknown (censored) outcome is left out, and counted:

    >>> outcome = [None, *sample.churned[1:]]
    >>> fitted = fit(model, sample.portfolio, outcome)
    >>> fitted.training.accounts, fitted.training.unknown
    (999, 1)
    """
    # Duck-typed: a health model is what can give its metric score matrix and take weights.
    if not (hasattr(model, "metric_matrix") and hasattr(model, "with_weights")):
        raise ModelError(
            f"fit() learns the weights of a HealthModel, got {type(model).__name__}; "
            "use by= to fit one model per segment"
        )
    if not isinstance(portfolio, Portfolio):
        raise not_a_portfolio(portfolio)
    if by is not None:
        column_name(by, "by")
    solver = SolverOptions(l2=l2, max_iter=max_iter, tol=tol)
    y, known = read_labels(churned, len(portfolio), ids=portfolio.ids)
    unknown = int(known.size - np.count_nonzero(known))
    everyone = portfolio
    if unknown:  # unknown (censored) outcomes are left out, not taken as "stayed"
        portfolio, y = portfolio.take(np.flatnonzero(known)), y[known]
    names, matrix = model.metric_matrix(portfolio)
    overall = fit_matrix(model, names, matrix, y, solver=solver, unknown=unknown)
    if by is None:
        return overall
    least = read_count(min_segment, "min_segment", least=1)
    # Segments of every account, so each segment's model counts its own unknown outcomes.
    segments = everyone.column(by, "category")
    codes = segments.values[known]
    fitted = {}
    for code, label in enumerate(segments.categories):  # a loop over segments
        rows = codes == code
        outcome = y[rows]
        if rows.sum() < least or outcome.all() or not outcome.any():
            continue
        fitted[label] = fit_matrix(
            model, names, matrix[rows], outcome, solver=solver,
            unknown=int(np.count_nonzero((segments.values == code) & ~known)),
        )
    if not fitted:
        raise ModelError(
            f"no segment of {by!r} has {least} accounts with both outcomes; lower "
            "min_segment or fit without by="
        )
    return with_training(SegmentedModel(by, fitted, default=overall), overall.training)

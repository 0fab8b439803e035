"""Choosing a card's regression strength and its metrics: cross-validated L2 on the
training accounts, backward selection with a reason for every metric left off, and the
categories whose levels earn points against their own churn order next to the others."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import BoolArray, FloatArray
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio
from successkit.errors import ModelError
from successkit.outcomes._card_prep import UNDER_A_POINT, MetricInfo, seen_by
from successkit.scoring._card_solver import (
    Additive,
    RowKeys,
    Shape,
    backfit,
    log_loss,
    predictor,
    residuals,
)
from successkit.scoring._likelihood import SIGNIFICANCE, critical_chi2

__all__ = ["CV_ROWS", "FLAT_GRID", "L2_GRID", "REFINE", "TOWARD", "anchored", "anchors_again",
           "choose_l2", "fit_infos", "free_levels", "name_twins", "select", "two_stage"]


# The L2 strengths cross-validation chooses from (strongest first, for warm starts), in
# accounts' worth of curvature per band.
L2_GRID = (10000.0, 1000.0, 100.0, 10.0, 1.0, 0.1, 0.01, 0.001)
# What the band values may be pulled toward: the classic scorecard's (each band's weight of
# evidence times one coefficient per metric), or no points at all — plain ridge, which
# shares a signal among metrics that repeat it (a loan's grade and its interest rate)
# instead of keeping each one's own noisy levels.
TOWARD = ("scorecard", "flat")
# The flat target's strengths: stronger, a card sampled for cross-validation earns next
# to nothing; weaker, the target hardly matters and the scorecard's weakest pulls stand
# for it (and ÷ 3.16 is tried when 1 is best, see REFINE).
FLAT_GRID = (100.0, 10.0, 1.0)
# Around the best strength of the grid, cross-validation also tries these multiples of it
# (3.16 and 0.316, to three digits: the grid's steps are ten times apart).
REFINE = (10 ** 0.5, 10 ** -0.5)
# The L2 strength on each metric's coefficient in the first stage.
COEF_L2 = 1.0
# Cross-validation reads about this many rows (whole groups, chosen by key, not by row).
CV_ROWS = 10_000
# Cross-validated fits stop once no band value moves by this many log-odds: enough to rank
# strengths three to ten times apart (against 5e-3: the same eight-split AUC on 12 of the
# benchmark's 14 sets, within 0.001 on the other two), at a fraction of the final fit's
# passes.
CV_TOL = 1e-2


def fit_infos(infos: Sequence[MetricInfo], y: BoolArray, l2: float,
              rows: npt.NDArray[np.intp] | BoolArray | None = None,
              start: tuple[Sequence[FloatArray], float] | None = None,
              anchor: Sequence[FloatArray] | None = None, *, scaled: bool = False,
              tol: float = 1e-3) -> Additive:
    """The joint fit of the band values of ``infos`` on ``rows`` (all when ``None``);
    ``scaled``: one coefficient per metric times its band profile instead."""
    codes = [i.codes if rows is None else i.codes[rows] for i in infos]
    shapes = [attrs.evolve(i.shape, profile=i.profile if i.anchor is None else i.anchor)
              if scaled else i.shape for i in infos]
    return backfit(codes, shapes, [i.size for i in infos], y if rows is None else y[rows],
                   l2=l2, start=start, anchor=anchor, tol=tol)


def two_stage(infos: Sequence[MetricInfo], y: BoolArray, l2: float,
              rows: npt.NDArray[np.intp] | BoolArray | None = None,
              toward: str = "scorecard") -> Additive:
    """One coefficient per metric on its profile, then free band values pulled by ``l2``
    toward those (``toward="scorecard"``) or toward no points at all (``"flat"``)."""
    if toward == "flat":  # nothing to pull toward: start from no points
        return fit_infos(infos, y, l2, rows)
    base = fit_infos(infos, y, COEF_L2, rows, scaled=True)
    return fit_infos(infos, y, l2, rows, start=_start(base, toward), anchor=base.tables)


def _start(base: Additive, toward: str) -> tuple[Sequence[FloatArray], float]:
    """Where the fit toward ``toward`` starts from the classic scorecard ``base``: as it
    is, or (flat) with each metric's band values shifted to sum to zero, the intercept
    taking the shifts — the same predictions, and the flat fit's optimum has those sums at
    zero, so its passes do not have to trade a constant between 50 metrics and the
    intercept."""
    if toward == "scorecard":
        return base.tables, base.intercept
    shifts = [float(table.mean()) for table in base.tables]
    return ([table - shift for table, shift in zip(base.tables, shifts, strict=True)],
            base.intercept + sum(shifts))


def choose_l2(infos: Sequence[MetricInfo], y: BoolArray, l2: Any, toward: str, folds: int,
              keys: RowKeys, prior: float, within: npt.NDArray[np.intp] | None = None,
              ) -> tuple[float, str, tuple[tuple[str, float, float], ...]]:
    """The L2 strength, and what it pulls toward, whose two-stage fit, learnt without each
    fold, predicts that fold best (mean log-loss), on a sample of whole groups (of
    ``within``, when given). Each fold's fits see only its training accounts: the
    classic scorecard they are pulled toward, the churn order of a category's levels, and
    an anchored metric's values in that scorecard (see :func:`anchored`), are learnt again
    on those."""
    given = not (isinstance(l2, str) and l2 == "cv")  # an array is neither
    if given and (isinstance(l2, bool) or not isinstance(l2, (int, float)) or not l2 >= 0):
        raise ModelError(f"l2 must be 'cv' or a non-negative number, got {l2!r}")
    if l2 != "cv" and toward != "cv":
        return float(l2), toward, ()
    grid = {"scorecard": L2_GRID, "flat": FLAT_GRID} if l2 == "cv" else {
        target: (float(l2),) for target in TOWARD}
    targets = TOWARD if toward == "cv" else (toward,)
    # On many accounts, a sample of whole groups (chosen by key, not by row) is plenty.
    pool = keys if within is None else keys.take(within)
    rows = pool.sample(CV_ROWS)
    rows = rows if within is None else within[rows]
    fold = keys.folds(folds)[rows]
    outcome = y[rows]
    seen_folds = []
    for f in range(folds):  # a loop over the folds
        train, test = fold != f, fold == f
        if not test.any() or outcome[train].all() or not outcome[train].any():
            continue
        seen = anchors_again([seen_by(i, rows[train], outcome[train], prior) for i in infos],
                             outcome[train])
        base = fit_infos(seen, outcome[train], COEF_L2, scaled=True, tol=CV_TOL)
        seen_folds.append((outcome[train], seen, base, [i.codes[rows[test]] for i in infos],
                           (~outcome[test]).astype(np.float64)))
    counted = max(sum(stay.size for *_, stay in seen_folds), 1)
    found: list[tuple[str, float, float]] = []
    fits: dict[tuple[str, float], list[tuple[Sequence[FloatArray], float]]] = {}

    def held_out_loss(target: str, strength: float,
                      starts: list[tuple[Sequence[FloatArray], float]]) -> None:
        """Each fold's fit at ``strength`` from ``starts``; their mean held-out loss."""
        total, ends = 0.0, list[tuple[Sequence[FloatArray], float]]()
        for j, (train_y, seen, base, held_out, stay) in enumerate(seen_folds):
            fit = fit_infos(seen, train_y, strength, start=starts[j], tol=CV_TOL,
                            anchor=base.tables if target == "scorecard" else None)
            ends.append((fit.tables, fit.intercept))
            eta = predictor(held_out, fit.tables, fit.intercept, stay.size)
            total += log_loss(eta, stay) * stay.size
        fits[target, strength] = ends
        found.append((target, strength, total / counted))

    for target in targets:  # each target's grid from strong to weak, each fold warm-started
        starts = [_start(base, target) for _, _, base, _, _ in seen_folds]
        for strength in grid[target]:
            held_out_loss(target, strength, starts)
            starts = fits[target, strength]

    def order(item: tuple[str, float, float]) -> tuple[float, int, float]:
        # On a tie, the classic scorecard's pull (listed first) and the stronger one.
        return item[2], targets.index(item[0]), -item[1]

    if l2 == "cv":  # the grid is ten times apart: try the best's neighbours between
        target, strength, _ = min(found, key=order)
        for step in REFINE:
            held_out_loss(target, float(f"{strength * step:.3g}"), fits[target, strength])
    best = min(found, key=order)
    return best[1], best[0], tuple(found)


def anchors_again(seen: list[MetricInfo], y: BoolArray) -> list[MetricInfo]:
    """``seen`` (the infos of one fold's training rows, ``y`` their outcomes) with each
    anchor (see :func:`anchored`: a freed category's, or a number's held to a direction its
    own churn runs against) — its values in a free fit with a light pull next to the other
    metrics — learnt again from those rows alone: learnt from every training account, it
    carries the held-out accounts' churn into the target that cross-validation pulls
    toward, and a strong pull looks better than it is."""
    if all(info.anchor is None for info in seen):
        return seen
    loose = fit_infos(seen, y, COEF_L2, tol=CV_TOL)
    return [info if info.anchor is None else attrs.evolve(info, anchor=loose.tables[j])
            for j, info in enumerate(seen)]


def _importance(info: MetricInfo, table: FloatArray) -> float:
    """The spread of the metric's points over the accounts (weighted standard deviation)."""
    accounts = np.asarray(info.bins.accounts, dtype=np.float64)
    mean = float(np.sum(accounts * table) / max(float(accounts.sum()), 1.0))
    return float(np.sqrt(np.sum(accounts * (table - mean) ** 2) / max(float(accounts.sum()),
                                                                      1.0)))


def select(infos: list[MetricInfo], y: BoolArray, l2: float, max_metrics: int | None,
           dropped: list[tuple[str, str]], fit: Additive,
           rows: npt.NDArray[np.intp] | None = None,
           toward: str = "scorecard") -> tuple[list[MetricInfo], Additive]:
    """The metrics kept and their joint fit (on ``rows``, all when ``None``), from the
    two-stage ``fit`` of all ``infos``; with ``max_metrics``, the least important go (by
    the spread of their points over the accounts) until that many are left."""
    while max_metrics is not None and len(infos) > max_metrics:
        importance = [_importance(i, t) for i, t in zip(infos, fit.tables, strict=True)]
        excess = len(infos) - max_metrics
        cut = 1 if excess <= 4 else excess // 2  # large excesses go in halves
        order = np.lexsort((np.arange(len(infos)), np.asarray(importance)))[:cut].tolist()
        for position in sorted(order):
            dropped.append((infos[position].name, f"cut to keep max_metrics={max_metrics} "
                            f"(least important: {importance[position]:.3f})"))
        gone = set(order)
        infos = [info for j, info in enumerate(infos) if j not in gone]
        fit = two_stage(infos, y, l2, rows, toward)
    if not infos:
        raise ModelError("no metric predicts churn in these outcomes; no card can be fitted")
    return infos, fit


def free_levels(infos: list[MetricInfo], fit: Additive, y: BoolArray,
                rows: npt.NDArray[np.intp] | None = None) -> list[MetricInfo]:
    """``infos`` with the categories whose levels pay for leaving their churn order freed
    (``infos`` itself when none do), given their joint ``fit`` (on ``rows``, all when
    ``None``); a freed category's classic-scorecard profile becomes its values in a free
    fit with a light pull.

    A category's levels are fitted in the order of their own churn rates; where that order
    pools levels together, a score test asks whether the card's residuals pull them apart:
    the sum over the levels of (summed residual)² / curvature, against the chi-square with
    as many degrees of freedom as levels were pooled away, at 5 % shared out over the
    categories tested. A streaming add-on that churns less on its own but more next to
    tenure and contract passes; the "no internet service" level that six add-on columns
    repeat, whose effect the internet column already carries, does not."""
    outcome = y if rows is None else y[rows]
    codes = [i.codes if rows is None else i.codes[rows] for i in infos]
    residual, curve = residuals(codes, fit, outcome)
    tested = []
    for j, info in enumerate(infos):  # a loop over metrics, then a category's levels
        order = info.shape.order
        if order is None or info.kind is not Kind.CATEGORY:
            # A number of any shape keeps its bands' churn order: its bands are cut where
            # its churn changes, so no other metric can explain a band away.
            continue
        values = fit.tables[j][order]
        pooled = len(order) - 1 - int(np.count_nonzero(np.abs(np.diff(values)) > 1e-9))
        if pooled > 0:
            pull = np.bincount(codes[j], residual, minlength=info.size)[order]
            bend = np.bincount(codes[j], curve, minlength=info.size)[order]
            tested.append((j, pooled, float(np.sum(pull * pull / np.maximum(bend, 1e-12)))))
    freed = {j for j, pooled, score in tested
             if score > critical_chi2(pooled, SIGNIFICANCE / len(tested))}
    if not freed:
        return infos
    infos = [attrs.evolve(info, shape=Shape()) if j in freed else info
             for j, info in enumerate(infos)]
    return anchored(infos, {infos[j].name for j in freed}, y, rows,
                    start=(fit.tables, fit.intercept))


def anchored(infos: list[MetricInfo], names: set[str], y: BoolArray,
             rows: npt.NDArray[np.intp] | None = None,
             start: tuple[Sequence[FloatArray], float] | None = None) -> list[MetricInfo]:
    """``infos`` with the metrics of ``names`` anchored at their values in a free fit with
    a light pull next to the others (on ``rows``, all when ``None``; warm-started from
    ``start``): the classic scorecard scales those values, not a weight of evidence that
    runs the other way (a freed category's, or a number's whose own churn runs against
    the direction fixed for it) and would anchor them at zero."""
    if not names:
        return infos
    loose = fit_infos(infos, y, COEF_L2, rows, start=start)
    return [attrs.evolve(info, anchor=loose.tables[j]) if info.name in names else info
            for j, info in enumerate(infos)]


def _numbers(portfolio: Portfolio, name: str, rows: npt.NDArray[np.intp]) -> FloatArray:
    column = portfolio.column(name)
    if column.kind is Kind.CATEGORY:
        return np.full(rows.shape, np.nan)
    values = portfolio.column(name, Kind.NUMBER).values[rows]
    present = ~np.isnan(values)
    fill = float(np.median(values[present])) if present.any() else 0.0
    result: FloatArray = np.where(present, values, fill)
    return result


def name_twins(portfolio: Portfolio, dropped: list[tuple[str, str]], kept: Sequence[str],
               rows: npt.NDArray[np.intp]) -> list[tuple[str, str]]:
    """Each metric dropped for earning less than a point names the kept number it
    correlates with most (|r| ≥ 0.3, on ``rows``), if any."""
    result = []
    kept_values: dict[str, FloatArray] = {}
    for name, reason in dropped:  # a loop over dropped metrics
        if reason == UNDER_A_POINT and name in portfolio.names:
            if not kept_values:  # read the kept metrics only when some reason needs them
                kept_values = {other: _numbers(portfolio, other, rows) for other in kept}
            mine = _numbers(portfolio, name, rows)
            best, best_r = "", 0.0
            for other, values in kept_values.items():
                if np.isnan(mine).any() or np.isnan(values).any() or mine.std() == 0 or \
                        values.std() == 0:
                    continue
                r = float(np.corrcoef(mine, values)[0, 1])
                if abs(r) > abs(best_r):
                    best, best_r = other, r
            if abs(best_r) >= 0.3:
                reason += f"; it says what {best!r} says (r = {best_r:.2f})"
        result.append((name, reason))
    return result

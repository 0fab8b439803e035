"""What a card's band values are pulled toward (the classic scorecard or a flat card), and
cross-validation that learns each fold's scorecard without the fold's held-out accounts."""

from __future__ import annotations

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.outcomes.test_card_fit import addon_next_to_tenure

import successkit as sk
from successkit.data.kinds import Kind
from successkit.outcomes import fit_card
from successkit.outcomes._card_prep import info_of, seen_by
from successkit.outcomes._card_select import FLAT_GRID, L2_GRID, REFINE
from successkit.outcomes.auc import roc_auc
from successkit.scoring._binning import HIGHER, LOWER, Bins
from successkit.scoring._card_solver import Shape, backfit, predictor


def _reference_profile(codes: np.ndarray, y: np.ndarray, size: int, bands: int, prior: float,
                       direction: int | None, own: bool, worst: int) -> np.ndarray:
    """Plain-Python weight of evidence per band, monotone along a number's direction."""
    rate = sum(y) / len(y)
    values = []
    for band in range(size):
        members = [bool(v) for c, v in zip(codes.tolist(), y.tolist(), strict=True) if c == band]
        held = len(members) + prior
        shrunk = (sum(members) + prior * rate) / held if held else rate  # empty: no evidence
        shrunk = min(max(shrunk, 1e-6), 1 - 1e-6)
        values.append(np.log((1 - shrunk) / shrunk) - np.log((1 - rate) / rate))
    head = values[:bands]
    if direction == HIGHER:
        head = [max(head[: j + 1]) for j in range(bands)]
    elif direction == LOWER:
        head = [max(head[j:]) for j in range(bands)]
    missing = values[-1] if own else head[worst]
    return np.array([*head, *values[bands:-1], missing])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(30, 200), share=st.floats(0.3, 0.9),
       kind=st.sampled_from(["number-up", "number-down", "category"]),
       own=st.booleans(), prior=st.sampled_from([0.0, 5.0, 20.0]))
def test_a_fold_sees_the_card_as_its_own_rows_would(seed, n, share, kind, own, prior) -> None:
    """A fold's metric — codes, weight of evidence, a category's level order — is what
    learning it on the fold's rows alone gives (the bands themselves stay), and matches a
    plain-Python weight of evidence."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.3
    y[:2] = [True, False]
    if kind == "category":
        values = rng.choice(["a", "b", "c", "d"], n).astype(object)
        values[rng.random(n) < 0.1] = None
        pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "m": values})
        levels = pf.column("m").categories
        bins = Bins(levels=tuple((str(level),) for level in levels))
        metric_kind, direction, worst = Kind.CATEGORY, None, 0
    else:
        values = rng.uniform(0, 1, n)
        values[rng.random(n) < 0.1] = np.nan
        pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "m": values})
        direction = HIGHER if kind == "number-up" else LOWER
        bins = Bins(cuts=(0.3, 0.6), direction=direction)
        metric_kind, worst = Kind.NUMBER, 0 if direction == HIGHER else 2
    whole = info_of(pf, y, None, prior, "m", metric_kind, bins, own, worst)
    rows = np.sort(rng.permutation(n)[: max(2, int(share * n))])
    if y[rows].all() or not y[rows].any():
        rows = np.concatenate([rows, [0, 1]])
    rows = np.unique(rows)
    fold = seen_by(whole, rows, y[rows], prior)
    alone = info_of(pf, y[rows], rows, prior, "m", metric_kind, bins, own, worst)
    assert np.array_equal(fold.codes, alone.codes)
    assert np.allclose(fold.profile, alone.profile)
    reference = _reference_profile(alone.codes, y[rows], whole.size, whole.bands, prior,
                                   direction, own, worst)
    assert np.allclose(fold.profile, reference)
    if metric_kind is Kind.CATEGORY:
        assert fold.shape.order is not None
        assert np.array_equal(fold.shape.order, alone.shape.order)
        assert np.array_equal(fold.shape.order,
                              np.argsort(reference[: whole.bands], kind="stable"))
    else:
        assert (fold.shape.ordered, fold.shape.direction) == (3, direction)
    # The whole-data metric is left as it was.
    assert whole.codes.shape == (n,)


def _loans(n: int, seed: int) -> tuple[sk.Portfolio, np.ndarray]:
    """A loan's sub-grade (35 levels) is set from its interest rate; the rate carries the
    risk, and a few hundred defaults leave each grade's own rate noisy."""
    rng = np.random.default_rng(seed)
    rate = rng.uniform(5, 25, n)
    names = np.array([f"{'ABCDEFG'[i // 5]}{i % 5 + 1}" for i in range(35)])
    grade = names[np.minimum((rate - 5) / 20 * 35, 34).astype(int)]
    income = rng.lognormal(11, 0.5, n)
    stay = 5.0 - 0.12 * rate + 0.3 * (np.log(income) - 11)
    defaulted = rng.random(n) < 1 / (1 + np.exp(stay))
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "int_rate": rate,
                                    "sub_grade": grade, "income": income})
    return pf, defaulted


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_grade_that_repeats_the_rate_is_pulled_toward_a_flat_card(seed: int) -> None:
    """Pulled toward the scorecard, each of 35 grades keeps its own noisy default rate;
    pulled toward no points, the rate carries the trend and the card ranks new loans
    better. Cross-validation on the training loans alone finds that."""
    pf, defaulted = _loans(6000, seed)
    train, test = np.arange(4000), np.arange(4000, 6000)
    chosen = fit_card(pf.take(train), defaulted[train])
    assert chosen.l2_toward == "flat"
    assert "toward the flat card" in chosen.summary()
    scorecard = fit_card(pf.take(train), defaulted[train], l2_toward="scorecard")
    assert scorecard.l2_toward == "scorecard"
    held_out = pf.take(test)
    assert roc_auc(chosen.model.score(held_out).score, defaulted[test]) > roc_auc(
        scorecard.model.score(held_out).score, defaulted[test])


def test_what_the_pull_aims_at_is_a_choice_of_three() -> None:
    pf, defaulted = _loans(1000, 0)
    with pytest.raises(sk.ModelError, match="l2_toward"):
        fit_card(pf, defaulted, l2_toward="zero")
    fixed = fit_card(pf, defaulted, l2=3.0, l2_toward="flat")
    assert (fixed.l2, fixed.l2_toward, fixed.cv_loss) == (3.0, "flat", ())
    assert "l2 = 3 toward the flat card (no points)" in fixed.summary()
    assert "cross-validated" not in fixed.summary()


def test_no_prior_leaves_an_empty_band_without_evidence() -> None:
    """With ``prior=0`` a band no training account holds (here: missing values) reads as
    the overall rate rather than 0 / 0."""
    pf, defaulted = _loans(2000, 1)
    fit = fit_card(pf, defaulted, prior=0.0, columns=["int_rate", "income"])
    scheme = fit.model.metric("int_rate").scheme
    assert all(np.isfinite(scheme.points))
    assert not scheme.higher_is_better
    assert max(scheme.points) == 1000.0


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), metrics=st.integers(1, 6),
       l2=st.sampled_from([0.3, 3.0, 30.0]))
def test_the_flat_fit_is_ridge_logistic_regression(seed: int, metrics: int, l2: float) -> None:
    """Free band values pulled toward no points are L2-penalised logistic regression on
    one-hot bands with a free intercept: scikit-learn's, with ``C = 1 / l2``."""
    linear = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(seed)
    n = 3000
    sizes = rng.integers(2, 7, metrics).tolist()
    codes = [rng.integers(0, size, n).astype(np.int16) for size in sizes]
    effect = sum(rng.normal(0, 0.6, size)[c] for size, c in zip(sizes, codes, strict=True))
    churned = rng.random(n) < 1 / (1 + np.exp(0.5 + effect))
    fit = backfit(codes, [Shape()] * metrics, sizes, churned, l2=l2, tol=1e-8,
                  max_passes=500)
    design = np.hstack([np.eye(size)[c] for size, c in zip(sizes, codes, strict=True)])
    reference = linear.LogisticRegression(C=1 / l2, tol=1e-10, max_iter=10_000).fit(
        design, ~churned)
    ours = predictor(codes, fit.tables, fit.intercept, n)
    assert np.allclose(ours, reference.decision_function(design), atol=1e-4)
    assert np.allclose(np.concatenate(fit.tables), reference.coef_[0], atol=1e-4)


def test_cross_validation_tries_each_target_from_strong_to_weak() -> None:
    """The scorecard's pull from 10 000 down to 0.001 accounts' curvature per band, the
    flat card's from 100 (stronger, it earns next to nothing) to 1 (weaker, the target
    hardly matters); then the grid's best target at its best strength × 3.16 and ÷ 3.16;
    the choice is the lowest held-out loss of all those."""
    pf, defaulted = _loans(3000, 0)
    fit = fit_card(pf, defaulted)
    grid = [(toward, l2) for toward, l2, _ in fit.cv_loss[: len(L2_GRID) + len(FLAT_GRID)]]
    assert grid == [("scorecard", l2) for l2 in L2_GRID] + [("flat", l2) for l2 in FLAT_GRID]
    best = min(fit.cv_loss[: len(grid)], key=lambda row: row[2])
    around = [(toward, l2) for toward, l2, _ in fit.cv_loss[len(grid):]]
    assert around == [(best[0], float(f"{best[1] * step:.3g}")) for step in REFINE]
    assert REFINE == (10 ** 0.5, 10 ** -0.5)
    assert FLAT_GRID == (100.0, 10.0, 1.0)
    chosen = min(fit.cv_loss, key=lambda row: row[2])
    assert (fit.l2_toward, fit.l2) == chosen[:2]
    assert fit.l2 in (best[1], *(l2 for _, l2 in around))


def test_a_freed_categorys_scorecard_values_are_learnt_again_without_each_fold(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A freed category is pulled toward its values in a free fit (its anchor), learnt
    from every training account. Each cross-validation fold must learn that anchor again
    from its own training accounts: then the held-out accounts' outcomes reach neither
    the target a fold pulls toward nor its fit. Flipping fold 0's held-out outcomes (and
    learning the full anchor again from them, as ``free_levels`` would) leaves fold 0's
    classic scorecard exactly as it was."""
    from successkit.outcomes import _card_select, card_fit

    pf, churned = addon_next_to_tenure(6000)
    real_fit, real_choose = _card_select.fit_infos, _card_select.choose_l2
    scorecards: list[list[np.ndarray]] = []

    def spy_fit(infos, y, l2, rows=None, start=None, anchor=None, *, scaled=False, tol=1e-3):
        if scaled:  # a fold's classic scorecard: the profiles (or anchors) it scales
            scorecards.append([np.array(i.profile if i.anchor is None else i.anchor)
                               for i in infos])
        return real_fit(infos, y, l2, rows, start, anchor, scaled=scaled, tol=tol)

    compared: list[tuple[list[np.ndarray], list[np.ndarray]]] = []

    def spy_choose(infos, y, l2, toward, folds, keys, prior, within=None):
        freed = [j for j, info in enumerate(infos) if info.anchor is not None]
        if freed and within is None:
            flipped = y.copy()
            held_out = keys.folds(folds) == 0
            flipped[held_out] = ~flipped[held_out]
            loose = real_fit(infos, flipped, _card_select.COEF_L2)
            again = [attrs.evolve(info, anchor=loose.tables[j]) if j in freed else info
                     for j, info in enumerate(infos)]
            first = []
            for these, outcome in ((infos, y), (again, flipped)):
                scorecards.clear()
                real_choose(these, outcome, l2, toward, folds, keys, prior, within)
                first.append(scorecards[0])
            compared.append((first[0], first[1]))
        return real_choose(infos, y, l2, toward, folds, keys, prior, within)

    monkeypatch.setattr(_card_select, "fit_infos", spy_fit)
    monkeypatch.setattr(card_fit, "choose_l2", spy_choose)
    fit = fit_card(pf, churned, l2_toward="scorecard")
    assert fit.levels_against_churn == ("addon",)
    assert compared  # the freed category's pull was cross-validated
    for before, after in compared:
        for one, other in zip(before, after, strict=True):
            assert np.array_equal(one, other)

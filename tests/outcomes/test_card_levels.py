"""Categories whose levels differ only by chance stay off a fitted card; a category that
matters only next to the other metrics comes back on its second look."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import successkit as sk
from successkit.errors import ModelError
from successkit.outcomes import fit_card
from successkit.outcomes._card_entry import level_statistic
from successkit.outcomes._card_prep import CHANCE_LEVELS
from successkit.scoring._likelihood import levels_held_out


def _reference_held_out(codes: list[int], churned: list[bool], folds: list[int],
                        n_folds: int, prior: float) -> float:
    """Plain-Python held-out log-likelihood of shrunk level rates over the overall rate."""
    total = 0.0
    for f in range(n_folds):
        train = [(c, y) for c, y, g in zip(codes, churned, folds, strict=True) if g != f]
        test = [(c, y) for c, y, g in zip(codes, churned, folds, strict=True) if g == f]
        overall = sum(y for _, y in train) / len(train) if train else 0.0
        base = min(max(overall, 1e-6), 1 - 1e-6)
        for code, y in test:
            mine = [v for c, v in train if c == code]
            rate = (sum(mine) + prior * overall) / (len(mine) + prior) if mine or prior else 0.0
            rate = min(max(rate, 1e-6), 1 - 1e-6)
            total += math.log(rate / base) if y else math.log((1 - rate) / (1 - base))
    return total


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(5, 120), levels=st.integers(1, 8),
       n_folds=st.integers(2, 5), prior=st.sampled_from([0.0, 1.0, 20.0]))
def test_held_out_gain_matches_a_plain_reference(seed, n, levels, n_folds, prior) -> None:
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, levels, n)
    churned = rng.random(n) < rng.uniform(0.05, 0.95)
    folds = rng.integers(0, n_folds, n)
    got = levels_held_out(codes, churned, folds, n_folds, prior)
    expected = _reference_held_out(codes.tolist(), churned.tolist(), folds.tolist(),
                                   n_folds, prior)
    assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-7)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 100), levels=st.integers(1, 6))
def test_level_statistic_matches_a_plain_reference(seed, n, levels) -> None:
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, levels, n).astype(np.int16)
    residual = rng.normal(0, 0.4, n)
    weight = rng.uniform(0.01, 0.25, n)
    statistic, df = level_statistic(codes, residual, weight)
    seen = sorted(set(codes.tolist()))
    expected = sum(sum(r for c, r in zip(codes, residual, strict=True) if c == level) ** 2
                   / sum(w for c, w in zip(codes, weight, strict=True) if c == level)
                   for level in seen) - sum(residual) ** 2 / sum(weight)
    assert df == len(seen) - 1
    assert math.isclose(statistic, expected, rel_tol=1e-9, abs_tol=1e-9)
    assert statistic >= -1e-9  # group means never explain less than one mean


def _accounts(n: int, seed: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """A login rate and a plan that drive churn, and two columns of pure noise: a state
    of 50 levels and a 150-level region code."""
    rng = np.random.default_rng(seed)
    login = rng.uniform(0, 1, n)
    plan = rng.choice(["basic", "pro", "team"], n)
    risk = 0.45 - 0.35 * login + np.where(plan == "basic", 0.15, 0.0)
    columns = {"id": np.arange(n).astype(str), "login_rate": login, "plan": plan,
               "state": rng.choice([f"s{i:02d}" for i in range(50)], n),
               "region": rng.choice([f"r{i:03d}" for i in range(150)], n)}
    return columns, rng.random(n) < risk


def test_levels_that_differ_by_chance_stay_off_the_card() -> None:
    columns, churned = _accounts(12_000, 3)
    fitted = fit_card(sk.Portfolio.from_columns(columns), churned)
    on_card = {m.name for m in fitted.model.metrics}
    assert {"login_rate", "plan"} <= on_card
    assert dict(fitted.dropped).get("state") == CHANCE_LEVELS
    assert dict(fitted.dropped).get("region") == CHANCE_LEVELS
    summary = fitted.summary()
    assert "state: its levels predict held-out accounts' churn worse" in summary


def test_a_category_on_the_card_by_chance_is_named() -> None:
    """A three-level category with no effect is not clearly worse than one rate on
    held-out accounts, so it often stays for the joint fit; when it does, the fit names it
    with its test's p, and a plan that matters is never named."""
    rng = np.random.default_rng(0)
    n = 3000
    login = rng.normal(size=n)
    churned = rng.random(n) < 1 / (1 + np.exp(login))
    kept = named = 0
    for seed in range(12):
        draw = np.random.default_rng(100 + seed)
        plan = np.where(login + draw.normal(scale=2, size=n) > 0, "pro", "basic")
        pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "login_rate": login,
                                        "noise": draw.choice(["a", "b", "c"], n),
                                        "plan": plan})
        fitted = fit_card(pf, churned)
        chance = dict(fitted.by_chance)
        assert "plan" not in chance
        assert "login_rate" not in chance
        on_card = {m.name for m in fitted.model.metrics}
        assert set(chance) <= on_card
        kept += "noise" in on_card
        named += "noise" in chance
        if "noise" in chance:
            assert 0.05 <= chance["noise"] <= 1.0
            assert f"noise (p = {chance['noise']:.2g})" in fitted.summary()
    assert kept >= 6  # why the name matters: noise levels stay more often than not
    assert named >= kept - 1


def test_a_category_that_matters_next_to_the_others_comes_back() -> None:
    """Each of 30 segments moves churn by ±1.5 log-odds, but its accounts log in more
    where it churns more, so on its own every segment churns alike."""
    rng = np.random.default_rng(5)
    n = 20_000
    effect = np.tile([1.5, -1.5], 15)
    segment = rng.integers(0, 30, n)
    login = rng.normal(effect[segment] / 2.0, 1.0)
    logit = -1.0 + effect[segment] - 2.0 * login
    churned = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))
    columns = {"id": np.arange(n).astype(str), "login_rate": login,
               "segment": np.array([f"g{s:02d}" for s in segment])}
    pf = sk.Portfolio.from_columns(columns)
    # On its own the segment says nothing: its levels are left off as chance ...
    with pytest.raises(ModelError, match="differ by chance"):
        fit_card(pf, churned, columns=["segment"])
    fitted = fit_card(pf, churned)
    # ... but next to the login rate it comes back, its segments in the order of their effect.
    assert "segment" not in dict(fitted.dropped)
    points = dict(fitted.model.metric("segment").scheme.mapping)
    high = [points[f"g{s:02d}"] for s in range(30) if effect[s] > 0]
    low = [points[f"g{s:02d}"] for s in range(30) if effect[s] < 0]
    assert max(high) < min(low)


def test_a_metric_back_on_its_second_look_competes_for_max_metrics() -> None:
    """The segment that matters only next to the login rate takes the second place over
    two noise columns that passed their own test by chance."""
    rng = np.random.default_rng(5)
    n = 20_000
    effect = np.tile([1.5, -1.5], 15)
    segment = rng.integers(0, 30, n)
    login = rng.normal(effect[segment] / 2.0, 1.0)
    churned = rng.random(n) < 1.0 / (1.0 + np.exp(-(-1.0 + effect[segment] - 2.0 * login)))
    pf = sk.Portfolio.from_columns({
        "id": np.arange(n).astype(str), "login_rate": login,
        "segment": np.array([f"g{s:02d}" for s in segment]),
        "plan": rng.choice(["a", "b"], n), "period": rng.choice(["p1", "p2", "p3"], n)})
    fitted = fit_card(pf, churned, max_metrics=2)
    assert [m.name for m in fitted.model.metrics] == ["login_rate", "segment"]
    reasons = dict(fitted.dropped)
    assert reasons["plan"].startswith("cut to keep max_metrics=2")
    assert reasons["period"].startswith("cut to keep max_metrics=2")

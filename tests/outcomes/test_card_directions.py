"""A direction fixed by ``monotone`` holds on the whole card: the second look next to the
other metrics keeps it, a metric that would only enter the other way round is named, and
one whose own churn runs against it earns its points next to the others."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import successkit as sk
from successkit.errors import ModelError
from successkit.outcomes import fit_card
from successkit.outcomes._card_entry import AGAINST_NEXT, AGAINST_OWN
from successkit.outcomes.auc import roc_auc

FIXED = {1: "higher_is_better", -1: "lower_is_better"}


def hidden_by_its_twin(n: int, seed: int, cost: float) -> tuple[sk.Portfolio, np.ndarray]:
    """``usage`` keeps accounts; ``seats`` moves with usage (r = 0.8) and, at the same
    usage, costs ``cost`` log-odds of staying per unit: near 1.2 it says nothing on its
    own (its churn is flat) and a clear "lower is better" next to usage."""
    rng = np.random.default_rng(seed)
    usage = rng.normal(size=n)
    seats = 0.8 * usage + 0.6 * rng.normal(size=n)
    stay = 1.5 * usage - cost * seats
    churned = rng.random(n) < 1 / (1 + np.exp(stay))
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "usage": usage,
                                    "seats": seats})
    return pf, churned


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), cost=st.floats(1.1, 1.3), way=st.sampled_from([1, -1]))
def test_the_second_look_never_turns_a_fixed_direction_round(seed: int, cost: float,
                                                             way: int) -> None:
    pf, churned = hidden_by_its_twin(5000, seed, cost)
    fit = fit_card(pf, churned, monotone={"seats": FIXED[way]})
    kept = {m.name: m.scheme for m in fit.model.metrics}
    if "seats" in kept:
        assert isinstance(kept["seats"], sk.Thresholds)
        assert kept["seats"].higher_is_better is (way == 1)
        assert kept["seats"].shape == "monotone"
    else:
        assert "seats" in dict(fit.dropped)


def test_a_metric_that_would_enter_only_the_other_way_is_named() -> None:
    pf, churned = hidden_by_its_twin(6000, seed=3, cost=1.2)
    auto = fit_card(pf, churned)
    assert auto.model.metric("seats").scheme.higher_is_better is False  # what the data say
    fixed = fit_card(pf, churned, monotone={"seats": "higher_is_better"})
    assert "seats" not in fixed.model.names
    assert dict(fixed.dropped)["seats"] == AGAINST_NEXT
    assert fixed.against_direction == ("seats",)
    assert "seats" in fixed.summary()
    # Fixed the way the data run next to usage, it is on the card.
    agreed = fit_card(pf, churned, monotone={"seats": "lower_is_better"})
    assert agreed.model.metric("seats").scheme.higher_is_better is False
    assert "seats" not in dict(agreed.dropped)


def test_a_number_held_flat_by_its_fixed_direction_is_named_when_it_runs_the_other_way(
) -> None:
    # cost 0.5: on its own, more seats churn less (they come with usage); next to usage,
    # more seats churn more. Fixed as higher-is-better, the card holds it flat.
    pf, churned = hidden_by_its_twin(6000, seed=4, cost=0.5)
    fixed = fit_card(pf, churned, monotone={"seats": "higher_is_better"})
    assert "seats" not in fixed.model.names
    assert dict(fixed.dropped)["seats"] == AGAINST_NEXT
    assert fixed.against_direction == ("seats",)
    # Left to the data, its own direction holds it flat too; the reason says it runs the
    # other way next to usage, and how to let it. Nothing was fixed for it to run against.
    auto = fit_card(pf, churned)
    assert auto.against_direction == ()
    assert dict(auto.dropped)["seats"] == AGAINST_OWN


def test_a_fixed_turn_is_not_replaced_by_a_staircase() -> None:
    pf, churned = hidden_by_its_twin(6000, seed=3, cost=1.2)
    fit = fit_card(pf, churned, monotone={"seats": "middle_is_best"})
    if "seats" in fit.model.names:
        assert fit.model.metric("seats").scheme.shape == "middle_is_best"
    else:
        assert "seats" in dict(fit.dropped)


def returns_next_to_buying(n: int, seed: int) -> tuple[sk.Portfolio, np.ndarray]:
    """Returns come with frequent buying, so accounts with returns churn less on their
    own; at the same frequency, a return costs 0.5 log-odds of staying."""
    rng = np.random.default_rng(seed)
    frequency = 1 + rng.negative_binomial(1, 0.25, n)
    returns = rng.binomial(frequency, 0.08)
    stay = -0.8 + 0.9 * np.log(frequency) - 0.5 * (returns > 0)
    churned = rng.random(n) < 1 / (1 + np.exp(stay))
    pf = sk.Portfolio.from_columns({"id": np.char.add("c", np.arange(n).astype(str)),
                                    "frequency": frequency.astype(float),
                                    "returns": returns.astype(float)})
    return pf, churned


def test_a_fixed_direction_against_its_own_churn_earns_points_next_to_the_others() -> None:
    pf, churned = returns_next_to_buying(24_000, seed=8)
    rows = np.arange(len(pf))
    train, test = pf.take(rows % 3 != 0), pf.take(rows % 3 == 0)
    y_train, y_test = churned[rows % 3 != 0], churned[rows % 3 == 0]
    with_returns = train["returns"] > 0
    assert y_train[with_returns].mean() < y_train[~with_returns].mean()  # on their own
    auto = fit_card(train, y_train)
    assert "returns" not in auto.model.names
    assert dict(auto.dropped)["returns"] == AGAINST_OWN  # and says how to let it in
    fixed = fit_card(train, y_train, monotone={"returns": "lower_is_better"})
    scheme = fixed.model.metric("returns").scheme
    assert isinstance(scheme, sk.Thresholds)
    assert scheme.higher_is_better is False
    no_returns, some = scheme.points_by_value
    assert no_returns - some >= 20  # not a token point
    assert fixed.against_direction == ("returns",)
    assert "returns" not in dict(fixed.dropped)
    assert roc_auc(fixed.model.score(test).score, y_test) > roc_auc(
        auto.model.score(test).score, y_test)


def test_a_card_with_a_fixed_direction_round_trips() -> None:
    pf, churned = returns_next_to_buying(12_000, seed=9)
    fit = fit_card(pf, churned, monotone={"returns": "lower_is_better"})
    again = sk.HealthModel.from_dict(json.loads(json.dumps(fit.model.to_dict())))
    assert again == fit.model
    assert np.array_equal(again.score(pf).score, fit.model.score(pf).score)


def test_a_direction_fixed_for_a_category_is_refused_not_ignored() -> None:
    pf, churned = returns_next_to_buying(3000, seed=1)
    pf = pf.with_columns({"plan": np.where(np.arange(len(pf)) % 2 == 0, "basic", "pro")})
    with pytest.raises(ModelError, match="'plan' is a category") as caught:
        fit_card(pf, churned, monotone={"plan": "higher_is_better"})
    assert "level_order" in str(caught.value)
    # "auto" fixes nothing, so naming a category with it is fine.
    fit_card(pf, churned, monotone={"plan": "auto", "returns": "lower_is_better"})

"""fit_card's ``special=``: codes of a number that are not amounts earn points of their own."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.outcomes.test_card_export import json_again, sql_scores

import successkit as sk
from successkit.outcomes import fit_card, reason_codes


def survey(n: int = 6000, seed: int = 0, *, never: float = 0.6, rare: int = 6):
    """NPS 0–10 (churn falls with it), ``-1`` "never asked" on 15 % of accounts churning at
    ``never``, ``-2`` on ``rare`` accounts, 10 % missing; and a login rate."""
    rng = np.random.default_rng(seed)
    nps = rng.integers(0, 11, n).astype(float)
    asked = rng.random(n) >= 0.15
    nps[~asked] = -1.0
    nps[rng.choice(np.flatnonzero(asked), rare, replace=False)] = -2.0
    gone = rng.random(n) < 0.1
    nps[gone & asked & (nps != -2)] = np.nan
    login = rng.uniform(0, 1, n)
    risk = np.where(nps == -1, never, 0.45 - 0.035 * np.nan_to_num(nps, nan=5.0))
    risk = np.clip(risk + np.where(login < 0.3, 0.15, 0.0), 0.02, 0.98)
    y = rng.random(n) < risk
    pf = sk.Portfolio.from_columns({"id": [f"a{i}" for i in range(n)], "nps": nps,
                                    "login": login})
    return pf, y


def test_a_code_earns_points_of_its_own_outside_the_bands() -> None:
    pf, y = survey()
    fit = fit_card(pf, y, special={"nps": [-1]})
    scheme = fit.model.metric("nps").scheme
    special = dict(scheme.special)
    # -1 churns most of all: it earns the fewest points, and no cut is drawn for it.
    assert special[-1.0] == 0.0
    assert scheme.cuts[0] >= 0.5
    assert min(scheme.points) > 0
    nps = pf.column("nps").values
    earned = scheme.to_points(sk.Column.number(nps))
    assert np.allclose(earned[nps == -1], special[-1.0])


def test_a_code_that_churns_least_earns_more_than_the_best_band() -> None:
    pf, y = survey(never=0.02)
    fit = fit_card(pf, y, special={"nps": -1})
    scheme = fit.model.metric("nps").scheme
    assert dict(scheme.special)[-1.0] > max(scheme.points)
    assert scheme.max_points == dict(scheme.special)[-1.0]
    nps = pf.column("nps").values
    scores = fit.model.metric("nps").scheme.scores(sk.Column.number(nps))
    assert np.all(scores[nps == -1] == 100.0)


def test_without_special_the_code_is_read_as_an_amount() -> None:
    pf, y = survey()
    plain = fit_card(pf, y).model.metric("nps").scheme
    assert not plain.special
    assert plain.cuts[0] <= 0.0  # the code sits in a band of its own only by its value


def test_a_rare_code_reads_as_missing_and_the_fit_says_so() -> None:
    pf, y = survey(rare=8)
    fit = fit_card(pf, y, special={"nps": [-1, -2, -7]})
    scheme = fit.model.metric("nps").scheme
    companion = next((m for m in fit.model.metrics if m.name == "nps_missing"), None)
    missing_points = companion.scheme.max_points if companion is not None else 0.0
    special = dict(scheme.special)
    assert special[-2.0] == missing_points
    assert special[-7.0] == missing_points
    notes = " ".join(fit.notes)
    assert "-2 reads as missing (8 training accounts" in notes
    assert "-7 reads as missing (0 training accounts" in notes
    # An account with a rare code scores as an account with no value at all.
    probe = sk.Portfolio.from_columns({"id": ["code", "blank"], "nps": [-2.0, None],
                                       "login": [0.5, 0.5]})
    score = fit.model.score(probe).score
    assert score[0] == pytest.approx(score[1])


def test_special_values_travel_through_json_and_sql() -> None:
    pf, y = survey(2500, seed=3)
    fit = fit_card(pf, y, special=[-1, -2])
    model = fit.model
    assert dict(model.metric("nps").scheme.special)
    again = json_again(model)
    assert again.fingerprint == model.fingerprint
    assert np.array_equal(again.score(pf).score, model.score(pf).score)
    got = sql_scores(model, pf)
    assert np.allclose([got[str(i)] for i in pf.ids], model.score(pf).score, atol=1e-9)


def test_the_card_view_shows_each_code_with_its_accounts_and_churn() -> None:
    pf, y = survey()
    fit = fit_card(pf, y, special={"nps": [-1]})
    rows = [r for r in fit.card().rows if r.metric == "nps"]
    code = next(r for r in rows if r.band == "= -1")
    nps = pf.column("nps").values
    assert code.low == code.high == -1.0
    assert code.share == pytest.approx(np.mean(nps == -1))
    assert code.churn_rate == pytest.approx(y[nps == -1].mean())
    assert sum(r.share for r in rows) == pytest.approx(1.0)


def test_reason_codes_count_a_code_against_the_best_band() -> None:
    pf, y = survey()
    model = fit_card(pf, y, special={"nps": [-1]}).model
    probe = sk.Portfolio.from_columns({"id": ["x"], "nps": [-1.0], "login": [0.9]})
    lost = dict(reason_codes(model, probe).of("x"))
    scheme = model.metric("nps").scheme
    assert lost["nps"] == pytest.approx(scheme.max_points - dict(scheme.special)[-1.0])


def test_a_number_that_says_nothing_but_its_code_keeps_the_code() -> None:
    rng = np.random.default_rng(5)
    n = 5000
    months = rng.integers(1, 37, n).astype(float)
    new = rng.random(n) < 0.2
    months[new] = 0.0  # not live yet: the only thing this column says
    y = rng.random(n) < np.where(new, 0.55, 0.25)
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "months": months})
    fit = fit_card(pf, y, special={"months": [0]})
    scheme = fit.model.metric("months").scheme
    assert scheme.cuts == ()
    assert dict(scheme.special)[0.0] < scheme.points[0]
    assert str(fit.card()).count("any other") == 1


def test_a_column_of_codes_alone_is_left_off_with_why() -> None:
    rng = np.random.default_rng(2)
    n = 3000
    codes = np.where(rng.random(n) < 0.5, -1.0, np.nan)
    login = rng.uniform(0, 1, n)
    y = rng.random(n) < np.where(login < 0.4, 0.5, 0.2)
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "codes": codes,
                                    "login": login})
    fit = fit_card(pf, y, special={"codes": [-1]})
    assert "has no value but its special values" in dict(fit.dropped)["codes"]


def test_special_with_segments() -> None:
    pf, y = survey(8000, seed=4)
    plan = np.where(np.arange(len(pf)) % 2 == 0, "basic", "pro")
    pf = pf.with_columns({"plan": plan})
    fit = fit_card(pf, y, columns=["nps", "login"], special={"nps": [-1]}, by="plan",
                   min_segment=1000)
    for model in dict(fit.model.models).values():
        assert -1.0 in dict(model.metric("nps").scheme.special)


@pytest.mark.parametrize(("special", "fragment"), [
    ({"nope": [-1]}, "not candidates"),
    ({"plan": [-1]}, "is a category column"),
    (["-1"], "must be numbers"),
    ([float("nan")], "finite"),
    ([-1, -1], "twice"),
    ("-1", "takes numbers"),
])
def test_bad_special_options_are_refused(special, fragment) -> None:
    pf, y = survey(500)
    plan = np.where(np.arange(len(pf)) % 2 == 0, "basic", "pro")
    pf = sk.Portfolio.from_columns({"id": pf.ids, "nps": pf.column("nps").values,
                                    "plan": plan})
    with pytest.raises(sk.ModelError, match=fragment):
        fit_card(pf, y, special=special)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), share=st.floats(0.05, 0.3))
def test_shuffled_rows_give_the_same_card_and_codes_score_their_points(seed, share) -> None:
    rng = np.random.default_rng(seed)
    n = 2000
    x = rng.normal(0, 1, n)
    code = rng.random(n) < share
    x[code] = 999.0  # a code far above every amount: read as one, it would be the top band
    y = rng.random(n) < np.where(code, 0.5, 1 / (1 + np.exp(1.2 * np.where(code, 0, x) + 1)))
    ids = np.array([f"a{i}" for i in range(n)])
    pf = sk.Portfolio.from_columns({"id": ids, "x": x})
    fit = fit_card(pf, y, special={"x": [999]})
    order = rng.permutation(n)
    shuffled = fit_card(pf.take(order), y[order], special={"x": [999]})
    assert shuffled.model.fingerprint == fit.model.fingerprint
    scheme = fit.model.metric("x").scheme
    assert 999.0 in dict(scheme.special)
    assert all(c < 999.0 for c in scheme.cuts)
    points = scheme.to_points(sk.Column.number(x))
    assert np.allclose(points[code], dict(scheme.special)[999.0])


def test_a_code_beside_bands_that_turn() -> None:
    rng = np.random.default_rng(9)
    n = 8000
    tickets = rng.integers(0, 13, n).astype(float)
    code = rng.random(n) < 0.1
    tickets[code] = 99.0  # "not tracked"
    risk = np.where(code, 0.1, 0.2 + 0.03 * (tickets - 6) ** 2 / 3)
    y = rng.random(n) < np.clip(risk, 0.02, 0.95)
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "tickets": tickets})
    fit = fit_card(pf, y, monotone="middle_is_best", special={"tickets": [99]})
    scheme = fit.model.metric("tickets").scheme
    assert scheme.shape == "middle_is_best"
    assert max(scheme.cuts) <= 12
    assert dict(scheme.special)[99.0] >= max(scheme.points)


def test_missing_values_still_score_as_the_worst_band_below_a_code() -> None:
    # -1 churns most, so the lowest band earns more than 0; a missing value (no band of
    # its own, as with missing="rule") still earns what the worst band earns.
    pf, y = survey()
    fit = fit_card(pf, y, special={"nps": [-1]}, missing="rule")
    scheme = fit.model.metric("nps").scheme
    assert min(scheme.points) > dict(scheme.special)[-1.0]
    probe = sk.Portfolio.from_columns({"id": ["blank", "worst"], "nps": [None, 0.0],
                                       "login": [0.5, 0.5]})
    score = fit.model.score(probe).score
    assert score[0] == pytest.approx(score[1])

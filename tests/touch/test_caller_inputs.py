"""Touch models and quadrants keep no view of the caller's arrays, and refuse ambiguous or
non-numeric inputs with successkit errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import successkit as sk

AS_OF = "2026-10-01"


class Scores:
    """Any result with ids and score (duck-typed input)."""

    def __init__(self, ids: Any, score: Any) -> None:
        self.ids, self.score = ids, score


def test_bind_copies_the_callers_columns() -> None:
    model = sk.TouchModel([sk.TouchPoint("visit", points=1),
                           sk.TouchPoint("course", tiers={0.5: 1, 1.0: 3})], per=None)
    account = np.array(["a", "a", "a"])
    touchpoint = np.array(["visit", "course", "visit"])
    at = np.array(["2026-09-01", "2026-09-02", "2026-09-03"], dtype="datetime64[D]")
    progress = np.array([np.nan, 1.0, np.nan])
    users = np.array(["u1", "u2", "u3"])
    items = np.array([1, 2, 3])
    count = np.array([1, 1, 1])
    bound = model.bind({"account_id": account, "touchpoint": touchpoint, "at": at,
                        "progress": progress, "user_id": users, "item": items,
                        "count": count}, count="count")
    pf = sk.Portfolio.from_columns({"id": ["a"]}, as_of=AS_OF)
    before = bound.score(pf).total.tolist()
    account[:] = "b"
    touchpoint[1] = "visit"
    at[:] = np.datetime64("2026-12-01")
    progress[1] = 0.5
    users[:] = "u1"
    items[:] = 1
    count[:] = 9
    assert bound.score(pf).total.tolist() == before == [5.0]


def test_classify_copies_duck_typed_inputs() -> None:
    ids = np.array(["a", "b"])
    health = np.array([80.0, 10.0])
    touch = np.array([0.9, 0.1])
    result = sk.Quadrants().classify(Scores(ids, health), Scores(ids, touch))
    ids[0], health[0], touch[0] = "z", 10.0, 0.0
    assert result.ids.tolist() == ["a", "b"]
    assert result.health.tolist() == [80.0, 10.0]
    assert result.touch.tolist() == [0.9, 0.1]
    assert result.quadrant.tolist() == ["A", "D"]


@pytest.mark.parametrize("which", ["health", "touch"])
def test_classify_refuses_repeated_ids(which: str) -> None:
    once, twice = Scores(["a", "b"], [80, 0.9]), Scores(["b", "a", "b"], [0.9, 0.1, 0.2])
    health, touch = (twice, once) if which == "health" else (once, twice)
    with pytest.raises(sk.DataError, match=f"the {which} result repeats") as caught:
        sk.Quadrants().classify(health, touch)
    assert caught.value.account == "b"
    assert caught.value.row == 2


def test_text_scores_are_data_errors() -> None:
    with pytest.raises(sk.DataError, match="must be numbers, got 'high'") as caught:
        sk.Quadrants().classify(Scores(["a", "b"], [80, "high"]), Scores(["a"], [0.9]))
    assert caught.value.account == "b"
    with pytest.raises(sk.DataError, match="must be numbers, got 'x'"):
        sk.Quadrants().assign(["x"], [0.9])
    with pytest.raises(sk.DataError, match="must be numbers"):
        sk.Quadrants().codes([80], [None, "y"])


def test_quadrant_transitions_checks_its_inputs() -> None:
    labels = ("A", "B", "C", "D")
    with pytest.raises(sk.DataError, match="before has 1 quadrant codes but there are 2 ids"):
        sk.QuadrantTransitions(labels=labels, ids=["x", "y"], before=[1], after=[0, 0])
    with pytest.raises(sk.DataError, match="quadrant code 7 is not 0–3"):
        sk.QuadrantTransitions(labels=labels, ids=["x"], before=[7], after=[0])
    with pytest.raises(sk.DataError, match="whole numbers"):
        sk.QuadrantTransitions(labels=labels, ids=["x"], before=["A"], after=[0])
    with pytest.raises(sk.DataError, match="one-dimensional"):
        sk.QuadrantTransitions(labels=labels, ids=[["x"]], before=[0], after=[0])
    for bad in ("ABCD", ("A", "A", "B", "C"), ("A", "B")):
        with pytest.raises(sk.ModelError, match="labels"):
            sk.QuadrantTransitions(labels=bad, ids=[], before=[], after=[])


def test_quadrant_transitions_copies_the_callers_arrays() -> None:
    ids = np.array(["x", "y"])
    before = np.array([1, 3], dtype=np.int8)
    moves = sk.QuadrantTransitions(labels=("A", "B", "C", "D"), ids=ids, before=before,
                                   after=[0, 0])
    ids[0], before[0] = "q", 0
    assert moves.moved_into("A").tolist() == ["x", "y"]


@pytest.mark.parametrize(("name", "wanted"), [("user", "user_id"), ("User ID", "user_id"),
                                              ("item_id", "item"), ("items", "item")])
def test_a_column_that_looks_like_user_id_or_item_is_refused(name: str, wanted: str) -> None:
    model = sk.TouchModel([sk.TouchPoint("visit", points=1)], per=None)
    events = {"account_id": ["a", "a"], "touchpoint": ["visit"] * 2,
              "at": ["2026-09-01"] * 2, name: ["u1", "u2"]}
    with pytest.raises(sk.DataError, match=f"looks like the '{wanted}' column") as caught:
        model.read_events(events)
    assert caught.value.column == name
    # read by its own name, the column next to it is someone else's business
    model.read_events({**events, wanted: ["u1", "u2"]})
    model.read_events({**events, "note": ["x", "y"]} | {wanted: ["u1", "u2"]})


@pytest.mark.parametrize("field", ["window", "half_life"])
def test_a_stored_fraction_of_a_day_is_refused_not_cut(field: str) -> None:
    data = sk.TouchModel.sansan().to_dict()
    data[field] = 2.5
    with pytest.raises(sk.ModelError, match=f"{field} must be a whole number of days"):
        sk.TouchModel.from_dict(data)
    data[field] = 30.0
    assert getattr(sk.TouchModel.from_dict(data), field) == 30


def test_transitions_refuse_classifications_with_other_cuts() -> None:
    class Scores:
        def __init__(self, score: list[float]) -> None:
            self.ids, self.score = ["a", "b"], score

    health, touch = Scores([80.0, 20.0]), Scores([0.6, 0.2])
    usual, strict = sk.Quadrants(), sk.Quadrants(health=90)
    with pytest.raises(sk.ModelError, match=r"before was classified with other cuts \(health 90"):
        usual.transitions(strict.classify(health, touch), usual.classify(health, touch))
    moves = usual.transitions(usual.classify(health, touch), usual.classify(health, touch))
    assert moves.counts.sum() == 2

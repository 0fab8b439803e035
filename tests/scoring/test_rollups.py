"""Roll-up: parent health from child accounts."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import successkit as sk


def model() -> sk.HealthModel:
    return sk.HealthModel([
        sk.Metric("x", scheme=sk.Linear(0, 100), group="G"),
        sk.Metric("y", scheme=sk.Linear(0, 100), group="H"),
    ], min_coverage=0.5)


def portfolio() -> sk.Portfolio:
    return sk.Portfolio.from_columns({
        "id": ["a1", "a2", "a3", "b1", "solo", "c1"],
        "parent_id": ["A", "A", "A", "B", None, "C"],
        "x": [80, 20, 50, None, 50, 10],
        "y": [80, 20, None, None, 50, 10],
        "arr": [300.0, 100.0, 0.0, 50.0, 10.0, None],
    })


def test_equal_weights_by_hand() -> None:
    result = model().score(portfolio())
    parents = result.rollup()
    assert parents.ids.tolist() == ["A", "B", "C"]
    assert parents.score[[0, 2]].tolist() == [50.0, 10.0]  # (80 + 20 + 50) / 3
    assert math.isnan(parents.score[1])  # its one child has no score
    assert parents.children.tolist() == [3, 1, 1]
    assert parents.scored.tolist() == [3, 0, 1]
    assert parents.coverage.tolist() == [1.0, 0.0, 1.0]
    assert parents.band.tolist() == ["yellow", None, "red"]
    assert parents.group_scores["H"][0] == 50.0  # a3's H is missing: (80 + 20) / 2


def test_weighted_by_arr() -> None:
    parents = sk.rollup(model().score(portfolio()), weight="arr")
    # A: (300·80 + 100·20 + 0·50) / 400 = 65; C's child has no ARR → not weighed
    assert parents.score[0] == 65.0
    assert math.isnan(parents.score[2])
    assert parents.coverage[0] == 1.0
    assert parents.weight == "arr"


def test_portfolio_is_aligned_by_id() -> None:
    result = model().score(portfolio())
    other = portfolio().take([5, 4, 3, 2, 1, 0])
    again = sk.rollup(result, portfolio=other)
    np.testing.assert_array_equal(again.score, result.rollup().score)


def test_outputs() -> None:
    parents = model().score(portfolio()).rollup()
    data = json.loads(json.dumps(parents.to_dict(), allow_nan=False))
    assert data["ids"] == ["A", "B", "C"]
    assert data["score"][1] is None
    assert list(parents.to_frame().columns) == ["score", "band", "children", "scored",
                                                "coverage", "G", "H"]
    assert parents.summary().accounts == (1, 1, 0, 1)
    assert repr(parents) == "RollupResult(3 parents, children weighted equally)"
    assert "background-color" in parents._repr_html_()
    assert len(parents) == 3


def test_no_parents_at_all() -> None:
    pf = sk.Portfolio.from_columns({"id": ["a"], "parent_id": [None], "x": [1], "y": [1]},
                                   kinds={"parent_id": "category"})
    parents = model().score(pf).rollup()
    assert len(parents) == 0


def test_errors() -> None:
    result = model().score(portfolio())
    with pytest.raises(sk.DataError, match="negative weight") as info:
        result.rollup(weight="x_neg", portfolio=portfolio().with_columns(
            x_neg=[1, -1, 1, 1, 1, 1]))
    assert info.value.account == "a2"
    with pytest.raises(sk.DataError, match="no such column"):
        result.rollup(by="parent")
    with pytest.raises(sk.DataError, match="expected a number column"):
        result.rollup(weight="parent_id")
    with pytest.raises(sk.DataError, match="HealthResult"):
        sk.rollup("result")  # type: ignore[arg-type]


def test_children_without_a_weight_are_not_weighed() -> None:
    parents = sk.rollup(model().score(portfolio()), weight="arr")
    # A: a3 weighs 0 but has a score, so it is scored; C: c1 has no ARR, so nothing is
    # offered and coverage is 0 / 0.
    assert parents.children.tolist() == [3, 1, 1]
    assert parents.scored.tolist() == [3, 0, 0]
    assert parents.coverage[:2].tolist() == [1.0, 0.0]
    assert math.isnan(parents.coverage[2])
    assert parents.group_scores["G"][0] == 65.0


def test_results_are_slotted() -> None:
    import pickle

    result = model().score(portfolio())
    parents = result.rollup()
    for value in (result, parents):
        assert not hasattr(value, "__dict__")
        assert pickle.loads(pickle.dumps(value)) == value

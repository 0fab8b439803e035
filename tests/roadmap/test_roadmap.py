"""Roadmap: criteria assignment, conditions checked like rules, validation, serialisation."""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import successkit as sk
from strategies import criteria_roadmaps, permutation, roadmap_portfolios

AS_OF = dt.date(2026, 10, 1)


def _pf(**columns: list[object]) -> sk.Portfolio:
    n = len(next(iter(columns.values())))
    return sk.Portfolio.from_columns({"id": [f"a{i}" for i in range(n)], **columns},
                                     as_of=AS_OF)


THREE = sk.Roadmap([
    sk.Stage("one"),
    sk.Stage("two", entry="x >= 50%"),
    sk.Stage("three", entry="y >= 50%"),
])


# -- criteria assignment ------------------------------------------------------------------------


def test_furthest_stage_whose_entry_holds() -> None:
    pf = _pf(x=[0.1, 0.9, 0.1, 0.9, None, None], y=[0.1, 0.1, 0.9, 0.9, None, 0.9])
    # the third account reaches "three" without "two": the furthest entry wins
    assert THREE.assign(pf).stage.tolist() == ["one", "two", "three", "three", "one", "three"]


def test_stage_order_decides() -> None:
    reordered = sk.Roadmap([THREE.stages[0], THREE.stages[2], THREE.stages[1]])
    pf = _pf(x=[0.9], y=[0.9])
    assert THREE.assign(pf).stage.tolist() == ["three"]
    assert reordered.assign(pf).stage.tolist() == ["two"]


def test_unknown_entry_is_not_true() -> None:
    roadmap = sk.Roadmap([sk.Stage("a", entry="x > 1"), sk.Stage("b", entry="not (y > 1)")])
    result = roadmap.assign(_pf(x=[None, 2.0, 0.0], y=[None, None, 0.0]))
    assert result.stage.tolist() == [None, "a", "b"]
    assert result.codes.tolist() == [-1, 0, 1]


def test_entry_conditions_read_health_and_history_functions() -> None:
    history = sk.History([
        sk.Portfolio.from_columns({"id": ["a", "b"], "usage": [100.0, 100.0]},
                                  as_of="2026-09-01"),
        sk.Portfolio.from_columns({"id": ["a", "b"], "usage": [50.0, 110.0]}, as_of=AS_OF),
    ])
    model = sk.HealthModel([sk.Metric("usage", scheme=sk.Linear(0, 100))])
    roadmap = sk.Roadmap([
        sk.Stage("steady"),
        sk.Stage("at risk", entry="change(usage, 30d) <= -20% or health.score < 40"),
    ])
    assert roadmap.assign(history, health=model).stage.tolist() == ["at risk", "steady"]
    result = model.score(history.latest)
    assert roadmap.assign(history.latest, health=result).stage.tolist() == ["steady", "steady"]


def test_constant_conditions() -> None:
    roadmap = sk.Roadmap([sk.Stage("a", entry="true"), sk.Stage("b", entry="false")])
    assert roadmap.assign(_pf(x=[1.0])).stage.tolist() == ["a"]


def test_empty_portfolio() -> None:
    pf = sk.Portfolio.from_columns({"id": [], "x": [], "y": []}, as_of=AS_OF,
                                   kinds={"x": "number", "y": "number"})
    result = THREE.assign(pf)
    assert len(result) == 0
    assert result.counts() == {"one": 0, "two": 0, "three": 0}


# -- conditions checked like rules --------------------------------------------------------------


def test_unknown_name_names_the_stage() -> None:
    roadmap = sk.Roadmap([sk.Stage("start", goal="login_rat >= 50%")])
    with pytest.raises(sk.RuleNameError) as info:
        roadmap.assign(_pf(login_rate=[0.5]))
    assert info.value.suggestion == "login_rate"
    assert str(info.value) == (
        "line 1, column 1: stage 'start' goal: unknown name 'login_rat'; did you mean "
        "'login_rate'?\n  login_rat >= 50%\n  ^^^^^^^^^"
    )


def test_type_errors_of_several_stages_are_raised_together() -> None:
    roadmap = sk.Roadmap([
        sk.Stage("one", goal="tier > 5"),
        sk.Stage("two", entry="x + 1"),
    ])
    pf = _pf(tier=["high"], x=[1.0])
    with pytest.raises(sk.RuleTypeError) as info:
        roadmap.assign(pf)
    messages = [e.message for e in info.value.errors]
    assert messages == [
        "stage 'one' goal: cannot compare category 'tier' with a number",
        "stage 'two' entry: expected a condition, found a number",
    ]


def test_check_finds_problems_without_data() -> None:
    roadmap = sk.Roadmap([
        sk.Stage("one", playbook="rule r: when logins < 3 then nudge"),
        sk.Stage("two", entry="paid"),
    ])
    roadmap.check({"logins": "number", "paid": "boolean"})
    roadmap.check(_pf(logins=[1.0], paid=[True]))
    with pytest.raises(sk.RuleNameError, match="stage 'two' entry: unknown name 'paid'"):
        roadmap.check({"logins": "number"})
    with pytest.raises(sk.RuleNameError, match="unknown name 'logins'"):
        roadmap.check({"paid": "boolean"})  # a stage's rule


def test_check_tenure_needs_a_date_column() -> None:
    roadmap = sk.Roadmap.lifecycle()
    roadmap.check({"contract_start": "date"})
    with pytest.raises(sk.DataError, match="contract_start"):
        roadmap.check({"contract_start": "number"})
    with pytest.raises(sk.DataError, match="contract_start"):
        roadmap.check(_pf(x=[1.0]))


def test_assign_rejects_other_inputs() -> None:
    with pytest.raises(sk.DataError, match="Portfolio or a History"):
        THREE.assign({"x": [1]})  # type: ignore[arg-type]


# -- validation ---------------------------------------------------------------------------------

WINDOWS = {
    "first not at 0d": ([("1mo", "2mo"), ("2mo", None)], "must start at the contract start"),
    "overlap": ([("0d", "3mo"), ("2mo", None)], "stage 'b': overlaps stage 'a'"),
    "gap": ([("0d", "1mo"), ("2mo", None)], "stage 'b': leaves a gap after stage 'a'"),
    "mixed": ([("0d", "1y"), ("renewal 1", None)], "a window must start exactly where"),
    "open in the middle": ([("0d", None), ("2mo", None)], "stage 'a': is open-ended"),
    "closed at the end": ([("0d", "2mo"), ("2mo", "1y")], "the last window must be open"),
    "renewal overlap": ([("0d", "renewal 2"), ("renewal 1", None)], "overlaps"),
}


@pytest.mark.parametrize("case", WINDOWS)
def test_bad_tenure_windows(case: str) -> None:
    windows, message = WINDOWS[case]
    stages = [sk.Stage(name, window=w) for name, w in zip("ab", windows, strict=True)]
    with pytest.raises(sk.ModelError, match=re.escape(message)):
        sk.Roadmap(stages, assign="tenure")


@pytest.mark.parametrize(
    ("stages", "assign", "message"),
    [
        ([], "criteria", "at least one stage"),
        (["x"], "criteria", "holds Stage objects"),
        ([sk.Stage("a"), sk.Stage("a", entry="x")], "criteria", "two stages are named 'a'"),
        ([sk.Stage("Level 1"), sk.Stage("Level_1", entry="x")], "criteria",
         "give their rules the same prefix 'Level_1'"),
        ([sk.Stage("a")], "age", "assign must be one of"),
        ([sk.Stage("a"), sk.Stage("b")], "criteria",
         "stage 'b': has no entry condition, so every account reaches it"),
        ([sk.Stage("a", window=("0d", None))], "criteria", "stage 'a': has a window"),
        ([sk.Stage("a")], "tenure", "stage 'a': needs a window"),
        ([sk.Stage("a", entry="x", window=("0d", None))], "tenure",
         "stage 'a': has an entry condition"),
    ],
)
def test_bad_roadmaps(stages: list[object], assign: str, message: str) -> None:
    with pytest.raises(sk.ModelError, match=re.escape(message)):
        sk.Roadmap(stages, assign=assign)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"contract_start": ""}, "contract_start must be a column name"),
        ({"renewals": 3}, "renewals must be a column name"),
    ],
)
def test_bad_column_names(options: dict[str, object], message: str) -> None:
    with pytest.raises(sk.ModelError, match=message):
        sk.Roadmap([sk.Stage("a", window=("0d", None))], assign="tenure",
                   **options)  # type: ignore[arg-type]


def test_stages_must_be_a_sequence() -> None:
    with pytest.raises(sk.ModelError, match="sequence of Stage"):
        sk.Roadmap(sk.Stage("a"))  # type: ignore[arg-type]


def test_with_stage_validates_again() -> None:
    roadmap = sk.Roadmap.lifecycle()
    with pytest.raises(sk.ModelError, match="stage 'operation': overlaps"):
        roadmap.with_stage("operation", window=("1mo", "renewal 1"))
    with pytest.raises(sk.ModelError, match="did you mean 'operation'"):
        roadmap.with_stage("operaton", goal="x")
    changed = roadmap.with_stage("operation", goal="login_rate >= 60%")
    assert changed.stage("operation").goal == "login_rate >= 60%"
    assert roadmap.stage("operation").goal is None


# -- serialisation --------------------------------------------------------------------------------


def test_round_trip_through_json() -> None:
    roadmap = sk.Roadmap(
        [
            sk.Stage("one", goal="x > 1", description="start",
                     tasks=[sk.Task("kick-off", "joint", due="1w")],
                     playbook="rule r: when x < 1 then nudge as risk owner csm due 3d",
                     expected_duration="2mo"),
            sk.Stage("two", entry="y", goal=None),
        ],
        name="demo",
    )
    data = json.loads(json.dumps(roadmap.to_dict()))
    again = sk.Roadmap.from_dict(data)
    assert again == roadmap
    assert again.name == "demo"
    assert again.fingerprint == roadmap.fingerprint
    assert again.to_dict() == roadmap.to_dict()


def test_fingerprint_follows_content_not_the_name() -> None:
    a = sk.Roadmap.lifecycle()
    assert a.fingerprint == sk.Roadmap.lifecycle().fingerprint
    assert attr_name(a, "other").fingerprint == a.fingerprint
    assert a.with_stage("operation", goal="x").fingerprint != a.fingerprint
    assert sk.Roadmap.lifecycle(onboarding="3mo").fingerprint != a.fingerprint
    assert a.assign(sk.Portfolio.from_columns(
        {"id": ["a"], "contract_start": [AS_OF]}, as_of=AS_OF)).fingerprint == a.fingerprint


def attr_name(roadmap: sk.Roadmap, name: str) -> sk.Roadmap:
    import attrs

    return attrs.evolve(roadmap, name=name)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "roadmap", "version": 2, "stages": []}, "unsupported roadmap version"),
        ({"type": "stage", "version": 1, "stages": []}, "expected a dict of type 'roadmap'"),
        ({"type": "roadmap", "version": 1}, "missing key 'stages'"),
        ({"type": "roadmap", "version": 1, "stages": "x"}, "stages must be a list"),
        ({"type": "roadmap", "version": 1, "stages": [], "columns": 3}, "columns must be"),
        ({"type": "roadmap", "version": 1, "stages": [{"type": "stage", "version": 1}]},
         "missing key 'name'"),
        ({"type": "roadmap", "version": 1,
          "stages": [{"type": "stage", "version": 1, "name": "a", "tasks": "x"}]},
         "tasks must be a list"),
        ("roadmap", "expected a dict"),
    ],
)
def test_malformed_dicts(data: object, message: str) -> None:
    with pytest.raises(sk.ModelError, match=message):
        sk.Roadmap.from_dict(data)  # type: ignore[arg-type]


def test_repr_and_html() -> None:
    assert repr(THREE) == "Roadmap(criteria: one → two → three)"
    html = sk.Roadmap.lifecycle()._repr_html_()
    assert "renewal 1 – renewal 2" in html
    assert "lifecycle" in repr(sk.Roadmap.lifecycle())
    assert "x &gt;= 50%" in THREE._repr_html_()


# -- properties -----------------------------------------------------------------------------------


def _rows_equal(batch: sk.StageResult, row: int, single: sk.StageResult) -> None:
    assert single.codes.tolist() == [batch.codes[row]]
    np.testing.assert_array_equal(single.days_in_stage, batch.days_in_stage[row:row + 1])
    np.testing.assert_array_equal(single.entered, batch.entered[row:row + 1])
    assert single.goal_true.tolist() == [batch.goal_true[row]]
    assert single.goal_unknown.tolist() == [batch.goal_unknown[row]]
    np.testing.assert_array_equal(single.progress, batch.progress[row:row + 1])
    assert single.stalled.tolist() == [batch.stalled[row]]


@given(roadmap_portfolios(), criteria_roadmaps())
def test_batch_equals_single_account(pf: sk.Portfolio, roadmap: sk.Roadmap) -> None:
    lifecycle = sk.Roadmap.lifecycle().with_stage("operation", goal="x >= 50%")
    for model in (roadmap, lifecycle):
        batch = model.assign(pf)
        for row in range(len(pf)):
            _rows_equal(batch, row, model.assign(pf.take([row])))


@given(st.data())
def test_permuting_accounts_permutes_results(data: st.DataObject) -> None:
    pf = data.draw(roadmap_portfolios())
    roadmap = data.draw(criteria_roadmaps())
    order = permutation(data.draw, len(pf))
    for model in (roadmap, sk.Roadmap.lifecycle()):
        batch = model.assign(pf)
        shuffled = model.assign(pf.take(order))
        assert shuffled.ids.tolist() == batch.ids[order].tolist()
        assert shuffled.codes.tolist() == batch.codes[order].tolist()
        np.testing.assert_array_equal(shuffled.progress, batch.progress[order])


@given(roadmap_portfolios(), criteria_roadmaps())
def test_results_are_in_range(pf: sk.Portfolio, roadmap: sk.Roadmap) -> None:
    for model in (roadmap, sk.Roadmap.lifecycle()):
        result = model.assign(pf)
        assert ((result.codes >= -1) & (result.codes < len(model))).all()
        progress = result.progress[~np.isnan(result.progress)]
        assert ((progress >= 0) & (progress <= 1)).all()
        days = result.days_in_stage[~np.isnan(result.days_in_stage)]
        assert (days >= 0).all()
        assert not (result.goal_true & result.goal_unknown).any()
        assert result.goal_unknown[result.codes < 0].all()


@given(criteria_roadmaps())
def test_random_roadmaps_round_trip(roadmap: sk.Roadmap) -> None:
    again = sk.Roadmap.from_dict(json.loads(json.dumps(roadmap.to_dict())))
    assert again == roadmap
    assert again.fingerprint == roadmap.fingerprint


def test_pickling_drops_compiled_conditions() -> None:
    import pickle

    pf = sk.Portfolio.from_columns({"id": ["a"], "x": [0.9], "y": [0.1]}, as_of=AS_OF)
    roadmap = sk.Roadmap([*THREE.stages[:2], sk.Stage("three", entry="y >= 50%",
                                                      playbook="when x > 1 then call")],
                         name="three")
    model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 1))])
    result = roadmap.assign(pf, health=model)  # compiles and caches the conditions
    assert roadmap.stages[2].playbook is not None
    roadmap.stages[2].playbook.evaluate(pf)  # and the stage's rules
    again = pickle.loads(pickle.dumps(roadmap))
    assert again == roadmap
    assert again.name == "three"
    assert again.assign(pf) == result
    assert pickle.loads(pickle.dumps(result)) == result

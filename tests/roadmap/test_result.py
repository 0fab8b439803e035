"""StageResult: days in stage from a History, stalled, goal met and progress (three-valued),
the ``stage`` names rules read, and the output formats."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import successkit as sk

DATES = ["2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01"]
AS_OF = dt.date(2026, 10, 1)

ROADMAP = sk.Roadmap([
    sk.Stage("one"),
    sk.Stage("two", entry="x >= 50%", expected_duration="31d"),
    sk.Stage("three", entry="y >= 50%"),
])

# x per snapshot (None: missing; "absent": not in that snapshot)
X = {
    "steady": [0.9, 0.9, 0.9, 0.9],   # two all along: counted from the first snapshot
    "moved": [0.1, 0.2, 0.7, 0.8],    # one, one, two, two
    "back": [0.9, 0.1, 0.9, 0.9],     # two, one, two, two: the run restarts
    "gap": [0.9, "absent", 0.9, 0.9],  # two, (absent), two, two
    "new": ["absent"] * 3 + [0.9],    # two, first seen today
    "left": [0.9, 0.9, 0.9, "absent"],  # churned: not in the result
}


def _history(x: dict[str, list[object]] = X) -> sk.History:
    snapshots = []
    for k, day in enumerate(DATES):
        ids = [a for a, values in x.items() if values[k] != "absent"]
        snapshots.append(sk.Portfolio.from_columns(
            {"id": ids, "x": [x[a][k] for a in ids], "y": [0.0] * len(ids)},
            as_of=day, kinds={"x": "number", "y": "number"},
        ))
    return sk.History(snapshots)


def test_days_in_stage_from_a_history() -> None:
    result = ROADMAP.assign(_history())
    assert result.ids.tolist() == ["steady", "moved", "back", "gap", "new"]
    assert result.stage.tolist() == ["two"] * 5
    assert [str(d) for d in result.entered] == [
        "2026-07-01", "2026-09-01", "2026-09-01", "2026-09-01", "2026-10-01",
    ]
    assert result.days_in_stage.tolist() == [92.0, 30.0, 30.0, 30.0, 0.0]
    # two is expected to last 31 days
    assert result.stalled.tolist() == [True, False, False, False, False]


def test_no_stage_breaks_a_run() -> None:
    roadmap = sk.Roadmap([sk.Stage("a", entry="x >= 0%"), sk.Stage("b", entry="x >= 50%")])
    result = roadmap.assign(_history({"k": [0.6, None, 0.7, 0.8], "m": [None] * 4}))
    assert result.stage.tolist() == ["b", None]
    assert [str(d) for d in result.entered] == ["2026-09-01", "NaT"]
    assert np.isnan(result.days_in_stage[1])


def test_a_portfolio_alone_does_not_date_entries() -> None:
    result = ROADMAP.assign(_history().latest)
    assert np.isnan(result.days_in_stage).all()
    assert not result.stalled.any()
    stalled = result.rule_columns()["stalled"]
    assert stalled.missing.all()


def test_score_chain_equals_history_assignment() -> None:
    history = _history()
    chained = None
    for snapshot in history:
        chained = ROADMAP.score(snapshot, previous=chained)
    assert chained is not None
    expected = ROADMAP.assign(history)
    assert chained.ids.tolist() == expected.ids.tolist()
    np.testing.assert_array_equal(chained.entered, expected.entered)
    np.testing.assert_array_equal(chained.days_in_stage, expected.days_in_stage)
    assert chained.stalled.tolist() == expected.stalled.tolist()


def test_score_history_is_assign_at_every_snapshot() -> None:
    history = _history()
    results = ROADMAP.score_history(history)
    assert len(results) == len(history)
    for k, result in enumerate(results):
        expected = ROADMAP.assign(history[: k + 1])
        assert result.as_of == expected.as_of
        assert result.codes.tolist() == expected.codes.tolist()
        np.testing.assert_array_equal(result.entered, expected.entered)


def test_score_checks_its_inputs() -> None:
    with pytest.raises(sk.DataError, match="expected a Portfolio, got History"):
        ROADMAP.score(_history())  # type: ignore[arg-type]
    other = sk.Roadmap([sk.Stage("x")])
    previous = other.assign(_history().latest)
    with pytest.raises(sk.DataError, match="previous must be a StageResult of this roadmap"):
        ROADMAP.score(_history().latest, previous=previous)


def test_a_health_result_has_no_past_so_runs_are_undated() -> None:
    history = _history()
    model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 1))])
    roadmap = sk.Roadmap([sk.Stage("low"), sk.Stage("high", entry="health.score >= 50")])
    with_model = roadmap.assign(history, health=model)
    assert with_model.days_in_stage.tolist()[0] == 92.0
    with_result = roadmap.assign(history, health=model.score(history.latest))
    assert with_result.codes.tolist() == with_model.codes.tolist()
    assert np.isnan(with_result.days_in_stage).all()


# -- goals and progress -------------------------------------------------------------------------

GOALS = sk.Roadmap([
    sk.Stage("one", goal="g1 >= 1"),
    sk.Stage("two", entry="s >= 2"),
    sk.Stage("three", entry="s >= 3", goal="g3 >= 1"),
])


def test_goal_met_and_progress_are_three_valued() -> None:
    pf = sk.Portfolio.from_columns({
        "id": ["p", "q", "r", "t", "u"],
        "s": [3, 2, 1, 3, 1],
        "g1": [1, 0, None, 1, 1],
        "g3": [None, 1, 1, 1, 0],
    }, as_of=AS_OF)
    result = GOALS.assign(pf)
    assert result.stage.tolist() == ["three", "two", "one", "three", "one"]
    # "two" has no goal; a missing value leaves the goal unknown
    assert result.goal_met.tolist() == [None, None, None, True, True]
    assert result.goal_unknown.tolist() == [True, True, True, False, False]
    # met among stages with a goal up to the current one; unknown is not met
    assert result.progress.tolist() == [0.5, 0.0, 0.0, 1.0, 1.0]


def test_progress_without_goals_so_far_is_missing() -> None:
    roadmap = sk.Roadmap([sk.Stage("a"), sk.Stage("b", entry="s >= 2", goal="s >= 3")])
    pf = sk.Portfolio.from_columns({"id": ["x", "y", "z"], "s": [1, 2, 3]})
    result = roadmap.assign(pf)
    assert np.isnan(result.progress[0])
    assert result.progress.tolist()[1:] == [0.0, 1.0]


# -- rules read the result ------------------------------------------------------------------------


def test_rules_read_stage_days_goal_and_stalled() -> None:
    history = _history()
    result = ROADMAP.with_stage("two", goal="x >= 90%").assign(history)
    pb = sk.Playbook.parse("""
rule long: when stage = "two" and stage.days > 30 then check_in
rule met: when stage.goal_met then celebrate as opportunity
rule not_met: when not stage.goal_met then push
rule stuck: when stage.stalled then escalate
rule half: when stage.progress >= 50% then report
""")
    ctas = pb.evaluate(history, stages=result)
    fired = {rule: sorted(ctas.for_rule(rule).account_id.tolist()) for rule in pb.names}
    assert fired == {
        "long": ["steady"],
        "met": ["back", "gap", "new", "steady"],
        "not_met": ["moved"],
        "stuck": ["steady"],
        "half": ["back", "gap", "new", "steady"],
    }


def test_roadmap_as_a_stages_model() -> None:
    history = _history()
    pb = sk.Playbook.parse('rule long: when stage = "two" and stage.days > 30 then check_in')
    by_model = pb.evaluate(history, stages=ROADMAP)
    by_result = pb.evaluate(history, stages=ROADMAP.assign(history))
    assert by_model.account_id.tolist() == by_result.account_id.tolist() == ["steady"]
    pb.check({"x": "number"}, stages=ROADMAP)


def test_rule_columns_match_the_schema() -> None:
    result = ROADMAP.assign(_history())
    columns = result.rule_columns()
    assert {k: c.kind for k, c in columns.items()} == dict(ROADMAP.rule_schema())
    assert dict(result.rule_schema()) == dict(ROADMAP.rule_schema())
    assert columns[""].categories == ("one", "three", "two")  # sorted, as categories are
    assert columns[""].to_list() == ["two"] * 5


# -- output --------------------------------------------------------------------------------------


def test_views_and_lookups() -> None:
    result = ROADMAP.assign(_history())
    assert result.counts() == {"one": 0, "two": 5, "three": 0}
    assert result.ids_in("two").tolist() == ["steady", "moved", "back", "gap", "new"]
    assert result.row("gap") == 3
    with pytest.raises(sk.DataError, match="did you mean 'two'"):
        result.ids_in("tow")
    with pytest.raises(sk.DataError, match="account 'nobody'"):
        result.row("nobody")
    assert repr(result) == "StageResult(5 accounts, as_of=2026-10-01, one: 0, two: 5, three: 0)"
    assert not result.stage.flags.writeable
    assert result == ROADMAP.assign(_history())


def test_to_dict_is_json() -> None:
    result = GOALS.assign(sk.Portfolio.from_columns(
        {"id": ["a", "b"], "s": [1, 3], "g1": [1, None], "g3": [None, 1]}, as_of=AS_OF))
    data = json.loads(json.dumps(result.to_dict()))
    assert data["stage"] == ["one", "three"]
    assert data["goal_met"] == [True, True]
    assert data["days_in_stage"] == [None, None]
    assert data["entered"] == [None, None]
    assert data["stages"] == ["one", "two", "three"]
    assert data["fingerprint"] == GOALS.fingerprint


def test_to_frame() -> None:
    pytest.importorskip("pandas")
    frame = ROADMAP.assign(_history()).to_frame()
    assert list(frame.columns) == [
        "stage", "entered", "days_in_stage", "goal_met", "progress", "stalled",
    ]
    assert list(frame.index) == ["steady", "moved", "back", "gap", "new"]
    assert list(frame["stage"].cat.categories) == ["one", "two", "three"]
    assert frame["days_in_stage"].tolist() == [92.0, 30.0, 30.0, 30.0, 0.0]
    assert frame["goal_met"].isna().all()


def test_summary_and_html() -> None:
    result = ROADMAP.assign(_history())
    summary = result.summary()
    assert summary.accounts == (0, 5, 0)
    assert summary.stalled == (None, 1, None)
    assert summary.total_stalled == 1
    assert summary.median_days[1] == 30.0
    assert str(summary).splitlines() == [
        "stage  accounts  share  goal met  stalled  median days",
        "one           0     0%         —        —            —",
        "two           5   100%         —        1           30",
        "three         0     0%         —        —            —",
    ]
    assert json.dumps(summary.to_dict())
    assert "<table" in summary._repr_html_()
    assert "steady" in result._repr_html_()


def test_summary_counts_accounts_without_a_stage() -> None:
    roadmap = sk.Roadmap([sk.Stage("a", entry="x > 1", goal="x > 2")])
    pf = sk.Portfolio.from_columns({"id": ["p", "q", "r"], "x": [3, 0, None]})
    summary = roadmap.assign(pf).summary()
    assert summary.unassigned == 2
    assert summary.goal_met == (1,)
    assert str(summary).splitlines()[-1] == "none          2    67%         —        —            —"


def test_empty_snapshots_break_runs() -> None:
    empty = sk.Portfolio.from_columns({"id": [], "x": [], "y": []}, as_of="2026-09-01",
                                      kinds={"x": "number", "y": "number"})
    now = sk.Portfolio.from_columns({"id": ["a"], "x": [0.9], "y": [0.0]}, as_of=AS_OF)
    result = ROADMAP.assign(sk.History([empty, now]))
    assert result.days_in_stage.tolist() == [0.0]
    chained = ROADMAP.score(now, previous=ROADMAP.score(empty))
    assert chained.days_in_stage.tolist() == [0.0]


@st.composite
def _histories(draw: st.DrawFn) -> sk.History:
    names = ["a", "b", "c", "d", "e"]
    snapshots = []
    for k in range(draw(st.integers(1, 5))):
        ids = draw(st.lists(st.sampled_from(names), unique=True, max_size=5))
        x = draw(st.lists(st.one_of(st.none(), st.sampled_from([0.1, 0.6, 0.9])),
                          min_size=len(ids), max_size=len(ids)))
        y = draw(st.lists(st.sampled_from([0.0, 0.7]), min_size=len(ids), max_size=len(ids)))
        snapshots.append(sk.Portfolio.from_columns(
            {"id": ids, "x": x, "y": y}, as_of=dt.date(2026, 1 + k, 1),
            kinds={"x": "number", "y": "number"}))
    return sk.History(snapshots)


@given(_histories())
def test_days_in_stage_match_a_walk_back_per_account(history: sk.History) -> None:
    result = ROADMAP.assign(history)
    stage_at = [
        dict(zip(s.ids.tolist(), ROADMAP.assign(s).codes.tolist(), strict=True))
        for s in history
    ]
    for row, account in enumerate(result.ids.tolist()):
        code = stage_at[-1][account]
        k = len(history) - 1
        while k > 0 and stage_at[k - 1].get(account) == code:
            k -= 1
        expected = (history.dates[-1] - history.dates[k]).days
        assert result.days_in_stage[row] == expected
        assert result.stalled[row] == (code == 1 and expected > 31)


@given(_histories())
def test_score_chain_equals_history_assignment_always(history: sk.History) -> None:
    assume(len(history) > 1)  # a lone portfolio does not date entries; a History does
    chained = None
    for snapshot in history:
        chained = ROADMAP.score(snapshot, previous=chained)
    assert chained is not None
    expected = ROADMAP.assign(history)
    assert chained.ids.tolist() == expected.ids.tolist()
    np.testing.assert_array_equal(chained.entered, expected.entered)
    np.testing.assert_array_equal(chained.days_in_stage, expected.days_in_stage)
    assert chained.stalled.tolist() == expected.stalled.tolist()

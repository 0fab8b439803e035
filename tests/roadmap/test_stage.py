"""Task and Stage: construction, errors naming the stage or task, round trips."""

from __future__ import annotations

import datetime as dt
import json
import re

import attrs
import pytest

import successkit as sk

# -- Task -----------------------------------------------------------------------------------------


def test_task_due_is_days() -> None:
    assert sk.Task("a", "vendor").due is None
    assert sk.Task("a", "vendor", due=dt.timedelta(days=3)).due == 3
    assert sk.Task("a", "customer", due="1mo").due == 30
    assert attrs.evolve(sk.Task("a", "joint"), due="2w").due == 14


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (("", "joint"), {}, "a task needs a non-empty name"),
        ((3, "joint"), {}, "a task needs a non-empty name"),
        (("call", "partner"), {}, "task 'call': owner must be one of joint, customer, vendor"),
        (("call", "joint"), {"due": "soon"}, "task 'call': due 'soon' is not a duration"),
        (("call", "joint"), {"due": -1}, "task 'call': due must not be negative"),
    ],
)
def test_bad_tasks(args: tuple[object, ...], options: dict[str, object], message: str) -> None:
    with pytest.raises(sk.ModelError, match=re.escape(message)):
        sk.Task(*args, **options)  # type: ignore[arg-type]


def test_task_round_trip() -> None:
    task = sk.Task("kick-off", "joint", due=10)
    data = json.loads(json.dumps(task.to_dict()))
    assert data == {"type": "task", "version": 1, "name": "kick-off", "owner": "joint",
                    "due": "10d"}
    assert sk.Task.from_dict(data) == task
    assert task.fingerprint == sk.Task("kick-off", "joint", due="10d").fingerprint
    with pytest.raises(sk.ModelError, match="missing key 'owner'"):
        sk.Task.from_dict({"type": "task", "version": 1, "name": "x"})


# -- Stage ----------------------------------------------------------------------------------------


def test_conditions_are_stored_as_canonical_text() -> None:
    stage = sk.Stage("s", entry="X>=80%AND tier IN ('a')", goal="not(paid)")
    assert stage.entry == 'X >= 80% and tier in ("a")'
    assert stage.goal == "not paid"
    assert stage == sk.Stage("s", entry='X >= 80% and tier in ("a")', goal="not paid")
    assert stage.entry_condition is not None


def test_conditions_can_be_syntax_trees() -> None:
    node = sk.dsl.parse_condition("x > 1")
    assert sk.Stage("s", goal=node).goal == "x > 1"


def test_playbook_text_or_object() -> None:
    text = "rule a: when x < 1 then nudge\nrule b: when x > 9 then upsell as opportunity"
    stage = sk.Stage("s", playbook=text)
    assert stage.playbook == sk.Playbook.parse(text)
    assert sk.Stage("s", playbook=sk.Playbook.parse(text)) == stage
    assert [r.name for r in stage.challenge_actions] == ["a"]
    assert [r.name for r in stage.positive_actions] == ["b"]
    assert sk.Stage("t").positive_actions == ()


def test_tasks_by_owner() -> None:
    stage = sk.Stage("s", tasks=[sk.Task("a", "vendor"), sk.Task("b", "joint"),
                                 sk.Task("c", "vendor")])
    assert [t.name for t in stage.tasks_of("vendor")] == ["a", "c"]
    assert stage.tasks_of("customer") == ()


def test_windows_are_canonical() -> None:
    stage = sk.Stage("s", window=(60, "Renewal 1"))
    assert stage.window == ("2mo", "renewal 1")
    assert sk.Stage("t", window=["0d", None]).window == ("0d", None)


SYNTAX = {
    "entry": {"entry": "x >"},
    "goal": {"goal": "x > 1 and"},
    "playbook": {"playbook": "when x > 1 then"},
}


@pytest.mark.parametrize("part", SYNTAX)
def test_syntax_errors_name_the_stage(part: str) -> None:
    with pytest.raises(sk.RuleSyntaxError) as info:
        sk.Stage("operation", **SYNTAX[part])  # type: ignore[arg-type]
    assert info.value.message.startswith(f"stage 'operation' {part}: ")
    assert info.value.line == 1
    assert info.value.source is not None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"entry": 3}, "stage 's' entry: must be condition text, not int"),
        ({"goal": ["x"]}, "stage 's' goal: must be condition text, not list"),
        ({"expected_duration": "soon"}, "stage 's': expected_duration 'soon' is not a duration"),
        ({"expected_duration": -5}, "stage 's': expected_duration must not be negative"),
        ({"tasks": "call"}, "stage 's': tasks must be a sequence of Task objects"),
        ({"tasks": [("call", "joint")]}, "stage 's': tasks must be Task objects, not tuple"),
        ({"playbook": 3}, "stage 's': playbook must be a Playbook or playbook text"),
        ({"description": 3}, "stage 's': description must be text"),
        ({"window": "0d"}, "stage 's': window must be a pair"),
        ({"window": (None, "2mo")}, "stage 's': window must be a pair (start, end) with a start"),
        ({"window": ("0d", "2mo", "1y")}, "stage 's': window must be a pair"),
        ({"window": ("0d", "later")}, "stage 's': a window bound 'later' is not a duration"),
        ({"window": ("renewal 0", None)}, "stage 's': renewals are counted from 1"),
        ({"window": ("2mo", "1mo")}, "stage 's': window (2mo, 1mo) is empty"),
        ({"window": ("renewal 2", "renewal 1")}, "window (renewal 2, renewal 1) is empty"),
        ({"window": ("1y", "renewal 1")}, "window (1y, renewal 1) is empty"),
    ],
)
def test_bad_stages(options: dict[str, object], message: str) -> None:
    with pytest.raises(sk.ModelError, match=re.escape(message)):
        sk.Stage("s", **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["", "  ", None, "two\nlines"])
def test_bad_stage_names(name: object) -> None:
    with pytest.raises(sk.ModelError, match="stage"):
        sk.Stage(name)  # type: ignore[arg-type]


def test_stage_round_trip_and_evolve() -> None:
    stage = sk.Stage(
        "onboarding", goal="first_login_rate >= 80%", description="導入期",
        tasks=[sk.Task("kick-off", "joint", due="1w")],
        playbook="rule low: when first_login_rate <= 30% then contact_admin as risk",
        expected_duration="2mo", window=("0d", "2mo"),
    )
    data = json.loads(json.dumps(stage.to_dict(), ensure_ascii=False))
    assert sk.Stage.from_dict(data) == stage
    assert sk.Stage.from_dict(data).fingerprint == stage.fingerprint
    changed = attrs.evolve(stage, goal="first_login_rate >= 90%")
    assert changed.goal == "first_login_rate >= 90%"
    assert changed.goal_condition == sk.dsl.parse_condition("first_login_rate >= 90%")
    assert changed.fingerprint != stage.fingerprint
    assert repr(stage) == (
        "Stage('onboarding', window=('0d', '2mo'), goal='first_login_rate >= 80%', tasks=1, "
        "playbook=1 rules)"
    )

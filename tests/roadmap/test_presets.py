"""Presets: Sansan's lifecycle (seed 003) and THE MODEL's adoption levels (seed 000)."""

from __future__ import annotations

import datetime as dt

import pytest

import successkit as sk
from successkit.roadmap.presets import MATURITY_COLUMNS


def test_lifecycle_stages_and_windows() -> None:
    roadmap = sk.Roadmap.lifecycle()
    assert roadmap.assignment == "tenure"
    assert [(s.name, s.window, s.expected_duration) for s in roadmap] == [
        ("onboarding", ("0d", "2mo"), 60),
        ("operation", ("2mo", "renewal 1"), 305),
        ("utilisation", ("renewal 1", "renewal 2"), 365),
        ("established", ("renewal 2", None), None),
    ]


def test_lifecycle_descriptions_carry_the_seed_emphasis() -> None:
    text = {s.name: s.description or "" for s in sk.Roadmap.lifecycle()}
    assert "導入支援終了" in text["onboarding"]
    assert "Health Score" in text["operation"]
    assert "Touch Point" in text["operation"]
    assert "touch points" in text["utilisation"]
    assert "rarely churn" in text["established"]


@pytest.mark.parametrize("onboarding", ["0d", "1y", "soon"])
def test_lifecycle_rejects_a_bad_onboarding_period(onboarding: str) -> None:
    with pytest.raises(sk.ModelError, match="lifecycle"):
        sk.Roadmap.lifecycle(onboarding=onboarding)


def test_lifecycle_on_the_sample_portfolio() -> None:
    from successkit.datasets import make_portfolio

    sample = make_portfolio(500, seed=0)
    result = sk.Roadmap.lifecycle().assign(sample.portfolio)
    counts = result.counts()
    assert sum(counts.values()) == 500
    assert all(n > 0 for n in counts.values())
    # sample renewal dates are the anniversaries, so nobody is overdue
    assert result.summary().total_stalled == 0


def test_maturity_levels() -> None:
    roadmap = sk.Roadmap.maturity()
    assert roadmap.assignment == "criteria"
    assert roadmap.names == ("level_1", "level_2", "level_3", "level_4")
    assert [s.goal for s in roadmap] == list(MATURITY_COLUMNS)
    assert [s.entry for s in roadmap] == [None, *MATURITY_COLUMNS[:3]]
    assert "キャンペーン" in (roadmap.stage("level_1").description or "")
    assert "グローバル" in (roadmap.stage("level_4").description or "")


def test_maturity_with_the_callers_criteria() -> None:
    roadmap = sk.Roadmap.maturity([
        "campaigns >= 1 and reports >= 1",
        "decisions_from_reports >= 1",
        "departments >= 2 and plan_years >= 2",
        "countries >= 2",
    ])
    pf = sk.Portfolio.from_columns({
        "id": ["a", "b", "c", "d", "e"],
        "campaigns": [0, 3, 5, 9, 9], "reports": [0, 2, 4, 8, 8],
        "decisions_from_reports": [0, 0, 2, 5, None],
        "departments": [1, 1, 1, 3, 4], "plan_years": [0, 0, 1, 3, 3],
        "countries": [1, 1, 1, 1, 3],
    }, as_of=dt.date(2026, 10, 1))
    result = roadmap.assign(pf)
    assert result.stage.tolist() == ["level_1", "level_2", "level_3", "level_4", "level_4"]
    assert result.goal_met.tolist() == [False, False, False, False, True]
    # goals met so far / goals so far; e's level-2 goal is unknown and does not count as met
    assert result.progress.tolist() == pytest.approx([0 / 1, 1 / 2, 2 / 3, 3 / 4, 3 / 4])


def test_maturity_needs_four_conditions() -> None:
    with pytest.raises(sk.ModelError, match="4 conditions"):
        sk.Roadmap.maturity(["a", "b"])
    with pytest.raises(sk.ModelError, match="4 conditions"):
        sk.Roadmap.maturity("abcd")  # type: ignore[arg-type]
    with pytest.raises(sk.RuleSyntaxError, match="stage 'level_2' goal"):
        sk.Roadmap.maturity(["a", "b >", "c", "d"])


def test_presets_round_trip() -> None:
    for roadmap in (sk.Roadmap.lifecycle(), sk.Roadmap.maturity()):
        again = sk.Roadmap.from_dict(roadmap.to_dict())
        assert again == roadmap
        assert again.fingerprint == roadmap.fingerprint

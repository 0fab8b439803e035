"""Replay: a playbook evaluated at every snapshot as if it had been live."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import successkit as sk


def _history() -> sk.History:
    # usage of a: 0.9 → 0.4 → 0.3 → 0.8 → 0.2 (drops twice); b stays high; c churns
    usage = {
        "a": [0.9, 0.4, 0.3, 0.8, 0.2],
        "b": [0.9, 0.9, 0.9, 0.9, 0.9],
        "c": [0.6, 0.3, 0.2, None, None],
    }
    snapshots = []
    for k in range(5):
        ids = [a for a in usage if not (a == "c" and k >= 3)]
        snapshots.append(
            sk.Portfolio.from_columns(
                {
                    "id": ids,
                    "usage": [usage[a][k] for a in ids],
                    "churned": [a == "c" and k == 2 for a in ids],
                },
                as_of=dt.date(2026, 1, 5) + dt.timedelta(weeks=k),
            )
        )
    return sk.History(snapshots)


def test_ctas_stay_open_while_the_indicator_holds() -> None:
    pb = sk.Playbook.parse("rule low: when usage < 50% then call owner csm")
    result = pb.replay(_history())
    assert [(c.account_id, c.created.isoformat()) for c in result.ctas] == [
        ("a", "2026-01-12"),
        ("c", "2026-01-12"),
        ("a", "2026-02-02"),  # cleared on 01-26, back on 02-02: a new CTA
    ]
    assert result.rule("low").ctas == 3
    assert result.rule("low").accounts == 2
    assert result.per_owner_week == (
        ("csm", dt.date(2026, 1, 12), 2),
        ("csm", dt.date(2026, 2, 2), 1),
    )
    assert result.snapshots == 5
    assert result.churn_rate is None
    assert result.rule("low").churn_share is None
    assert result.ctas[0].reason == "usage = 40% < 50%"


@pytest.mark.parametrize("weeks_back", [0, 3000])  # 2026, and 1968 (before day 0)
def test_ctas_per_owner_and_week(weeks_back: int) -> None:
    shift = dt.timedelta(weeks=weeks_back)
    usage = [  # on a Sunday, a Wednesday and the Monday after
        ("2026-01-04", {"a": 0.1, "b": 0.9}),
        ("2026-01-07", {"a": 0.9, "b": 0.2, "c": 0.9}),
        ("2026-01-12", {"a": 0.1, "b": 0.1, "c": 0.9}),
    ]
    history = sk.History(
        sk.Portfolio.from_columns(
            {"id": list(values), "usage": list(values.values())},
            as_of=dt.date.fromisoformat(day) - shift,
        )
        for day, values in usage
    )
    pb = sk.Playbook.parse(
        "rule low: when usage < 50% then call owner csm\nrule seen: when usage >= 0 then log"
    )
    result = pb.replay(history)

    def week(day: str) -> dt.date:
        return dt.date.fromisoformat(day) - shift

    assert result.per_owner_week == (
        (None, week("2025-12-29"), 2),  # seen: a, b
        ("csm", week("2025-12-29"), 1),  # low: a
        (None, week("2026-01-05"), 1),  # seen: c
        ("csm", week("2026-01-05"), 1),  # low: b
        ("csm", week("2026-01-12"), 1),  # low: a again
    )


def test_cooldown_spaces_ctas() -> None:
    pb = sk.Playbook.parse("rule low: when usage < 50% then call cooldown 30d")
    result = pb.replay(_history())
    # a's second drop (02-02) is 21 days after its first CTA: inside the cooldown
    assert [(c.account_id, c.created.isoformat()) for c in result.ctas] == [
        ("a", "2026-01-12"),
        ("c", "2026-01-12"),
    ]


def test_outcomes_give_churn_share_and_lead_time() -> None:
    pb = sk.Playbook.parse(
        "rule low: when usage < 50% then call\nrule never: when usage > 5 then x"
    )
    history = _history()
    by_column = pb.replay(history, outcome="churned")
    low = by_column.rule("low")
    assert (low.accounts, low.churned, low.churn_share) == (2, 1, 0.5)
    assert low.median_lead_days == 7.0  # first CTA 01-12, churn seen on 01-19
    assert by_column.churn_rate == pytest.approx(1 / 3)
    never = by_column.rule("never")
    assert (never.ctas, never.accounts, never.churn_share, never.median_lead_days) == (
        0, 0, None, None,
    )
    by_mapping = pb.replay(history, outcome={"c": "2026-03-01", "b": None})
    assert by_mapping.rule("low").median_lead_days == 48.0
    with pytest.raises(sk.DataError, match=r"not among the accounts, e.g. \['zzz'\]"):
        pb.replay(history, outcome={"c": "2026-03-01", "zzz": True})  # never matched by guess
    only_fact = pb.replay(history, outcome={"c": True})
    assert only_fact.rule("low").churn_share == 0.5
    assert only_fact.rule("low").median_lead_days is None
    assert by_column.overall.rule == "(any rule)"


def test_history_functions_see_only_the_past() -> None:
    pb = sk.Playbook.parse("rule drop: when delta(usage, 1w) <= -0.3 then call")
    result = pb.replay(_history())
    assert [(c.account_id, c.created.isoformat()) for c in result.ctas] == [
        ("a", "2026-01-12"),
        ("c", "2026-01-12"),
        ("a", "2026-02-02"),
    ]
    assert result.ctas[0].reason == "delta(usage, 1w) = -0.5 <= -0.3"


def test_output() -> None:
    pb = sk.Playbook.parse("rule low: when usage < 50% then call")
    result = pb.replay(_history(), outcome="churned")
    json.dumps(result.to_dict())
    assert result.to_dict()["rules"][0]["rule"] == "low"
    assert "replay over 5 snapshots" in result.summary()
    assert "<table" in result._repr_html_()
    assert repr(result) == "ReplayResult(5 snapshots, 3 CTAs, 1 rules)"
    pytest.importorskip("pandas")
    assert list(result.to_frame().index) == ["low", "(any rule)"]
    with pytest.raises(KeyError):
        result.rule("nope")


def test_bad_inputs() -> None:
    pb = sk.Playbook.parse("rule low: when usage < 50% then call")
    with pytest.raises(sk.DataError, match="History"):
        pb.replay(_history().latest)  # type: ignore[arg-type]
    with pytest.raises(sk.DataError, match="outcome"):
        pb.replay(_history(), outcome="usage")
    with pytest.raises(sk.DataError, match="outcome"):
        pb.replay(_history(), outcome=[1, 2])

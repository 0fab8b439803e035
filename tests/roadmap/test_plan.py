"""SuccessPlan details: tenure roadmaps, explicit data, namespaces, and errors."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

import successkit as sk

AS_OF = dt.date(2026, 10, 1)


def _lifecycle_portfolio() -> sk.Portfolio:
    return sk.Portfolio.from_columns(
        {"id": ["a", "b"], "contract_start": [dt.date(2026, 3, 1), dt.date(2026, 9, 1)],
         "renewals": [0, 0], "usage": [10.0, 80.0]},
        as_of=AS_OF,
    )


def test_plan_on_a_tenure_roadmap() -> None:
    roadmap = sk.Roadmap.lifecycle().with_stage(
        "operation",
        tasks=[sk.Task("mid-term review", "joint", due="3mo")],
        playbook="rule low: when health.score < 40 then call as risk",
    )
    pf = _lifecycle_portfolio()
    model = sk.HealthModel([sk.Metric("usage", scheme=sk.Linear(0, 100))])
    result = roadmap.assign(pf, health=model)
    plan = roadmap.plan("a", result)
    assert plan.stage == "operation"
    assert plan.entered == dt.date(2026, 4, 30)  # 60 days after the start
    assert plan.days_in_stage == 154
    assert plan.task_due == (dt.date(2026, 7, 29),)
    assert plan.next_stage == "utilisation"
    assert plan.next_entry == "renewal 1 happens"
    assert [c.action for c in plan.challenge] == ["call"]  # health came with the result
    onboarding = roadmap.plan("b", result)
    assert onboarding.next_entry == "contract age reaches 2mo"
    assert onboarding.actions == ()
    assert plan.description is not None
    assert plan.description.startswith("運用期")


def test_plan_takes_explicit_data_and_namespaces() -> None:
    roadmap = sk.Roadmap([sk.Stage("live", playbook="rule r: when health.score >= 50 then thank")])
    pf = sk.Portfolio.from_columns({"id": ["a"], "usage": [90.0]}, as_of=AS_OF)
    model = sk.HealthModel([sk.Metric("usage", scheme=sk.Linear(0, 100))])
    result = roadmap.assign(pf, health=model)
    bare = attrs.evolve(result, data=None, sources={})
    assert roadmap.plan("a", bare).actions == ()  # no data: no actions evaluated
    plan = roadmap.plan("a", bare, data=pf, health=model.score(pf))
    assert [c.action for c in plan.positive + plan.challenge] == ["thank"]
    other = sk.Portfolio.from_columns({"id": ["z"], "usage": [1.0]}, as_of=AS_OF)
    with pytest.raises(sk.DataError, match="account 'a'"):
        roadmap.plan("a", result, data=other)
    history = sk.History([other.with_as_of("2026-09-01"), other])
    with pytest.raises(sk.DataError, match="account 'a'"):
        roadmap.plan("a", result, data=history)


def test_result_plan_needs_its_roadmap() -> None:
    roadmap = sk.Roadmap([sk.Stage("live")])
    result = roadmap.assign(sk.Portfolio.from_columns({"id": ["a"]}, as_of=AS_OF))
    assert result.plan("a").stage == "live"
    with pytest.raises(sk.DataError, match="does not know its roadmap"):
        attrs.evolve(result, roadmap=None).plan("a")


def test_plan_to_dict_lists_due_dates() -> None:
    roadmap = sk.Roadmap([sk.Stage("live", tasks=[sk.Task("t", "vendor", due="1w")])])
    history = sk.History([
        sk.Portfolio.from_columns({"id": ["a"]}, as_of="2026-09-01"),
        sk.Portfolio.from_columns({"id": ["a"]}, as_of=AS_OF),
    ])
    data = roadmap.plan("a", roadmap.assign(history)).to_dict()
    assert data["entered"] == "2026-09-01"
    assert data["tasks"][0]["due_date"] == "2026-09-08"
    assert data["days_in_stage"] == 30


def test_plan_scores_a_percentile_model_with_the_whole_portfolio() -> None:
    # alone, an account scores 50 on a percentile metric: the plan must see the batch's score
    roadmap = sk.Roadmap([sk.Stage("live", playbook="when health.score < 40 then rescue as risk")])
    model = sk.HealthModel([sk.Metric("usage", scheme=sk.Percentile())])
    pf = sk.Portfolio.from_columns({"id": list("abcde"), "usage": [1, 2, 3, 4, 5]}, as_of=AS_OF)
    result = roadmap.assign(pf, health=model)
    batch = roadmap.playbook().evaluate(pf, health=model, stages=result)
    assert sorted(batch.account_id.tolist()) == ["a", "b"]
    for account in "abcde":
        expected = [cta for cta in batch if cta.account_id == account]
        assert list(roadmap.plan(account, result).actions) == expected
    history = sk.History([pf.with_as_of("2026-09-01"), pf])
    assert [c.action for c in roadmap.plan("a", roadmap.assign(history, health=model)).actions] \
        == ["rescue"]
    with pytest.raises(sk.DataError, match="account 'z'"):
        roadmap.plan("z", result)


def test_plan_actions_are_the_batch_actions_of_the_account() -> None:
    roadmap = sk.Roadmap([
        sk.Stage("new", playbook="when health.score < 50 and stage.days >= 30 then call as risk"),
        sk.Stage("live", entry="usage >= 50", playbook="when health.band = 'green' then thank"),
    ])
    model = sk.HealthModel([sk.Metric("usage", scheme=sk.Linear(0, 100))])
    ids = ["a", "b", "c", "d", "e"]
    before = sk.Portfolio.from_columns({"id": ids[:4], "usage": [10.0, 20.0, 60.0, 90.0]},
                                       as_of="2026-08-01")
    now = sk.Portfolio.from_columns({"id": ids, "usage": [10.0, 70.0, 60.0, 95.0, None]},
                                    as_of=AS_OF)
    history = sk.History([before, now])
    health = model.score(now)
    result = roadmap.assign(history, health=health)
    batch = roadmap.playbook().evaluate(history, health=health, stages=result)
    assert {c.account_id for c in batch} == {"a", "b", "d"}  # c: live but yellow
    for account in ids:
        expected = [cta for cta in batch if cta.account_id == account]
        assert list(roadmap.plan(account, result).actions) == expected

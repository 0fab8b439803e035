"""Models pickle after use (their caches of compiled rules and plans are closures or derived
state) and work the same afterwards: dask and multiprocessing send them to other processes."""

from __future__ import annotations

import pickle
from typing import Any

import successkit as sk

AS_OF = "2026-10-01"


def portfolio() -> sk.Portfolio:
    return sk.Portfolio.from_columns(
        {
            "id": ["a", "b", "c"],
            "active_users": [8, 1, None],
            "seats": [10, 4, 5],
            "tier": ["high", "low", "high"],
            "nps": [9, 3, 7],
        },
        as_of=AS_OF,
    )


EVENTS = {
    "account_id": ["a", "a", "b"],
    "touchpoint": ["web_access", "event_attendance", "web_access"],
    "at": ["2026-09-01", "2026-09-10", "2026-09-20"],
}


def health_model() -> sk.HealthModel:
    return sk.HealthModel([
        sk.Metric("activation", source="active_users / seats", scheme=sk.Linear(0, 1)),
        sk.Metric("nps", scheme=sk.Thresholds([5, 8])),
    ])


def again(value: Any) -> Any:
    return pickle.loads(pickle.dumps(value))


def test_health_models_pickle_after_scoring() -> None:
    pf = portfolio()
    for model in (health_model(), sk.SegmentedModel("tier", {"high": health_model()})):
        result = model.score(pf)  # parses the metric expression, builds the weighting plan
        copy = again(model)
        assert copy == model
        assert copy.score(pf) == result


def test_touch_models_pickle_after_scoring() -> None:
    pf = portfolio()
    model = sk.TouchModel.sansan(window="90d")
    result = model.score(EVENTS, pf)
    copy = again(model)
    assert copy == model
    assert copy.score(EVENTS, pf) == result


def test_playbooks_pickle_after_evaluation_with_namespaces() -> None:
    pf = portfolio()
    model = health_model()
    pb = sk.Playbook.parse(
        'rule r: when health.score < 50 or tier = "low" then call owner "csm" due 7d'
    )
    ctas = pb.evaluate(pf, health=model)
    copy = again(pb)
    assert copy == pb
    assert copy.evaluate(pf, health=model).to_dict() == ctas.to_dict()
    assert len(ctas) > 0


def test_roadmaps_and_stages_pickle_after_assignment() -> None:
    pf = portfolio()
    roadmap = sk.Roadmap([
        sk.Stage("new", goal="nps >= 8", playbook="when nps < 5 then call"),
        sk.Stage("grown", entry="active_users >= 5"),
    ])
    result = roadmap.assign(pf)
    plan = roadmap.plan("b", result)
    assert [cta.action for cta in plan.actions] == ["call"]
    copy = again(roadmap)
    assert copy == roadmap
    assert copy.assign(pf) == result
    assert copy.plan("b", copy.assign(pf)).actions == plan.actions
    assert [again(stage) for stage in roadmap.stages] == list(roadmap.stages)

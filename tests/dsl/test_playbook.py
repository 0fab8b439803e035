"""Playbook: evaluate → CTAs, namespaces, dedup, serialisation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pytest

import successkit as sk
from dsl_examples import DSL_EXAMPLES
from successkit.dsl import ast

AS_OF = dt.date(2026, 10, 1)


@pytest.fixture
def pf() -> sk.Portfolio:
    return sk.Portfolio.from_columns(
        {
            "id": ["acme", "globex", "initech", "umbrella"],
            "first_login_rate": [0.22, 0.8, None, 0.3],
            "license_activation_rate": [0.95, 0.92, 0.97, None],
            "tier": ["high", "tech", "low", None],
            "nps_responded": [False, True, None, False],
            "renewal_date": ["2026-12-01", "2027-06-01", None, "2026-11-15"],
        },
        kinds={"renewal_date": "date"},
        as_of=AS_OF,
    )


def _fired(ctas: sk.CTAs) -> list[tuple[str, str, str]]:
    return [(c.account_id, c.rule, c.action) for c in ctas]


def test_evaluate_fires_where_true(pf: sk.Portfolio) -> None:
    pb = sk.Playbook.parse(
        """
        rule low: when first_login_rate <= 30% then contact_admin as risk
        rule upsell: when license_activation_rate >= 90% and tier in ("high", "low")
          then upsell(with = "sales") as opportunity
        rule nps: when nps_responded = false then resend_nps_survey cooldown 14d
        """
    )
    ctas = pb.evaluate(pf)
    assert _fired(ctas) == [
        ("acme", "low", "contact_admin"),
        ("acme", "upsell", "upsell"),
        ("acme", "nps", "resend_nps_survey"),
        ("initech", "upsell", "upsell"),
        ("umbrella", "low", "contact_admin"),
        ("umbrella", "nps", "resend_nps_survey"),
    ]
    upsell = ctas[1]
    assert upsell.arguments == {"with": "sales"}
    assert upsell.kind == "opportunity"
    assert upsell.reason == (
        'license_activation_rate = 95% >= 90% and tier = "high" in ("high", "low")'
    )
    assert ctas[0].reason == "first_login_rate = 22% <= 30%"
    assert ctas[2].reason == "nps_responded = false"


def test_cta_fields_due_and_sorting(pf: sk.Portfolio) -> None:
    pb = sk.Playbook.parse(
        """
        when first_login_rate <= 30% then send_tips as risk priority low
        when first_login_rate <= 30% then call_admin, write_mail priority high owner csm due 7d
        when days_until(renewal_date) <= 90 then renewal_rescue as lifecycle
        """
    )
    ctas = pb.evaluate(pf)
    assert [(c.priority, c.account_id, c.action) for c in ctas] == [
        ("high", "acme", "call_admin"),
        ("high", "acme", "write_mail"),
        ("high", "umbrella", "call_admin"),
        ("high", "umbrella", "write_mail"),
        ("medium", "acme", "renewal_rescue"),
        ("medium", "umbrella", "renewal_rescue"),
        ("low", "acme", "send_tips"),
        ("low", "umbrella", "send_tips"),
    ]
    first = ctas[0]
    assert first == sk.CTA(
        account_id="acme",
        rule="rule_3",
        action="call_admin",
        arguments={},
        kind="risk",
        priority="high",
        owner="csm",
        created=AS_OF,
        due=AS_OF + dt.timedelta(days=7),
        reason="first_login_rate = 22% <= 30%",
    )
    assert ctas[4].reason == "days_until(renewal_date) = 61 <= 90"
    assert ctas[-1].due is None
    assert len(ctas) == 8
    assert ctas[-1] == list(ctas)[-1]
    assert ctas.account_id.tolist() == [c.account_id for c in ctas]
    assert len(ctas[2:5]) == 3
    assert ctas[2:5][0] == ctas[2]
    with pytest.raises(IndexError):
        ctas[8]
    assert ctas.counts() == {"rule_2": 2, "rule_3": 4, "rule_4": 2}
    assert ctas.counts("action")["call_admin"] == 2
    assert ctas.counts("priority") == {"low": 2, "high": 4, "medium": 2}
    assert ctas.for_rule("rule_4").account_id.tolist() == ["acme", "umbrella"]
    with pytest.raises(sk.DataError, match="rule_4"):
        ctas.for_rule("rule_5")


def test_now_overrides_the_clock(pf: sk.Portfolio) -> None:
    pb = sk.Playbook.parse("when first_login_rate <= 30% then call due 2w")
    cta = pb.evaluate(pf, now="2026-10-05")[0]
    assert (cta.created, cta.due) == (dt.date(2026, 10, 5), dt.date(2026, 10, 19))


def test_no_clock_no_dates() -> None:
    pf = sk.Portfolio.from_columns({"id": ["a"], "x": [1.0]})
    cta = sk.Playbook.parse("when x > 0 then call due 7d").evaluate(pf)[0]
    assert cta.created is None
    assert cta.due is None
    with pytest.raises(sk.DataError, match="as_of"):
        sk.Playbook.parse("when days_since(d) > 1 then call").evaluate(
            sk.Portfolio.from_columns({"id": ["a"], "d": ["2026-01-01"]}, kinds={"d": "date"})
        )


def test_empty_results(pf: sk.Portfolio) -> None:
    ctas = sk.Playbook.parse("when first_login_rate > 2 then x").evaluate(pf)
    assert len(ctas) == 0
    assert list(ctas) == []
    assert ctas.summary() == "no CTAs"
    assert ctas.to_dict() == {"version": 1, "ctas": []}
    assert sk.Playbook.parse("").evaluate(pf).counts() == {}
    assert len(sk.CTAs.empty()) == 0


def test_output_formats(pf: sk.Portfolio) -> None:
    pytest.importorskip("pandas")
    ctas = sk.Playbook.parse("when first_login_rate <= 30% then call due 7d").evaluate(pf)
    frame = ctas.to_frame()
    assert list(frame.columns) == [
        "account_id", "rule", "action", "arguments", "kind", "priority", "owner", "created",
        "due", "reason",
    ]
    assert frame["account_id"].tolist() == ["acme", "umbrella"]
    data = ctas.to_dict()
    assert data["ctas"][0]["due"] == "2026-10-08"
    import json

    json.dumps(data)
    html = ctas._repr_html_()
    assert "<table" in html
    assert "acme" in html
    assert "CTAs for 2 accounts" in ctas.summary()
    assert repr(ctas) == "CTAs(2 CTAs from 1 rules)"


# -- checks -----------------------------------------------------------------------------------


def test_check_collects_every_problem(pf: sk.Portfolio) -> None:
    pb = sk.Playbook.parse(
        "when login_rat < 30% then a\n"
        "when tier > 5 then b\n"
        "when nps_respond = true and teir = 'x' then c\n"
    )
    with pytest.raises(sk.RuleError) as info:
        pb.evaluate(pf)
    errors = info.value.errors
    assert [type(e).__name__ for e in errors] == [
        "RuleNameError", "RuleTypeError", "RuleNameError", "RuleNameError",
    ]
    assert [e.suggestion for e in errors if isinstance(e, sk.RuleNameError)] == [
        "first_login_rate", "nps_responded", "tier",
    ]
    assert str(info.value).splitlines()[3] == (
        "line 2, column 6: cannot compare category 'tier' with a number"
    )


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("tier > 'a'", "cannot order category 'tier'; compare it with = or != or use in (...)"),
        ("first_login_rate = 'a'", "cannot compare number 'first_login_rate' with a string"),
        ("renewal_date > 5", "cannot compare date 'renewal_date' with a number"),
        ("tier in (1, 2)", "cannot compare category 'tier' with a number"),
        ("first_login_rate", "expected a condition, found number 'first_login_rate'"),
        ("not tier", "expected a condition, found category 'tier'"),
        ("days_since(tier) > 1", "days_since() needs a date, not category 'tier'"),
        ("abs(1, 2) > 1", "abs() takes 1 argument, got 2"),
        ("min() > 1", "min() needs at least one argument"),
        ("change(tier, 30d) > 1", "cannot take change() of category 'tier'"),
        ("'a' = 'b'", "compare a column with a string, not two strings"),
        ("nps_responded > true", "true/false values compare only with = or !="),
        ("renewal_date + 1 > 2026-01-01", "dates move only by a duration"),
        ("-(first_login_rate > 1) > 0", "cannot negate a condition"),
    ],
)
def test_type_errors(pf: sk.Portfolio, condition: str, message: str) -> None:
    pb = sk.Playbook.parse(f"when {condition} then act")
    with pytest.raises(sk.RuleTypeError) as info:
        pb.check(pf)
    assert info.value.message.startswith(message)
    assert info.value.line == 1


def test_unknown_function(pf: sk.Portfolio) -> None:
    with pytest.raises(sk.RuleNameError) as info:
        sk.Playbook.parse("when chnage(first_login_rate, 30d) < 0 then a").check(pf)
    assert info.value.suggestion == "change"


def test_check_against_a_schema_mapping() -> None:
    pb = sk.Playbook.parse("when health.score < 40 and arr > 10 then call")
    pb.check({"arr": "number", "health.score": "number"})
    with pytest.raises(sk.RuleNameError, match=r"health\.score"):
        pb.check({"arr": "number"})


# -- namespaces ------------------------------------------------------------------------------


@attrs.frozen
class FakeResult:
    """A minimal namespace result: ids plus rule_columns()."""

    ids: np.ndarray
    columns: dict[str, sk.Column]

    def rule_columns(self) -> Mapping[str, sk.Column]:
        return self.columns


@attrs.frozen
class FakeModel:
    """A minimal namespace model: rule_schema() and score(); score = x * 10."""

    calls: list[str] = attrs.field(factory=list)

    def rule_schema(self) -> Mapping[str, sk.Kind]:
        return {"score": sk.Kind.NUMBER, "band": sk.Kind.CATEGORY}

    def score(self, portfolio: sk.Portfolio, *, previous: Any = None) -> FakeResult:
        self.calls.append(str(portfolio.as_of))
        x = portfolio["x"]
        band = np.where(np.isnan(x), None, np.where(x < 4, "red", "green"))
        return FakeResult(
            portfolio.ids,
            {"score": sk.Column.number(x * 10), "band": sk.Column.from_labels(band.tolist())},
        )


def test_namespace_results_align_by_id(pf: sk.Portfolio) -> None:
    touch = FakeResult(
        np.array(["umbrella", "acme", "nobody"]),
        {
            "score": sk.Column.number([0.1, 0.9, 0.5]),
            "quadrant": sk.Column.from_labels(["D", "A", "D"]),
        },
    )
    stages = FakeResult(
        np.array(["acme", "globex", "initech", "umbrella"]),
        {
            "": sk.Column.from_labels(["onboarding", "operation", "onboarding", None]),
            "days": sk.Column.number([70, 10, 30, 90]),
        },
    )
    pb = sk.Playbook.parse(
        """
        rule d: when touch.quadrant = "D" then schedule_training
        rule onb: when stage = "onboarding" and stage.days > 60 then nudge
        rule low_touch: when touch.score < 50% then engage
        rule no_touch: when touch.score is missing then look
        """
    )
    ctas = pb.evaluate(pf, touch=touch, stages=stages)
    assert _fired(ctas) == [
        ("acme", "onb", "nudge"),
        ("globex", "no_touch", "look"),
        ("initech", "no_touch", "look"),
        ("umbrella", "d", "schedule_training"),
        ("umbrella", "low_touch", "engage"),
    ]
    assert ctas[0].reason == 'stage = "onboarding" and stage.days = 70 > 60'
    with pytest.raises(sk.RuleNameError, match=r"touch\.quadrnt"):
        sk.Playbook.parse('when touch.quadrnt = "D" then x').evaluate(pf, touch=touch)


@attrs.frozen
class CountingResult(FakeResult):
    """A namespace result that counts the calls of rule_columns()."""

    calls: list[int] = attrs.field(factory=list)

    def rule_columns(self) -> Mapping[str, sk.Column]:
        self.calls.append(1)
        return self.columns


@pytest.mark.parametrize("order", [slice(None), slice(None, None, -1)])
def test_namespace_columns_are_read_once_per_snapshot(pf: sk.Portfolio, order: slice) -> None:
    # score 10 * (row in pf), band "red" below 15: in pf's order or reversed (then aligned)
    score = np.arange(len(pf)) * 10.0
    band = np.where(score < 15, "red", "green")
    result = CountingResult(
        pf.ids[order].copy(),
        {
            "score": sk.Column.number(score[order]),
            "band": sk.Column.from_labels(band[order]),
            "coverage": sk.Column.number(score[order] + 1),
        },
    )
    pb = sk.Playbook.parse(
        """
        rule high: when health.score >= 20 then a
        rule red: when health.band = "red" then b
        rule both: when health.coverage > 1 and health.band = "red" then c
        """
    )
    assert _fired(pb.evaluate(pf, health=result)) == [
        ("acme", "red", "b"),
        ("globex", "red", "b"),
        ("globex", "both", "c"),
        ("initech", "high", "a"),
        ("umbrella", "high", "a"),
    ]
    # once for the schema, once for the values (and one alignment), for all three names
    assert len(result.calls) == 2


def test_namespace_models_are_scored_per_snapshot() -> None:
    history = sk.History(
        [
            sk.Portfolio.from_columns({"id": ["a", "b", "c"], "x": [5, 5, 3]}, as_of=f"2026-0{m}-01")
            .with_columns(x=values)
            for m, values in ((1, [5, 5, 3]), (2, [3, 5, 3]), (3, [2, 6, 3]))
        ]
    )
    model = FakeModel()
    pb = sk.Playbook.parse(
        """
        rule red: when health.band becomes "red" then escalate
        rule drop: when delta(health.score, 1mo) <= -10 then look
        """
    )
    ctas = pb.evaluate(history.until("2026-02-01"), health=model)
    assert _fired(ctas) == [("a", "red", "escalate"), ("a", "drop", "look")]
    assert ctas[0].reason == 'health.band became "red" (was "green")'
    assert _fired(pb.evaluate(history, health=model)) == [("a", "drop", "look")]
    # a result (not a model) cannot be compared over time
    result = model.score(history.latest)
    with pytest.raises(sk.RuleNameError, match="pass the model"):
        pb.evaluate(history, health=result)
    # ... but can be read now
    now = sk.Playbook.parse("when health.score < 25 then call").evaluate(history, health=result)
    assert _fired(now) == [("a", "rule_1", "call")]


def test_namespace_with_the_real_health_model() -> None:
    model = sk.HealthModel(
        [
            sk.Metric("login_rate", scheme=sk.Linear(0, 1), group="engagement"),
            sk.Metric("nps", scheme=sk.Linear(-100, 100), group="roi"),
        ]
    )
    snapshots = [
        sk.Portfolio.from_columns(
            {"id": ["a", "b"], "login_rate": [lr_a, 0.9], "nps": [nps_a, 50]},
            as_of=f"2026-0{m}-01",
        )
        for m, lr_a, nps_a in ((1, 0.8, 40), (2, 0.5, 0), (3, 0.1, -80))
    ]
    history = sk.History(snapshots)
    pb = sk.Playbook.parse(
        """
        rule red: when health.band becomes "red" then escalate priority high
        rule weak: when health.engagement < 40 and health.roi < 40 then rescue
        """
    )
    pb.check(history, health=model)
    ctas = pb.evaluate(history, health=model)
    assert _fired(ctas) == [("a", "red", "escalate"), ("a", "weak", "rescue")]
    assert ctas[0].reason == 'health.band became "red" (was "yellow")'
    result = model.score(history.latest)
    assert _fired(sk.Playbook.parse("when health.score >= 70 then thank").evaluate(
        history.latest, health=result)) == [("b", "rule_1", "thank")]


def test_bad_namespace_provider(pf: sk.Portfolio) -> None:
    with pytest.raises(sk.ModelError, match="rule_columns"):
        sk.Playbook.parse("when x then y").evaluate(pf, health=object())


# -- history functions -----------------------------------------------------------------------


@pytest.fixture
def history() -> sk.History:
    def snap(day: str, ids: list[str], usage: list[float | None], tier: list[str]) -> sk.Portfolio:
        return sk.Portfolio.from_columns({"id": ids, "usage": usage, "tier": tier}, as_of=day)

    return sk.History(
        [
            snap("2026-01-01", ["a", "b", "c"], [1.0, 0.5, 0.0], ["low", "low", "low"]),
            snap("2026-01-31", ["a", "b", "c", "d"], [0.7, 0.55, 0.2, 0.1],
                 ["high", "low", "high", "high"]),
        ]
    )


def test_change_delta_previous(history: sk.History) -> None:
    pb = sk.Playbook.parse(
        """
        rule drop: when change(usage, 30d) <= -20% then meet
        rule rise: when delta(usage, 30d) > 0 then thank
        rule was_low: when previous(tier, 30d) = "low" and tier = "high" then welcome
        """
    )
    assert _fired(pb.evaluate(history)) == [
        ("a", "drop", "meet"),
        ("a", "was_low", "welcome"),
        ("b", "rise", "thank"),
        ("c", "rise", "thank"),  # change() of c is missing (x_then = 0) but delta is not
        ("c", "was_low", "welcome"),
    ]
    # no snapshot near 7 days back: missing, nothing fires
    assert len(sk.Playbook.parse("when delta(usage, 7d) > 0 then x").evaluate(history)) == 0
    # a plain portfolio has no past: missing, nothing fires
    assert len(pb.evaluate(history.latest)) == 0


def test_becomes_is_an_edge(history: sk.History) -> None:
    pb = sk.Playbook.parse('when tier becomes "high" then celebrate')
    assert [c.account_id for c in pb.evaluate(history)] == ["a", "c"]  # d is new: unknown
    assert [c.reason for c in pb.evaluate(history)] == [
        'tier became "high" (was "low")', 'tier became "high" (was "low")',
    ]
    assert len(pb.evaluate(history[:1])) == 0


# -- dedup: open CTAs, cooldown, snoozes ----------------------------------------------------------


def test_open_ctas_hold_back_their_rule(pf: sk.Portfolio) -> None:
    pb = sk.Playbook.parse(
        "rule low: when first_login_rate <= 30% then call\n"
        "rule nps: when nps_responded = false then resend cooldown 14d"
    )
    first = pb.evaluate(pf)
    assert len(first) == 4
    assert len(pb.evaluate(pf, open_ctas=first)) == 0
    assert len(pb.evaluate(pf, open_ctas=list(first))) == 0
    held = pb.evaluate(pf, open_ctas=[("acme", "low"), {"account_id": "umbrella", "rule": "nps"},
                                      ("ghost", "low"), ("acme", "retired_rule")])
    assert _fired(held) == [("acme", "nps", "resend"), ("umbrella", "low", "call")]
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"account_id": ["acme"], "rule": ["nps"]})
    assert ("acme", "nps", "resend") not in _fired(pb.evaluate(pf, open_ctas=frame))


def test_cooldown_after_a_closed_cta(pf: sk.Portfolio) -> None:
    pb = sk.Playbook.parse(
        "rule low: when first_login_rate <= 30% then call\n"
        "rule nps: when nps_responded = false then resend cooldown 14d"
    )
    recent = {"account_id": "acme", "rule": "nps", "created": "2026-09-20", "closed": True}
    old = {"account_id": "umbrella", "rule": "nps", "created": "2026-09-01", "closed": True}
    no_cooldown = {"account_id": "acme", "rule": "low", "created": "2026-09-30", "closed": True}
    fired = _fired(pb.evaluate(pf, open_ctas=[recent, old, no_cooldown]))
    assert ("acme", "nps", "resend") not in fired
    assert ("umbrella", "nps", "resend") in fired
    assert ("acme", "low", "call") in fired
    # thirteen days later the cooldown of the recent one has not run out; fourteen it has
    assert ("acme", "nps", "resend") not in _fired(
        pb.evaluate(pf, open_ctas=[recent], now="2026-10-03")
    )
    assert ("acme", "nps", "resend") in _fired(
        pb.evaluate(pf, open_ctas=[recent], now="2026-10-04")
    )


def test_snoozed_until_a_date(pf: sk.Portfolio) -> None:
    pb = sk.Playbook.parse(
        "rule low: when first_login_rate <= 30% then call\n"
        "rule nps: when nps_responded = false then resend"
    )
    snoozed = [("acme", None, "2026-10-15"), {"account_id": "umbrella", "rule": "nps",
                                                "until": "2026-10-01"}]
    fired = _fired(pb.evaluate(pf, snoozed=snoozed))
    assert [f for f in fired if f[0] == "acme"] == []
    assert ("umbrella", "nps", "resend") in fired  # the snooze ended on the as_of date
    assert ("acme", "low", "call") in _fired(pb.evaluate(pf, snoozed=snoozed, now="2026-10-15"))


@pytest.mark.parametrize(
    ("open_ctas", "snoozed", "message"),
    [
        ([("a",)], (), "tuples"),
        ([{"rule": "x"}], (), "account_id"),
        ((), [("a", None)], "snoozed tuples"),
        ((), [{"account_id": "a"}], "until"),
        ("acme", (), "not text"),
    ],
)
def test_bad_dedup_inputs(pf: sk.Portfolio, open_ctas: Any, snoozed: Any, message: str) -> None:
    pb = sk.Playbook.parse("when first_login_rate <= 30% then call")
    with pytest.raises(sk.DataError, match=message):
        pb.evaluate(pf, open_ctas=open_ctas, snoozed=snoozed)


# -- the playbook object ---------------------------------------------------------------------


def test_an_evaluated_playbook_pickles_and_evaluates_the_same(pf: sk.Portfolio) -> None:
    import pickle

    pb = sk.Playbook.parse(
        """
        rule low "Few logins": when first_login_rate <= 30% or tier = "low"
          then contact_admin(with = "csm") as risk priority high owner "csm" due 7d
        rule renewal: when days_until(renewal_date) < 90 then plan_renewal cooldown 30d
        """,
        name="demo",
    )
    ctas = pb.evaluate(pf)  # compiles and caches the rules: closures, which do not pickle
    again = pickle.loads(pickle.dumps(pb))
    assert again == pb
    assert again.name == "demo"
    assert again.fingerprint == pb.fingerprint
    assert again.evaluate(pf).to_dict() == ctas.to_dict()
    assert pb.evaluate(pf).to_dict() == ctas.to_dict()  # the original still works too
    assert pickle.loads(pickle.dumps(again)).evaluate(pf).to_dict() == ctas.to_dict()


def test_serialisation_and_identity() -> None:
    text = 'rule r "T": when x > 1 then a(b = 2) as opportunity\nwhen y then z'
    pb = sk.Playbook.parse(text, name="demo")
    again = sk.Playbook.from_dict(pb.to_dict())
    assert again == pb
    assert again.name == "demo"
    assert again.fingerprint == pb.fingerprint
    assert sk.Playbook.parse("when y then z").fingerprint != pb.fingerprint
    assert pb.names == ("r", "rule_2")
    assert len(pb) == 2
    assert list(pb) == list(pb.rules)
    assert pb.rule("r").title == "T"
    with pytest.raises(KeyError, match="did you mean 'r'"):
        pb.rule("rr")
    assert repr(pb) == "Playbook('demo', 2 rules)"
    assert "<table" in pb._repr_html_()
    with pytest.raises(sk.ModelError, match="version"):
        sk.Playbook.from_dict({"version": 2, "text": ""})
    with pytest.raises(sk.ModelError, match="text"):
        sk.Playbook.from_dict({"version": 1})


def test_rules_must_be_unique_rules() -> None:
    rule = ast.Rule(name="r", condition=ast.Name("x"), actions=(ast.Action("a"),))
    with pytest.raises(sk.ModelError, match="two rules"):
        sk.Playbook([rule, rule])
    with pytest.raises(sk.ModelError, match="Rule objects"):
        sk.Playbook(["when x then y"])  # type: ignore[list-item]


def test_scoped_and_merged_playbooks(pf: sk.Portfolio) -> None:
    onboarding = sk.Playbook.parse("rule low: when first_login_rate <= 30% then call")
    adoption = sk.Playbook.parse("rule low: when license_activation_rate >= 90% then upsell")
    combined = sk.Playbook.merge(
        onboarding.scoped('tier = "high"', prefix="onboarding"),
        adoption.scoped('tier = "low" or tier = "tech"', prefix="adoption"),
    )
    assert combined.names == ("onboarding.low", "adoption.low")
    assert sk.Playbook.parse(combined.format()) == combined
    assert _fired(combined.evaluate(pf)) == [
        ("acme", "onboarding.low", "call"),
        ("globex", "adoption.low", "upsell"),
        ("initech", "adoption.low", "upsell"),
    ]
    with pytest.raises(sk.ModelError, match="two rules"):
        sk.Playbook.merge(onboarding, adoption)
    with pytest.raises(sk.ModelError, match="playbooks"):
        sk.Playbook.merge(onboarding, "x")  # type: ignore[arg-type]


def test_compiled_program_is_reused(pf: sk.Portfolio) -> None:
    pb = sk.Playbook.parse("when first_login_rate <= 30% then call")
    pb.evaluate(pf)
    pb.evaluate(pf)
    assert len(pb._programs) == 1


def test_evaluate_needs_portfolio_or_history() -> None:
    with pytest.raises(sk.DataError, match="Portfolio or a History"):
        sk.Playbook.parse("when x then y").evaluate({"x": [1]})  # type: ignore[arg-type]


# -- DSL.md, evaluated -------------------------------------------------------------------------



@attrs.frozen
class ScoreModel:
    """Health from the column ``hs``: score = hs, band red < 40 ≤ yellow < 70 ≤ green."""

    def rule_schema(self) -> Mapping[str, sk.Kind]:
        return {"score": sk.Kind.NUMBER, "band": sk.Kind.CATEGORY}

    def score(self, portfolio: sk.Portfolio, *, previous: Any = None) -> FakeResult:
        hs = portfolio["hs"]
        band = np.where(hs < 40, "red", np.where(hs < 70, "yellow", "green"))
        return FakeResult(
            portfolio.ids,
            {"score": sk.Column.number(hs), "band": sk.Column.from_labels(band.tolist())},
        )


def test_dsl_examples_evaluate_as_documented() -> None:
    # one account per rule; `calm` trips nothing. The changes happen in the second month.
    accounts = ["kp", "fx", "nps", "roi", "onb", "lic", "red", "renew", "train", "d3", "jp",
                "calm"]
    base = {
        "keyperson_usage": 50.0, "feature_x_usage": 0.1, "nps_responded": True,
        "roi_achievement": 0.5, "first_login_rate": 0.9, "license_activation_rate": 0.5,
        "tier": "tech", "renewal_date": "2028-01-01", "D-3 Login Rate": 0.9, "ログイン率": 0.9,
        "hs": 80.0,
    }
    now_changes = {
        "kp": {"keyperson_usage": 35.0},
        "fx": {"feature_x_usage": 0.85},
        "nps": {"nps_responded": False},
        "roi": {"roi_achievement": 1.1},
        "onb": {"first_login_rate": 0.2},
        "lic": {"license_activation_rate": 0.95, "tier": "high"},
        "red": {"hs": 35.0},
        "renew": {"hs": 30.0, "renewal_date": "2026-12-01"},
        "d3": {"D-3 Login Rate": 0.3},
        "jp": {"ログイン率": 0.2},
    }
    before_changes = {"renew": {"hs": 30.0}}  # red already: `becomes` must not fire

    def snapshot(day: str, changes: dict[str, dict[str, Any]]) -> sk.Portfolio:
        columns: dict[str, Any] = {"id": accounts}
        for name, value in base.items():
            columns[name] = [changes.get(a, {}).get(name, value) for a in accounts]
        return sk.Portfolio.from_columns(columns, as_of=day, kinds={"renewal_date": "date"})

    history = sk.History(
        [snapshot("2026-09-01", before_changes), snapshot("2026-10-01", now_changes)]
    )
    stages = FakeResult(
        np.array(accounts),
        {
            "": sk.Column.from_labels(
                ["onboarding" if a in ("onb", "calm") else "operation" for a in accounts]
            ),
            "days": sk.Column.number([90 if a == "train" else 10 for a in accounts]),
        },
    )
    touch = FakeResult(
        np.array(accounts),
        {"quadrant": sk.Column.from_labels(["D" if a in ("train", "calm") else "A"
                                            for a in accounts])},
    )
    pb = sk.Playbook.parse(DSL_EXAMPLES)
    ctas = pb.evaluate(history, health=ScoreModel(), touch=touch, stages=stages)
    fired = {(c.account_id, c.rule, c.action) for c in ctas}
    assert fired == {
        ("kp", "keyperson_drop", "propose_meeting"),
        ("fx", "rule_7", "propose_option"),
        ("nps", "rule_8", "resend_nps_survey"),
        ("roi", "rule_9", "ask_case_study"),
        ("roi", "rule_9", "invite_seminar_talk"),
        ("onb", "rule_10", "contact_admin"),
        ("lic", "rule_11", "upsell"),
        ("red", "rule_15", "escalate"),
        ("renew", "rule_16", "renewal_rescue"),
        ("train", "rule_17", "schedule_training"),
        ("d3", "rule_18", "send_tips"),
        ("jp", "rule_19", "管理者に状況確認"),
    }
    by_rule = {c.rule: c for c in ctas}
    assert by_rule["keyperson_drop"].due == dt.date(2026, 10, 8)
    assert by_rule["keyperson_drop"].owner == "csm"
    assert by_rule["rule_11"].arguments == {"with": "sales"}
    assert by_rule["rule_16"].reason == (
        "health.score = 30 < 40 and days_until(renewal_date) = 61 <= 90"
    )
    assert by_rule["rule_18"].reason == "`D-3 Login Rate` = 30% between 25% and 50%"
    assert by_rule["rule_19"].reason == "ログイン率 = 20% < 30%"
    assert [c.priority for c in ctas][:2] == ["high", "high"]


def test_namespaces_with_the_real_touch_and_quadrant_results() -> None:
    from successkit.datasets import make_portfolio

    sample = make_portfolio(150, months=3, seed=4)
    health = sk.HealthModel.dear()
    touch = sk.TouchModel.sansan(window="30d").bind(sample.events)
    pf = sample.portfolio
    touch_now = touch.score(pf)
    quadrants = sk.Quadrants(health=40, touch=0.5).classify(health.score(pf), touch_now)
    pb = sk.Playbook.parse(
        """
        rule low_touch: when touch.score < 0.5 and health.score >= 40 then engage
        rule quadrant_d: when touch.quadrant = "D" then schedule_training
        """
    )
    # a bound touch model is scored at every snapshot, like a health model
    low = sk.Playbook.parse(
        "when touch.score < 0.5 and health.score >= 40 then engage"
    ).evaluate(sample.history[-2:], health=health, touch=touch)
    score = touch_now.score
    expected = pf.ids[(score < 0.5) & (health.score(pf).score >= 40)]
    assert sorted(low.account_id.tolist()) == sorted(expected.tolist())
    # a quadrant result offers the touch names and the quadrant
    fired = pb.evaluate(pf, health=health.score(pf), touch=quadrants)
    in_d = pf.ids[np.asarray(quadrants.quadrant) == "D"]
    assert sorted(fired.for_rule("quadrant_d").account_id.tolist()) == sorted(in_d.tolist())
    assert len(fired.for_rule("low_touch")) == len(expected)


def test_reasons_show_values_of_every_kind(pf: sk.Portfolio) -> None:
    pb = sk.Playbook.parse(
        """
        rule a: when nps_responded != true and tier != "low" then x
        rule b: when first_login_rate > 90% or tier = "high" or license_activation_rate > 2 then y
        rule c: when not (first_login_rate > 50%) and renewal_date < 2026-12-31 then z
        rule d: when first_login_rate * 2 > license_activation_rate then w
        """
    )
    reasons = {(c.account_id, c.rule): c.reason for c in pb.evaluate(pf)}
    assert reasons[("acme", "a")] == 'nps_responded = false != true and tier = "high" != "low"'
    assert reasons[("acme", "b")] == 'tier = "high"'
    assert reasons[("acme", "c")] == (
        "not first_login_rate > 50% and renewal_date = 2026-12-01 < 2026-12-31"
    )
    assert reasons[("umbrella", "c")] == (
        "not first_login_rate > 50% and renewal_date = 2026-11-15 < 2026-12-31"
    )
    assert ("umbrella", "d") not in reasons  # license_activation_rate is missing
    assert reasons[("globex", "d")] == (
        "first_login_rate * 2 (1.6) > license_activation_rate (0.92)"
    )

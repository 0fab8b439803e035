"""Seed 001 (HiCustomer): a success roadmap — per stage its name, achieved state, joint /
customer / vendor tasks, positive actions (opportunities) and challenge actions (risks) —
expressed as a Roadmap and evaluated end to end: stages, the merged stage playbook (each
stage's actions fire only for its own accounts) and one account's success plan.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

import successkit as sk

ONBOARDING = sk.Stage(
    "onboarding",
    description="導入: every user logs in; the admin has set the product up",
    goal="first_login_rate >= 80%",
    expected_duration="2mo",
    tasks=[
        sk.Task("kick-off meeting and success plan", "joint", due="1w"),
        sk.Task("invite every user", "customer", due="2w"),
        sk.Task("admin training", "vendor", due="1mo"),
    ],
    playbook="""
rule first_login_low "初回ログイン率が XX%以下 → 管理者に状況確認連絡":
  when first_login_rate <= 30% then contact_admin as risk priority high owner csm due 3d
""",
)
ADOPTION = sk.Stage(
    "adoption",
    entry="first_login_rate >= 60% and license_activation_rate >= 50%",
    description="活用: the product is part of daily work; the key person is engaged",
    goal="login_rate >= 60% and nps_responded",
    expected_duration="6mo",
    tasks=[
        sk.Task("mid-term review", "joint"),
        sk.Task("use feature X in daily work", "customer"),
        sk.Task("monthly usage report", "vendor"),
    ],
    playbook="""
rule keyperson_drop "キーパーソンの利用量低下 → 打ち合わせを打診":
  when change(keyperson_usage, 30d) <= -20% then propose_meeting as risk priority high owner csm
rule nps_unanswered "NPSサーベイに答えていない → 再送信連絡":
  when nps_responded = false then resend_nps_survey as risk priority low
rule option_usage "◯◯機能の利用率が XX%以上 → オプション機能の提案":
  when feature_x_usage >= 80% then propose_option as opportunity owner csm
""",
)
EXPANSION = sk.Stage(
    "expansion",
    entry="roi_achievement >= 80% and login_rate >= 50%",
    description="拡大: the customer reached its goal and buys more",
    goal="roi_achievement >= 100% and case_study_ok",
    tasks=[
        sk.Task("ROI review", "joint"),
        sk.Task("agree to a case study", "customer"),
        sk.Task("upsell proposal with sales", "vendor", due="1mo"),
    ],
    playbook="""
rule roi_met "ROI目標が達成 → 事例やセミナー登壇を打診":
  when roi_achievement >= 100% then ask_case_study, invite_seminar_talk as opportunity owner csm
rule activation_high "ライセンス有効化率 XX%以上 → アップセル提案を営業担当と実施":
  when license_activation_rate >= 90% then upsell(with = "sales") as opportunity owner sales
""",
)
ROADMAP = sk.Roadmap([ONBOARDING, ADOPTION, EXPANSION], name="HiCustomer success roadmap")

COLUMNS = ("first_login_rate", "license_activation_rate", "login_rate", "keyperson_usage",
           "nps_responded", "feature_x_usage", "roi_achievement", "case_study_ok")
ACCOUNTS = {
    #          first  lic   login kp(before, now) nps    featX roi  case
    "on_low": (0.20, 0.30, 0.10, (50, 50), True, 0.90, 0.10, False),   # X high, not its stage
    "on_ok": (0.50, 0.30, 0.30, (50, 50), True, 0.10, 0.10, False),
    "ad_drop": (0.90, 0.60, 0.70, (100, 70), True, 0.10, 0.50, False),
    "ad_nps": (0.90, 0.60, 0.70, (50, 50), False, 0.10, 0.50, False),
    "ad_opt": (0.90, 0.95, 0.40, (50, 50), True, 0.85, 0.50, False),  # lic high, not its stage
    "ex_roi": (0.95, 0.70, 0.80, (50, 50), True, 0.10, 1.20, True),
    "ex_lic": (0.25, 0.95, 0.60, (50, 50), None, 0.10, 0.90, False),  # first low, not its stage
}


def _history() -> sk.History:
    ids = list(ACCOUNTS)
    snapshots = []
    for k, day in enumerate(["2026-09-01", "2026-10-01"]):
        values = {
            name: [row[i] if name != "keyperson_usage" else row[i][k]
                   for row in ACCOUNTS.values()]
            for i, name in enumerate(COLUMNS)
        }
        snapshots.append(sk.Portfolio.from_columns({"id": ids, **values}, as_of=day))
    return sk.History(snapshots)


def test_accounts_are_placed_by_their_entry_conditions() -> None:
    result = ROADMAP.assign(_history())
    assert dict(zip(result.ids.tolist(), result.stage.tolist(), strict=True)) == {
        "on_low": "onboarding", "on_ok": "onboarding",
        "ad_drop": "adoption", "ad_nps": "adoption", "ad_opt": "adoption",
        "ex_roi": "expansion", "ex_lic": "expansion",
    }
    assert result.goal_met.tolist() == [False, False, True, False, False, True, False]
    # both snapshots in the same stage: counted from the first (30 days)
    assert result.days_in_stage.tolist() == [30.0] * 7


def test_each_stage_fires_its_actions_only_for_its_accounts() -> None:
    history = _history()
    result = ROADMAP.assign(history)
    playbook = ROADMAP.playbook()
    assert playbook.names == (
        "onboarding.first_login_low",
        "adoption.keyperson_drop", "adoption.nps_unanswered", "adoption.option_usage",
        "expansion.roi_met", "expansion.activation_high",
    )
    ctas = playbook.evaluate(history, stages=result)
    fired = sorted((c.account_id, c.rule, c.action, c.kind) for c in ctas)
    assert fired == [
        ("ad_drop", "adoption.keyperson_drop", "propose_meeting", "risk"),
        ("ad_nps", "adoption.nps_unanswered", "resend_nps_survey", "risk"),
        ("ad_opt", "adoption.option_usage", "propose_option", "opportunity"),
        ("ex_lic", "expansion.activation_high", "upsell", "opportunity"),
        ("ex_roi", "expansion.roi_met", "ask_case_study", "opportunity"),
        ("ex_roi", "expansion.roi_met", "invite_seminar_talk", "opportunity"),
        ("on_low", "onboarding.first_login_low", "contact_admin", "risk"),
    ]
    # the same indicators without the stage scope fire for accounts in other stages too
    unscoped = sk.Playbook.merge(ONBOARDING.playbook, ADOPTION.playbook, EXPANSION.playbook)
    extra = {(c.account_id, c.rule) for c in unscoped.evaluate(history)}
    assert {("on_low", "option_usage"), ("ad_opt", "activation_high"),
            ("ex_lic", "first_login_low")} <= extra


def test_success_plan_of_one_account() -> None:
    result = ROADMAP.assign(_history())
    plan = ROADMAP.plan("ex_roi", result)
    assert plan.stage == "expansion"
    assert plan.goal == "roi_achievement >= 100% and case_study_ok"
    assert plan.goal_met is True
    assert plan.next_stage is None
    assert {o: [t.name for t in ts] for o, ts in plan.tasks_by_owner().items()} == {
        "joint": ["ROI review"], "customer": ["agree to a case study"],
        "vendor": ["upsell proposal with sales"],
    }
    assert plan.task_due == (None, None, dt.date(2026, 10, 1))  # entered 2026-09-01 + 1mo
    assert [c.action for c in plan.positive] == ["ask_case_study", "invite_seminar_talk"]
    assert plan.challenge == ()
    assert json.loads(json.dumps(plan.to_dict()))["stage"] == "expansion"


def test_success_plan_text() -> None:
    plan = ROADMAP.assign(_history()).plan("on_low")
    assert str(plan) == """\
Success plan for on_low on 2026-10-01
  stage:  onboarding (1 of 3), 30 days in stage (expected 2mo)
  state:  導入: every user logs in; the admin has set the product up
  goal:   first_login_rate >= 80% — not met
  next:   adoption when first_login_rate >= 60% and license_activation_rate >= 50%
  tasks:
    joint     kick-off meeting and success plan (due 2026-09-08)
    customer  invite every user (due 2026-09-15)
    vendor    admin training (due 2026-10-01)
  challenge actions:
    contact_admin — stage = "onboarding" and first_login_rate = 20% <= 30%"""
    assert "contact_admin" in plan._repr_html_()


def test_plan_equals_the_batch_evaluation() -> None:
    history = _history()
    result = ROADMAP.assign(history)
    batch = ROADMAP.playbook().evaluate(history, stages=result)
    for account in result.ids.tolist():
        plan = ROADMAP.plan(account, result)
        expected = [(c.rule, c.action, c.reason, c.due) for c in batch
                    if c.account_id == account]
        assert sorted((c.rule, c.action, c.reason, c.due) for c in plan.actions) == sorted(
            expected)


def test_plan_errors() -> None:
    result = ROADMAP.assign(_history())
    with pytest.raises(sk.DataError, match="account 'nobody'"):
        ROADMAP.plan("nobody", result)
    with pytest.raises(sk.DataError, match="another roadmap"):
        sk.Roadmap.lifecycle().plan("on_low", result)
    with pytest.raises(sk.DataError, match="StageResult"):
        ROADMAP.plan("on_low", "result")  # type: ignore[arg-type]


def test_plan_without_a_stage() -> None:
    roadmap = sk.Roadmap([sk.Stage("live", entry="x > 1", tasks=[sk.Task("t", "joint")])])
    pf = sk.Portfolio.from_columns({"id": ["a"], "x": [0.0]}, as_of="2026-10-01")
    plan = roadmap.plan("a", roadmap.assign(pf))
    assert plan.stage is None
    assert plan.tasks == ()
    assert str(plan).splitlines()[1].startswith("  stage:  none")


def test_stage_playbooks_on_the_sample_portfolio() -> None:
    from successkit.datasets import make_portfolio

    sample = make_portfolio(400, seed=3)
    result = ROADMAP.assign(sample.history)
    ctas = ROADMAP.playbook().evaluate(sample.history, stages=result)
    stage_of = dict(zip(result.ids.tolist(), result.stage.tolist(), strict=True))
    for cta in ctas:
        assert cta.rule.split(".")[0] == stage_of[cta.account_id]
    # each stage's CTAs are exactly its own playbook's CTAs over its own accounts
    for stage in ROADMAP.stages:
        assert stage.playbook is not None
        own = stage.playbook.evaluate(sample.history)
        members = set(result.ids_in(stage.name).tolist())
        expected = sorted((c.account_id, c.action) for c in own if c.account_id in members)
        got = sorted((c.account_id, c.action) for c in ctas
                     if c.rule.startswith(stage.name + "."))
        assert got == expected
    assert np.isin(result.codes, [0, 1, 2]).all()

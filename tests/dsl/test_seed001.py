"""Seed 001 (HiCustomer): the six indicators "(1) when, (2) what to do" as a playbook.

Each account of a hand-built history is designed to trip (or just miss) one indicator, so
the test pins exactly which CTAs fire, including the cases where missing data must not.
"""

from __future__ import annotations

import datetime as dt

import successkit as sk

SEED_001 = """\
# Challenge actions (risks) and positive actions (opportunities) from seed 001
rule keyperson_drop "キーパーソンの利用量低下 → 打ち合わせを打診":
  when change(keyperson_usage, 30d) <= -20%
  then propose_meeting
  as risk priority high owner csm due 7d

rule option_usage "◯◯機能の利用率が XX%以上 → オプション機能の提案":
  when feature_x_usage >= 80%
  then propose_option
  as opportunity owner csm due 14d

rule nps_unanswered "NPSサーベイに答えていない → 再送信連絡":
  when nps_responded = false
  then resend_nps_survey
  as risk priority low cooldown 14d

rule roi_met "ROI目標が達成 → 事例やセミナー登壇を打診":
  when roi_achievement >= 100%
  then ask_case_study, invite_seminar_talk
  as opportunity owner csm

rule first_login_low "初回ログイン率が XX%以下 → 管理者に状況確認連絡":
  when first_login_rate <= 30%
  then contact_admin
  as risk priority high owner csm due 3d

rule activation_high "ライセンス有効化率 XX%以上 → アップセル提案を営業担当と実施":
  when license_activation_rate >= 90%
  then upsell(with = "sales")
  as opportunity owner sales due 1mo
"""

IDS = ["k_drop", "k_small", "k_gone", "opt", "nps", "roi", "login", "lic", "quiet", "new"]


def _snapshot(day: str, values: dict[str, list[object]], ids: list[str]) -> sk.Portfolio:
    return sk.Portfolio.from_columns({"id": ids, **values}, as_of=day, kinds={
        "keyperson_usage": "number", "feature_x_usage": "number", "nps_responded": "boolean",
        "roi_achievement": "number", "first_login_rate": "number",
        "license_activation_rate": "number",
    })


def _history() -> sk.History:
    before = {
        #                  k_drop k_small k_gone opt  nps   roi  login lic  quiet
        "keyperson_usage": [100, 100, 100, 50, 50, 50, 50, 50, 50],
        "feature_x_usage": [0.1, 0.1, 0.1, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1],
        "nps_responded": [True, True, True, True, None, True, True, True, True],
        "roi_achievement": [0.5, 0.5, 0.5, 0.5, 0.5, 0.9, 0.5, 0.5, 0.5],
        "first_login_rate": [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.5, 0.9, 0.9],
        "license_activation_rate": [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.8, 0.5],
    }
    now = {
        #                  k_drop k_small k_gone opt  nps    roi  login lic  quiet  new
        "keyperson_usage": [75, 85, None, 50, 50, 50, 50, 50, 50, 10],
        "feature_x_usage": [0.1, 0.1, 0.1, 0.85, 0.1, 0.1, 0.1, 0.1, None, 0.1],
        "nps_responded": [True, True, True, True, False, True, True, True, None, True],
        "roi_achievement": [0.5, 0.5, 0.5, 0.5, 0.5, 1.2, 0.5, 0.5, None, 0.5],
        "first_login_rate": [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.25, 0.9, None, 0.9],
        "license_activation_rate": [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.95, None, 0.5],
    }
    return sk.History(
        [
            _snapshot("2026-09-01", before, IDS[:-1]),
            _snapshot("2026-10-01", now, IDS),
        ]
    )


def test_seed_playbook_fires_exactly_the_expected_ctas() -> None:
    pb = sk.Playbook.parse(SEED_001, name="seed 001")
    ctas = pb.evaluate(_history())
    as_of = dt.date(2026, 10, 1)
    got = [(c.priority, c.account_id, c.rule, c.action, c.kind, c.owner, c.due) for c in ctas]
    assert got == [
        ("high", "k_drop", "keyperson_drop", "propose_meeting", "risk", "csm",
         as_of + dt.timedelta(days=7)),
        ("high", "login", "first_login_low", "contact_admin", "risk", "csm",
         as_of + dt.timedelta(days=3)),
        ("medium", "lic", "activation_high", "upsell", "opportunity", "sales",
         as_of + dt.timedelta(days=30)),
        ("medium", "opt", "option_usage", "propose_option", "opportunity", "csm",
         as_of + dt.timedelta(days=14)),
        ("medium", "roi", "roi_met", "ask_case_study", "opportunity", "csm", None),
        ("medium", "roi", "roi_met", "invite_seminar_talk", "opportunity", "csm", None),
        ("low", "nps", "nps_unanswered", "resend_nps_survey", "risk", None, None),
    ]
    reasons = {c.rule: c.reason for c in ctas}
    assert reasons == {
        "keyperson_drop": "change(keyperson_usage, 1mo) = -25% <= -20%",
        "first_login_low": "first_login_rate = 25% <= 30%",
        "activation_high": "license_activation_rate = 95% >= 90%",
        "option_usage": "feature_x_usage = 85% >= 80%",
        "roi_met": "roi_achievement = 120% >= 100%",
        "nps_unanswered": "nps_responded = false",
    }
    assert ctas[2].arguments == {"with": "sales"}


def test_seed_playbook_round_trips() -> None:
    pb = sk.Playbook.parse(SEED_001)
    assert sk.Playbook.parse(pb.format()) == pb
    assert pb.rule("keyperson_drop").title == "キーパーソンの利用量低下 → 打ち合わせを打診"


def test_seed_playbook_replay_respects_cooldown() -> None:
    history = _history()
    later = history.latest.with_as_of("2026-10-08")
    pb = sk.Playbook.parse(SEED_001)
    result = pb.replay(history.append(later))
    # the NPS reminder fired on 10-01; a week later the CTA is still open (no new one),
    # and the other indicators still hold, so nothing is raised again either
    assert result.rule("nps_unanswered").ctas == 1
    assert result.overall.ctas == 7

"""A usage History from raw events feeds every downstream model unchanged."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import successkit as sk
from successkit.datasets import make_portfolio
from successkit.usage import UsageModel, usage_history

METRICS = UsageModel.from_text("""
metric logins_28d = count(login, 28d)
metric active_users = distinct_users(*, 28d)
metric active_days = active_days(*, 28d)
metric exports_1mo = count({export, share}, 1mo)
metric logins_per_seat = per_seat(logins_28d, seats)
metric login_trend = relative_change(logins_28d)
metric since_login = days_since_last(login)
""")


@pytest.fixture(scope="module")
def sample() -> sk.datasets.SampleData:
    return make_portfolio(300, months=12, seed=3)


@pytest.fixture(scope="module")
def history(sample: sk.datasets.SampleData) -> sk.History:
    # The account table: each account's tier and seats as last seen (a loop in the test only).
    last: dict[str, tuple[str, float]] = {}
    for snap in sample.history:
        for account, tier, seats in zip(snap.ids.tolist(), snap["tier"].tolist(),
                                        snap["seats"].tolist(), strict=True):
            last[account] = (tier, seats)
    table = {"id": list(last), "tier": [v[0] for v in last.values()],
             "seats": [v[1] for v in last.values()]}
    on_date = {snap.as_of: snap.ids for snap in sample.history}
    return usage_history(sample.usage, METRICS, sample.history.dates, accounts=table,
                         members=lambda d: on_date[d])


HEALTH = sk.HealthModel([
    sk.Metric("logins_per_seat", scheme=sk.Linear(0, 4), group="engagement"),
    sk.Metric("active_days", scheme=sk.Linear(0, 20), group="engagement"),
    sk.Metric("exports_1mo", scheme=sk.Linear(0, 10), group="value"),
])


def test_snapshots_follow_the_accounts_of_each_date(history: sk.History,
                                                    sample: sk.datasets.SampleData) -> None:
    assert history.dates == sample.history.dates
    for ours, theirs in zip(history, sample.history, strict=True):
        assert sorted(ours.ids.tolist()) == sorted(theirs.ids.tolist())


def test_health_segmented_and_touch(history: sk.History, sample: sk.datasets.SampleData) -> None:
    results = HEALTH.score_history(history)
    assert [r.as_of for r in results] == list(history.dates)
    assert np.isfinite(results[-1].score).any()
    segmented = sk.SegmentedModel("tier", {"high": HEALTH}, default=HEALTH)
    assert segmented.score(history.latest).score.tolist() == HEALTH.score(
        history.latest).score.tolist()
    touch = sk.TouchModel.sansan().bind(sample.events).score(history.latest)
    assert touch.ids.tolist() == history.latest.ids.tolist()


def test_playbook_with_change_and_becomes(history: sk.History) -> None:
    playbook = sk.Playbook.parse("""
rule fading: when change(logins_28d, 30d) <= -50% then call_customer
rule turned_red: when health.band becomes "red" then exec_call
rule quiet: when since_login >= 14 then nudge
""")
    ctas = playbook.evaluate(history, health=HEALTH)
    latest, before = history.latest, history[-2]
    now = dict(zip(latest.ids.tolist(), latest["logins_28d"].tolist(), strict=True))
    then = dict(zip(before.ids.tolist(), before["logins_28d"].tolist(), strict=True))
    fading = {a for a, v in now.items() if a in then and then[a] > 0 and
              (v - then[a]) / then[a] <= -0.5}
    assert {c.account_id for c in ctas if c.rule == "fading"} == fading
    assert {c.rule for c in ctas} <= {"fading", "turned_red", "quiet"}


def test_roadmap_fit_and_backtest(history: sk.History, sample: sk.datasets.SampleData) -> None:
    roadmap = sk.Roadmap([sk.Stage("onboarding"),
                          sk.Stage("adopted", entry="active_days >= 8 and active_users >= 2")])
    placed = roadmap.assign(history)
    assert len(placed.ids) == len(history.latest)
    churn = {a: (None if np.isnat(d) else d.astype(dt.date))
             for a, d in zip(sample.history.ids.tolist(), sample.churn_dates, strict=True)}
    pf = history.at("2026-06-01")
    assert pf is not None
    churned = np.array([churn[a] is not None and churn[a] <= dt.date(2026, 9, 1)
                        for a in pf.ids.tolist()])
    fitted = HEALTH.fit(pf, churned)
    assert len(fitted.metrics) == len(HEALTH.metrics)
    result = sk.backtest(HEALTH, history, churn, train_until="2026-07-01", horizon="90d",
                         n_boot=20)
    assert result.reports
    # Usage fades before churn in the sample: the fitted usage score beats a coin toss.
    assert np.mean([r.auc for r in result.reports.values()]) > 0.6

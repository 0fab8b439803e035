"""The report printed by ``python -m successkit`` on the built-in sample portfolio.

The report is a list of sections; each area of the library contributes one function that
takes the sample data and returns its lines. Nothing is written to disk.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["report"]


def _portfolio_section(sample: Any) -> list[str]:
    pf = sample.portfolio
    history = sample.history
    tiers = pf.column("tier")
    counts = np.bincount(tiers.values[~tiers.missing], minlength=len(tiers.categories))
    per_tier = ", ".join(f"{n} {t}" for t, n in zip(tiers.categories, counts, strict=True))
    drivers = ", ".join(f"{k} {v:+g}" for k, v in sample.drivers.items() if v)
    lines = [
        f"Portfolio: {len(pf)} accounts as of {pf.as_of} ({per_tier} touch), "
        f"{len(pf.columns)} columns",
        f"History:   {len(history)} monthly snapshots ({history.dates[0]} … {history.dates[-1]}), "
        f"{len(history.ids)} accounts, {len(sample.events['at']):,} touch events",
        f"Churn:     {int(sample.churned.sum())} accounts ({sample.churned.mean():.1%}) within "
        f"{sample.horizon_days} days; true drivers:",
        f"           {drivers}",
    ]
    return lines


def _touch_section(sample: Any) -> list[str]:
    import successkit as sk

    model = sk.TouchModel.sansan(window="30d")
    bound = model.bind(sample.events)
    touch = bound.score(sample.portfolio)
    summary = touch.summary()
    points = float(touch.total.sum()) or 1.0
    online = float(touch.by_channel["online"].sum()) / points
    asynchronous = float(touch.asynchronous.sum()) / points
    quadrants = sk.Quadrants(health=40, touch=0.5)
    health = sk.HealthModel.dear()
    now = quadrants.classify(health.score(sample.portfolio), touch)
    counts = " · ".join(f"{label} {n}" for label, n in now.counts().items())
    lines = [
        f"Touch:     Sansan touch score (30 days): mean {summary.mean_score:.2f}, median "
        f"{summary.median_score:.2f} per user ID; {summary.without_events} without events",
        f"           {online:.0%} online, {asynchronous:.0%} asynchronous; "
        f"{touch.unmatched_events:,} events of {touch.unmatched.shape[0]} accounts not in "
        "the portfolio",
        f"Quadrants: health ≥ 40 × touch ≥ 0.5: {counts}",
    ]
    if len(sample.history) > 3:
        past = sample.history.snapshots[-4]
        before = quadrants.classify(health.score(past), bound.score(past))
        moved = quadrants.transitions(before, now).moved_into("A").shape[0]
        lines.append(f"           {moved} accounts moved into A since {past.as_of} (the KPI)")
    return lines


def _usage_section(sample: Any) -> list[str]:
    """Raw product events → usage metrics per month → a usage health score → a rule."""
    import successkit as sk
    from successkit.usage import UsageModel, usage_history

    events = sample.usage
    model = UsageModel.from_text("""
metric logins_28d = count(login, 28d)
metric active_users = distinct_users(*, 28d)
metric active_days = active_days(*, 28d)
metric exports_1mo = count({export, share}, 1mo)
""", types=events.types)
    on_date = {snap.as_of: snap.ids for snap in sample.history}
    history = usage_history(events, model, sample.history.dates, members=on_date.__getitem__)
    latest = history.latest
    health = sk.HealthModel([
        sk.Metric("active_days", scheme=sk.Linear(0, 20), group="usage"),
        sk.Metric("active_users", scheme=sk.Linear(0, 3), group="usage"),
    ])
    score = health.score(latest).score
    playbook = sk.Playbook.parse(
        "rule usage_drop: when change(logins_28d, 30d) <= -50% then call_customer as risk")
    flagged = {c.account_id for c in playbook.evaluate(history, health=health)}
    churned = dict(zip(sample.portfolio.ids.tolist(), sample.churned.tolist(), strict=True))
    hit = [churned.get(a, False) for a in latest.ids.tolist() if a in flagged]
    rest = [churned.get(a, False) for a in latest.ids.tolist() if a not in flagged]
    rate = (sum(hit) / len(hit)) if hit else 0.0
    other = (sum(rest) / len(rest)) if rest else 0.0
    return [
        f"Usage:     {len(events):,} raw product events ({', '.join(events.types)}) → "
        f"{len(model)} usage metrics × {len(history)} monthly snapshots",
        f"           median {np.median(latest['active_users']):.0f} active users and "
        f"{np.median(latest['active_days']):.0f} active days in the last 28 days; "
        f"usage health median {np.nanmedian(score):.0f}",
        f"           rule usage_drop (logins down 50% in 30 days) flags {len(hit)} accounts: "
        f"{rate:.0%} of them churn within {sample.horizon_days} days, {other:.0%} of the rest",
    ]


def _short(value: Any) -> str:
    return f"{value:.2g}" if isinstance(value, float) else str(value)


def _health_section(sample: Any) -> list[str]:
    import attrs

    import successkit as sk
    model = sk.HealthModel.dear()
    result = model.score(sample.portfolio)
    summary = result.summary()
    arr_total = summary.total_arr or 1.0
    per_band = " · ".join(
        f"{band} {n} ({arr / 1e6:,.0f}M ARR, {arr / arr_total:.0%})"
        for band, n, arr in zip(summary.bands, summary.accounts, summary.arr or (), strict=True)
    )
    lines = [
        f"Health:    DEAR model ({len(model.metrics)} metrics in {len(model.group_names)} "
        f"groups, fingerprint {model.fingerprint}): mean score {summary.mean_score:.1f}",
        f"           {per_band}",
    ]
    if len(sample.history) > 3:
        trend = sk.trend(sample.history, model, window="90d", tolerance=5)
        directions = ", ".join(f"{k} {v}" for k, v in trend.summary().directions.items() if v)
        sticky = attrs.evolve(model, bands=sk.Bands(hysteresis=5))
        changed = int(trend.changed.sum())
        calmer = int(sk.trend(sample.history, sticky, window="30d").changed.sum())
        lines.append(
            f"           90 days: {directions}; {changed} band changes last month "
            f"({calmer} with hysteresis 5)"
        )
    order = np.argsort(np.where(np.isnan(result.score), np.inf, result.score), kind="stable")
    lines.append("Riskiest:  account     score  what costs the most points (explain)")
    for row in order[:5].tolist():
        account = str(result.ids[row])
        costly = sorted(result.explain(account).metrics, key=lambda m: -m.lost)[:3]
        reasons = ", ".join(
            f"{m.label} {_short(m.value)} (−{m.lost:.0f})" for m in costly
        )
        lines.append(f"           {account:<11} {result.score[row]:5.1f}  {reasons}")
    return lines


def _outcomes_section(sample: Any) -> list[str]:
    import successkit as sk

    model = sk.HealthModel.dear()
    try:
        report = sk.evaluate(model.score(sample.portfolio), sample.churned, n_boot=500)
    except sk.ModelError:  # nobody churned in a tiny sample: nothing to validate against
        return [f"Outcomes:  no churn within {sample.horizon_days} days to validate against"]
    lines = [
        f"Outcomes:  DEAR vs {sample.horizon_days}-day churn: AUC {report.auc:.3f} (95% CI "
        f"{report.auc_low:.2f}–{report.auc_high:.2f}), lift {report.lift:.1f}×, "
        f"{report.green_before_churn} of {report.churned} churned were green",
    ]
    from successkit.contracts import churn_labels

    # Labels from the sample's contract table: churned within the horizon after each
    # snapshot, unknown where the window passes the end of the observed data.
    labels = churn_labels(sample.contracts, sample.history.dates, f"{sample.horizon_days}d",
                          observed_until=sample.observed_until)
    try:  # weights learnt from the earlier snapshots only, tested on the latest
        result = sk.backtest(model, sample.history, labels, train_until=sample.history.as_of,
                             n_boot=0)
    except (sk.DataError, sk.ModelError):  # too short a history to learn from
        return lines
    fitted = result.reports[sample.history.as_of]
    top = sorted(result.model.metrics, key=lambda m: -m.weight)[:3]
    weights = ", ".join(f"{m.label} {m.weight:.0f}" for m in top)
    lines.append(
        f"           fitted on {len(result.train_dates)} earlier snapshots (labels from the "
        f"contracts, last training date {result.train_dates[-1].isoformat()}): training AUC "
        f"{result.train_auc:.3f}, held-out AUC {fitted.auc:.3f}; weights {weights}"
    )
    return lines


DEMO_PLAYBOOK = """\
rule keyperson_drop: when change(keyperson_usage, 30d) <= -30%
  then propose_meeting as risk priority high owner csm due 7d
rule first_login_low: when first_login_rate <= 40% then contact_admin as risk owner csm due 3d
rule nps_unanswered: when nps_responded = false then resend_nps_survey cooldown 14d
rule option_usage: when feature_x_usage >= 60% then propose_option as opportunity
rule roi_met: when roi_achievement >= 120% and case_study_ok
  then ask_case_study, invite_seminar_talk as opportunity
rule upsell: when license_activation_rate >= 95% and tier in ("high", "low")
  then upsell(with = "sales") as opportunity owner sales
rule turned_red: when health.band becomes "red" then escalate as risk priority high owner csm
rule renewal_risk: when health.score < 40 and days_until(renewal_date) <= 90
  then renewal_rescue as risk priority high owner csm due 7d
"""


def _playbook_section(sample: Any) -> list[str]:
    import successkit as sk

    pb = sk.Playbook.parse(DEMO_PLAYBOOK, name="seed 001 indicators")
    health = sk.HealthModel.dear()
    recent = sample.history[-3:]  # enough past for change(…, 30d) and becomes
    ctas = pb.evaluate(recent, health=health)
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(ctas.counts("kind").items()))
    per_rule = " · ".join(f"{name} {n}" for name, n in ctas.counts().items())
    accounts = len(set(ctas.account_id.tolist()))
    lines = [
        f"Playbook:  {len(pb)} rules (seed 001 indicators + health) on {recent.as_of}: "
        f"{len(ctas)} CTAs for {accounts} accounts ({kinds})",
        f"           {per_rule}",
    ]
    for cta in ctas[:3]:
        due = f", due {cta.due}" if cta.due else ""
        lines.append(
            f"           {cta.account_id} {cta.action} ({cta.priority}, {cta.owner}{due}): "
            f"{cta.reason}"
        )
    replay = pb.replay(sample.history, outcome=sample.churn_dates, health=health)
    risks = sorted(
        (r for r, rule in zip(replay.rules, pb.rules, strict=True)
         if rule.kind == "risk" and r.churn_share is not None),
        key=lambda r: -(r.churn_share or 0.0),
    )
    shares = " · ".join(f"{r.rule} {r.churn_share:.0%}" for r in risks)
    lines.append(
        f"Replay:    live over {replay.snapshots} snapshots, {replay.overall.ctas:,} CTAs; "
        f"churned among flagged (base {replay.churn_rate or 0.0:.0%}):"
    )
    lines.append(f"           {shares}")
    return lines


def _roadmap_section(sample: Any) -> list[str]:
    import successkit as sk

    roadmap = sk.Roadmap.lifecycle().with_stage("operation", goal="health.score >= 70")
    result = roadmap.assign(sample.portfolio, health=sk.HealthModel.dear())
    summary = result.summary()
    counts = " · ".join(f"{s} {n}" for s, n in zip(summary.stages, summary.accounts, strict=True))
    days = " · ".join(f"{d:.0f}" for d in summary.median_days)
    operation = result.codes == result.index("operation")
    met = float(result.goal_true[operation].mean()) if operation.any() else 0.0
    return [
        f"Roadmap:   Sansan lifecycle by contract age: {counts}",
        f"           median days in stage {days}; {summary.total_stalled} stalled (renewal "
        f"overdue); operation goal health.score >= 70 met by {met:.0%}",
    ]


SECTIONS: list[Callable[[Any], list[str]]] = [
    _portfolio_section,
    _health_section,
    _outcomes_section,
    _touch_section,
    _usage_section,
    _playbook_section,
    _roadmap_section,
]


def report(sample: Any) -> str:
    """The whole demo report for ``sample`` (a :func:`successkit.datasets.make_portfolio`)."""
    blocks = ["\n".join(section(sample)) for section in SECTIONS]
    return "\n\n".join(blocks) + "\n"

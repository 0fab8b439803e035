"""The sample event log: weekly rhythm, churners fading before they leave."""

from __future__ import annotations

import numpy as np

from successkit.datasets import make_portfolio
from successkit.usage import UsageModel, usage_portfolio


def test_weekdays_are_busier_and_churners_fade() -> None:
    sample = make_portfolio(400, months=12, seed=5)
    ev = sample.usage
    weekday = (ev.day.astype(np.int64) + 3) % 7  # 0 = Monday
    per_day = np.bincount(weekday, minlength=7)
    assert per_day[:5].min() > 2 * per_day[5:].max()
    churn = sample.churn_dates.astype("datetime64[D]")
    names = np.asarray(sample.history.ids)
    assert ev.accounts == tuple(sorted(names.tolist()))
    at = churn[np.searchsorted(names, np.asarray(ev.accounts))][ev.account]
    assert not (ev.day >= at)[~np.isnat(at)].any()  # nothing on or after the churn date
    # Churners: the 30 days before churn hold far fewer events than days 60-90 before.
    left = ~np.isnat(at)
    before = (at - ev.day).astype(np.int64)
    late, early = ((before <= 30) & left).sum(), ((before > 60) & (before <= 90) & left).sum()
    assert late < 0.5 * early
    model = UsageModel.from_text("metric users = distinct_users(*, 28d)")
    pf = usage_portfolio(ev, model, sample.portfolio.as_of, accounts=sample.portfolio,
                         members="table", unmatched="drop")
    assert np.median(pf["users"]) >= 1

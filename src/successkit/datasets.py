"""A seeded synthetic customer-success portfolio with known churn drivers.

:func:`make_portfolio` simulates a SaaS vendor's customers month by month: monthly snapshots
(a :class:`~successkit.History` whose latest snapshot is the portfolio), the customers' touch
events, and churn outcomes generated from a few known drivers. The demo, the docs, the tests
and the benchmarks all run on it; because the true effects are known, it also shows whether a
health score ranks the right accounts as risky. What it returns, :class:`~successkit.SampleData`,
lives in ``successkit._sample_data`` and is re-exported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from successkit._sample_accounts import (
    CSMS,
    DRIVER_EFFECTS,
    INDUSTRIES,
    INTERCEPT,
    KEYPERSON_TOUCH,
    TIERS,
    Simulation,
    sigmoid,
    simulate,
    tenure_months,
)
from successkit._sample_data import _FUTURE_MONTHS, _HORIZON_DAYS, SampleData, _churned_within
from successkit._sample_events import TOUCHPOINTS, draw_events
from successkit.data.column import Column
from successkit.data.history import History
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError

__all__ = ["DRIVERS", "END", "NOISE", "TOUCHPOINTS", "SampleData", "make_portfolio"]

#: The date of the latest snapshot of every sample.
END = dt.date(2026, 10, 1)

#: Columns that play no part in churn (coefficient 0).
NOISE = ("employees", "feature_x_usage", "industry")

#: The true churn effects, column → coefficient of its standardised value in the monthly
#: churn logit (``keyperson_touch`` by rank bad < fair < good < excellent); 0 marks noise.
DRIVERS: Mapping[str, float] = MappingProxyType({**DRIVER_EFFECTS, **dict.fromkeys(NOISE, 0.0)})

# keyperson_touch rank (bad, fair, good, excellent) → code into the sorted categories.
_TOUCH_CATEGORIES = tuple(sorted(KEYPERSON_TOUCH))
_TOUCH_CODE = np.array([_TOUCH_CATEGORIES.index(label) for label in KEYPERSON_TOUCH])

_DESCRIPTION = """\
Synthetic customer-success portfolio: make_portfolio({accounts}, months={snapshots}, seed={seed}).
{accounts} accounts on {end}; {snapshots} monthly snapshots from {first}, {total} accounts in
all (contracts start inside the window; churned accounts leave it).
Accounts have static traits (ARR → tier, seats, industry, CSM, parent group) and AR(1) latent
health, engagement, ROI, support load and feature-X appetite; monthly metrics are drawn from them.
Monthly churn probability = sigmoid({intercept} + Σ coefficient × z), z = the column standardised
over the accounts present that month:
  {drivers}.
employees, industry and feature_x_usage are pure noise.
{events} touch events (about nine per account-month, more with engagement and higher tiers).
Churned within {horizon} days after {end}: {churned} of {accounts} accounts ({rate:.1%})."""


def _check_count(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise DataError(f"{name} must be an integer, not {type(value).__name__} {value!r}")
    if value < minimum:
        raise DataError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def make_portfolio(n_accounts: int = 1000, *, months: int = 12, seed: int = 0) -> SampleData:
    """A seeded synthetic customer-success portfolio with known churn drivers.

    The latest snapshot holds exactly ``n_accounts`` accounts on :data:`END` (2026-10-01);
    the history has ``months`` monthly snapshots ending there, with accounts that start and
    churn in between. The same arguments always give the same data (the wall clock is never
    read). See :doc:`/sample-data` for the generating process and the columns.

    Parameters
    ----------
    n_accounts:
        Accounts in the latest snapshot (at least 1).
    months:
        Monthly snapshots in the history, ending on :data:`END` (at least 1).
    seed:
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    SampleData
        The portfolio, its history, touch events, churn outcomes and the true drivers.

    Raises
    ------
    DataError
        ``n_accounts``, ``months`` or ``seed`` is not a non-negative integer in range.

    Examples
    --------
    >>> from successkit.datasets import make_portfolio
    >>> sample = make_portfolio(500, seed=7)
    >>> sample.portfolio
    Portfolio(500 accounts × 27 columns, as_of=2026-10-01)
    >>> len(sample.history), sample.history.dates[0]
    (12, datetime.date(2025, 11, 1))
    >>> sample.portfolio.schema["keyperson_touch"]
    <Kind.CATEGORY: 'category'>
    >>> sample.drivers["login_rate"], sample.drivers["employees"]
    (-1.3, 0.0)
    >>> sorted(set(sample.events["touchpoint"].tolist()))[:3]
    ['elearning', 'email_click', 'event_attendance']
    """
    n = _check_count("n_accounts", n_accounts, 1)
    months = _check_count("months", months, 1)
    seed = _check_count("seed", seed, 0)
    rng = np.random.default_rng(seed)
    end = np.datetime64(END, "M")
    dates = (end + np.arange(-(months - 1), _FUTURE_MONTHS + 1)).astype("datetime64[D]")
    snapshot_dates = dates[:months]
    n_groups = max(1, min(12, n // 80))
    size = int(np.ceil(1.1 * n / 0.965 ** (months - 1))) + 10
    while True:  # rarely more than once; a bigger pool when too few survive to END
        sim = simulate(rng, size, dates, months, n_groups)
        on_end = (sim.start <= dates[months - 1]) & ~(sim.churn <= dates[months - 1])
        if on_end.sum() >= n:
            break
        size = size * 3 // 2 + 10
    sim = _keep(rng, sim, on_end, n, dates[months - 1])
    total = sim.start.shape[0]
    width = len(str(total))  # the width of n_accounts, unless the history crosses a power of 10
    numbers = np.strings.zfill(np.arange(1, total + 1).astype(f"U{width}"), width)
    ids = np.strings.add("acct-", numbers)

    events = draw_events(
        rng,
        ids=ids,
        start=sim.start,
        churn=sim.churn,
        tier=sim.tier,
        dates=snapshot_dates,
        engagement=[month["latent"][:, 1] for month in sim.monthly],
        activated=[month["activated"] for month in sim.monthly],
    )
    seminars = events.monthly_counts(TOUCHPOINTS.index("seminar_attendance"), snapshot_dates)
    snapshots = [
        _snapshot(rng, sim, ids, k, snapshot_dates[k], seminars[k], n_groups) for k in range(months)
    ]
    history = History(snapshots)
    portfolio = history.latest
    churned = _churned_within(history, sim.churn, END, _HORIZON_DAYS)
    description = _DESCRIPTION.format(
        seed=seed,
        accounts=n,
        end=END.isoformat(),
        snapshots=months,
        first=history.dates[0].isoformat(),
        total=total,
        intercept=INTERCEPT,
        drivers=", ".join(f"{k} {v:+g}" for k, v in DRIVER_EFFECTS.items()),
        events=events.rows,
        horizon=_HORIZON_DAYS,
        churned=int(churned.sum()),
        rate=float(churned.mean()),
    )
    return SampleData(
        portfolio=portfolio,
        history=history,
        events=events,
        churned=churned,
        churn_dates=sim.churn,
        drivers=DRIVERS,
        description=description,
    )


def _keep(
    rng: np.random.Generator,
    sim: Simulation,
    on_end: npt.NDArray[np.bool_],
    n: int,
    end: np.datetime64,
) -> Simulation:
    """Exactly ``n`` of the accounts alive on END, and the same share of those that left
    before it, ordered by contract start (so ids number customers in signing order)."""
    alive = np.flatnonzero(on_end)
    left = np.flatnonzero(sim.churn <= end)
    kept_left = rng.choice(left, round(left.size * n / alive.size), replace=False)
    rows = np.concatenate([rng.choice(alive, n, replace=False), kept_left])
    rows = rows[np.lexsort((rows, sim.start[rows]))]
    return sim.take(rows)


def _anniversaries(
    start: npt.NDArray[np.datetime64], day: np.datetime64
) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.float64]]:
    """The next contract anniversary after ``day`` and the number of past renewals.

    Contracts start on day 1–28 of a month, so every anniversary exists.
    """
    start_month = start.astype("datetime64[M]")
    offset = start - start_month.astype("datetime64[D]")
    years = (day.astype("datetime64[M]") - start_month).astype(np.int64) // 12
    candidate = (start_month + 12 * years).astype("datetime64[D]") + offset
    years = np.maximum(np.where(candidate <= day, years + 1, years), 1)
    renewal = (start_month + 12 * years).astype("datetime64[D]") + offset
    return renewal, (years - 1).astype(np.float64)


def _with_missing(
    rng: np.random.Generator, values: npt.NDArray[Any], share: float
) -> npt.NDArray[np.float64]:
    out = values.astype(np.float64)
    out[rng.random(out.shape[0]) < share] = np.nan
    return out


def _snapshot(
    rng: np.random.Generator,
    sim: Simulation,
    ids: npt.NDArray[np.str_],
    k: int,
    day: np.datetime64,
    seminars: npt.NDArray[np.int64],
    n_groups: int,
) -> Portfolio:
    """Snapshot ``k``: the accounts present on ``day`` and their monthly metrics."""
    rows = np.flatnonzero((sim.start <= day) & ~(sim.churn <= day))
    month = {name: values[rows] for name, values in sim.monthly[k].items()}
    latent = month["latent"].astype(np.float64)
    health, engagement, roi, feature = latent[:, 0], latent[:, 1], latent[:, 2], latent[:, 4]
    size = rows.size
    seats = sim.seats[rows]
    start = sim.start[rows]
    activated, logins = month["activated"], month["logins"]
    tenure = tenure_months(day, start)
    ramp = 1.0 - 0.8 * np.exp(-tenure / 1.2)
    ever = np.rint(activated * sim.first_login_share[rows] * ramp)
    ever = np.minimum(activated, np.maximum(np.maximum(ever, logins), 1))
    weekly = rng.binomial(logins, sigmoid(0.3 + 0.8 * health))
    responded = rng.random(size) < sigmoid(0.85 + 0.6 * engagement)
    nps = np.clip(np.rint(7.0 + 1.6 * health + 0.6 * roi + 1.5 * rng.standard_normal(size)), 0, 10)
    case_study = 0.8 * roi + 0.4 * health + 0.6 * sim.case_study_bias[rows] > 1.4
    gap = np.where(
        logins > 0,
        np.minimum(29, np.floor(rng.exponential(3.0 / np.sqrt(np.maximum(logins, 1))))),
        30 + np.floor(rng.exponential(45.0, size)),
    ).astype(np.int64)
    renewal, renewals = _anniversaries(start, day)
    parents = tuple(f"parent-{g + 1:02d}" for g in range(n_groups))
    columns = {
        "tier": Column.category(sim.tier[rows], TIERS),
        "industry": Column.category(sim.industry[rows], INDUSTRIES),
        "arr": Column.number(sim.arr[rows]),
        "seats": Column.number(seats),
        "employees": Column.number(sim.employees[rows]),
        "contract_start": Column.date(start),
        "renewal_date": Column.date(renewal),
        "renewals": Column.number(renewals),
        "activated_users": Column.number(activated),
        "license_activation_rate": Column.number(activated / seats),
        "first_login_rate": Column.number(ever / seats),
        "login_rate": Column.number(logins / activated),
        "weekly_active_rate": Column.number(weekly / activated),
        "keyperson_usage": Column.number(
            _with_missing(rng, rng.poisson(np.exp(2.0 + 0.5 * health + 0.3 * engagement)), 0.04)
        ),
        "keyperson_touch": Column.category(_TOUCH_CODE[month["touch"]], _TOUCH_CATEGORIES),
        "feature_x_usage": Column.number(
            np.round(sigmoid(-0.8 + 0.9 * feature + 0.2 * rng.standard_normal(size)), 3)
        ),
        "volume": Column.number(rng.poisson(logins * 12.0 * np.exp(0.3 * health))),
        "support_tickets": Column.number(month["tickets"]),
        "nps": Column.number(np.where(responded, nps, np.nan)),
        "nps_responded": Column.boolean(responded),
        "roi_achievement": Column.number(_with_missing(rng, month["roi"], 0.03)),
        "seminar_attendance": Column.number(seminars[rows]),
        "case_study_ok": Column.boolean(case_study),
        "growth_company": Column.boolean(sim.growth[rows]),
        "parent_id": Column.category(sim.parent[rows], parents),
        "last_login_at": Column.date(np.maximum(day - gap, start)),
        "csm": Column.category(sim.csm[rows], CSMS),
    }
    return Portfolio(ids[rows], columns, day.astype(object))

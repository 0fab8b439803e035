"""The account simulation behind :func:`successkit.datasets.make_portfolio`.

Accounts carry static traits (ARR, seats, industry, …) and five latent AR(1) processes
(health, engagement, ROI, support load, feature-X appetite). Each month the churn drivers are
drawn from the latents, and every present account churns in the following month with
probability ``sigmoid(intercept + Σ coefficient × standardised driver)``.

Everything is vectorised over accounts; the only loop is over months.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import DateArray, FloatArray, IntArray

__all__ = [
    "CSMS",
    "DRIVER_EFFECTS",
    "INDUSTRIES",
    "INTERCEPT",
    "KEYPERSON_TOUCH",
    "TIERS",
    "Simulation",
    "sigmoid",
    "simulate",
]


#: Monthly churn logit: intercept plus these coefficients times the standardised value of
#: each column (keyperson_touch by its rank bad < fair < good < excellent).
INTERCEPT = -4.45
DRIVER_EFFECTS: Mapping[str, float] = MappingProxyType(
    {
        "login_rate": -1.3,
        "roi_achievement": -0.7,
        "keyperson_touch": -0.45,
        "support_tickets": 0.3,
    }
)

#: Key-person touch levels in rank order (the column's categories are sorted alphabetically).
KEYPERSON_TOUCH = ("bad", "fair", "good", "excellent")
#: Tiers by ARR: top ~15 % high touch, next ~35 % low touch, the rest tech touch.
TIERS = ("high", "low", "tech")
INDUSTRIES = (
    "construction",
    "finance",
    "healthcare",
    "it",
    "manufacturing",
    "media",
    "retail",
    "services",
)
_INDUSTRY_SHARE = [0.08, 0.12, 0.10, 0.20, 0.16, 0.08, 0.12, 0.14]
#: CSM names (sorted): three enterprise CSMs own high touch accounts, three SMB CSMs low
#: touch, and the last two share the tech touch pool.
CSMS = ("Aoki", "Fujita", "Ito", "Kato", "Mori", "Sato", "Suzuki", "Tanaka")

# Latents: health, engagement, roi, support load, feature-X appetite. Monthly persistence
# and a weak correlation between health, engagement and ROI (so the drivers that come from
# them stay only weakly correlated with each other).
_RHO = np.array([0.9, 0.85, 0.95, 0.6, 0.8])
_CORRELATION = np.array(
    [
        [1.0, 0.3, 0.2, 0.0, 0.0],
        [0.3, 1.0, 0.1, 0.0, 0.0],
        [0.2, 0.1, 1.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 1.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 1.0],
    ]
)
# Key-person touch = engagement + noise (sd 0.45), cut at ~15 / 50 / 85 % quantiles.
_TOUCH_NOISE = 0.45
_TOUCH_CUTS = np.sqrt(1 + _TOUCH_NOISE**2) * np.array([-1.0364, 0.0, 1.0364])
# New contracts per month inside the window, as a share of the accounts already present.
_NEW_PER_MONTH = 0.04
_AVERAGE_MONTH = 30.44


def sigmoid(x: FloatArray) -> FloatArray:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


@attrs.define
class Simulation:
    """Simulated accounts (rows) over the simulation dates; monthly values per snapshot."""

    start: DateArray
    churn: DateArray
    tier: IntArray
    arr: FloatArray
    seats: IntArray
    employees: FloatArray
    industry: IntArray
    growth: npt.NDArray[np.bool_]
    parent: IntArray
    csm: IntArray
    first_login_share: FloatArray
    case_study_bias: FloatArray
    # per snapshot month: name -> array over rows
    monthly: list[dict[str, npt.NDArray[Any]]]

    def take(self, rows: IntArray) -> Simulation:
        """The simulation restricted to ``rows`` (in that order)."""
        fields = {
            f.name: getattr(self, f.name)[rows]
            for f in attrs.fields(Simulation)
            if f.name != "monthly"
        }
        monthly = [{k: v[rows] for k, v in month.items()} for month in self.monthly]
        return Simulation(**fields, monthly=monthly)


def tenure_months(date: np.datetime64, start: DateArray) -> FloatArray:
    """Months since contract start (0 before it)."""
    days = (date - start).astype(np.int64)
    return np.maximum(days, 0) / _AVERAGE_MONTH


def _activated_users(tenure: FloatArray, seats: IntArray, target: FloatArray) -> IntArray:
    """Activated user IDs: ramp towards ``target`` × seats over the first months (≥ 1)."""
    ramp = 1.0 - 0.7 * np.exp(-tenure / 1.5)
    return np.clip(np.rint(seats * target * ramp), 1, seats).astype(np.int64)


def _standardise(x: FloatArray) -> FloatArray:
    sd = float(x.std())
    centred: FloatArray = x - x.mean()
    return centred / (sd if sd > 0 else 1.0)


def _draw_accounts(
    rng: np.random.Generator, size: int, dates: DateArray, snapshots: int, n_groups: int
) -> dict[str, npt.NDArray[Any]]:
    first = dates[0]
    is_new = rng.random(size) >= 1.0 / (1.0 + _NEW_PER_MONTH * (snapshots - 1))
    # New accounts start on day 2–28 of the month before the snapshot where they first appear.
    month = rng.integers(1, max(snapshots, 2), size)
    new_start = dates[np.minimum(month, snapshots - 1) - 1] + rng.integers(1, 28, size)
    # Accounts present at the first snapshot: tenure 1–96 months, most of them young.
    age = 1 + np.minimum(np.floor(rng.exponential(30.0, size)), 95).astype(np.int64)
    old_start = (first.astype("datetime64[M]") - age).astype("datetime64[D]") + rng.integers(
        0, 28, size
    )
    start = np.where(is_new & (snapshots > 1), new_start, old_start)

    arr_z = rng.standard_normal(size)
    arr = np.round(np.exp(np.log(1.2e6) + arr_z) / 1000.0) * 1000.0
    seats = np.maximum(1, np.rint(arr / 40_000 * np.exp(0.3 * rng.standard_normal(size))))
    # Head count is pure noise: drawn on its own, so nothing links it to churn.
    employees = np.maximum(1.0, np.rint(np.exp(np.log(250.0) + 1.1 * rng.standard_normal(size))))
    tier = np.where(arr_z >= 1.0364, 0, np.where(arr_z >= 0.0, 1, 2))
    # Enterprise CSMs own high touch, SMB CSMs low touch, two pooled names tech touch.
    csm_base = np.array([0, 3, 6])[tier]
    csm_span = np.array([3, 3, 2])[tier]
    in_group = rng.random(size) < 0.10
    return {
        "start": start.astype("datetime64[D]"),
        "arr": arr,
        "seats": seats.astype(np.int64),
        "employees": employees.astype(np.float64),
        "industry": rng.choice(len(INDUSTRIES), size, p=_INDUSTRY_SHARE),
        "tier": tier,
        "growth": rng.random(size) < 0.25,
        "parent": np.where(in_group, rng.integers(0, n_groups, size), -1),
        "csm": csm_base + (rng.random(size) * csm_span).astype(np.int64),
        "activation_target": rng.beta(8.0, 2.0, size),
        "first_login_share": rng.beta(9.0, 1.5, size),
        "case_study_bias": rng.standard_normal(size),
    }


def simulate(
    rng: np.random.Generator, size: int, dates: DateArray, snapshots: int, n_groups: int
) -> Simulation:
    """Simulate ``size`` accounts over ``dates`` (snapshot dates, then months beyond them).

    Monthly values are kept for the first ``snapshots`` dates; later dates only decide churn.
    """
    traits = _draw_accounts(rng, size, dates, snapshots, n_groups)
    start = traits["start"]
    seats = traits["seats"]
    churn = np.full(size, np.datetime64("NaT"), dtype="datetime64[D]")
    cholesky = np.linalg.cholesky(_CORRELATION)
    latent = rng.standard_normal((size, 5)) @ cholesky.T
    shock = np.sqrt(1.0 - _RHO**2)
    monthly: list[dict[str, npt.NDArray[Any]]] = []
    for j, date in enumerate(dates):
        if j:
            latent = latent * _RHO + shock * (rng.standard_normal((size, 5)) @ cholesky.T)
        health, engagement, roi, support = latent[:, 0], latent[:, 1], latent[:, 2], latent[:, 3]
        tenure = tenure_months(date, start)
        activated = _activated_users(tenure, seats, traits["activation_target"])
        logins = rng.binomial(activated, sigmoid(0.6 + 1.0 * health))
        roi_value = np.maximum(0.0, 0.85 + 0.3 * roi + 0.05 * rng.standard_normal(size))
        roi_value = np.round(roi_value * (1.0 - 0.5 * np.exp(-tenure / 4.0)), 3)
        touch = np.digitize(engagement + _TOUCH_NOISE * rng.standard_normal(size), _TOUCH_CUTS)
        # Tickets of the last 90 days: this month's plus the two before.
        ticket_rate = np.exp(-0.5 + 0.6 * support)
        this_month = rng.poisson(ticket_rate)
        if not j:
            earlier = [rng.poisson(ticket_rate), rng.poisson(ticket_rate)]
        tickets = this_month + earlier[0] + earlier[1]
        earlier = [earlier[1], this_month]
        if j < snapshots:
            monthly.append(
                {
                    "latent": latent.astype(np.float32),
                    "activated": activated,
                    "logins": logins,
                    "roi": roi_value,
                    "touch": touch.astype(np.int8),
                    "tickets": tickets,
                }
            )
        if j == len(dates) - 1:
            break
        present = np.flatnonzero((start <= date) & np.isnat(churn))
        drivers = {
            "login_rate": logins / activated,
            "roi_achievement": roi_value,
            "keyperson_touch": touch.astype(np.float64),
            "support_tickets": tickets.astype(np.float64),
        }
        logit = np.full(present.size, INTERCEPT)
        for name, effect in DRIVER_EFFECTS.items():
            logit += effect * _standardise(drivers[name][present])
        leaving = present[rng.random(present.size) < sigmoid(logit)]
        length = int((dates[j + 1] - date).astype(np.int64))
        churn[leaving] = date + rng.integers(1, length + 1, leaving.size)
    return Simulation(
        start=start,
        churn=churn,
        tier=traits["tier"],
        arr=traits["arr"],
        seats=seats,
        employees=traits["employees"],
        industry=traits["industry"],
        growth=traits["growth"],
        parent=traits["parent"],
        csm=traits["csm"],
        first_login_share=traits["first_login_share"],
        case_study_bias=traits["case_study_bias"],
        monthly=monthly,
    )

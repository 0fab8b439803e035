"""The contracts table of a sample portfolio: yearly periods that renew until churn.

Each account of the sample's history starts on its ``contract_start`` and renews every 365
days (abutting periods); a churner's last period ends on its churn date; everyone else's
last period is running (no end). Every 9th account upgrades (ARR × 1.25) and every 13th
downgrades (ARR × 0.8) at its first renewal, moving from plan ``standard`` to ``premium`` or
``basic``; billing is annual. Churners here are exactly the sample's churners.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from successkit.data.contracts import Contracts

__all__ = ["sample_contracts"]


def sample_contracts(sample: Any) -> Contracts:
    """A :class:`~successkit.data.contracts.Contracts` table consistent with ``sample``
    (a :class:`~successkit.datasets.SampleData`).

    Examples
    --------
    >>> from successkit.datasets import make_portfolio
    >>> sample = make_portfolio(200, months=3, seed=1)
    >>> contracts = sample_contracts(sample)
    >>> len(contracts.accounts) == len(sample.history.ids)
    True
    """
    history = sample.history
    aligned = history.aligned()
    ids = history.ids
    start = np.full(len(ids), np.datetime64("NaT"), "M8[D]")
    arr = np.full(len(ids), np.nan)
    seats = np.full(len(ids), np.nan)
    for snapshot in aligned:  # earliest snapshot where each account appears
        fill = np.isnat(start) & ~np.isnat(snapshot["contract_start"])
        start[fill] = snapshot["contract_start"][fill]
        arr[fill] = snapshot["arr"][fill]
        seats[fill] = snapshot["seats"][fill]
    churn = np.asarray(sample.churn_dates, dtype="M8[D]")
    last = np.datetime64(history.latest.as_of, "D") + np.timedelta64(365, "D")
    stop = np.where(np.isnat(churn), last, churn)
    periods = np.maximum(1, -(-(stop - start).astype(np.int64) // 365))
    row_account = np.repeat(np.arange(len(ids)), periods)
    k = np.arange(row_account.size) - np.repeat(np.cumsum(periods) - periods, periods)
    row_start = start[row_account] + (k * 365).astype("m8[D]")
    row_end = row_start + np.timedelta64(365, "D")
    final = k == periods[row_account] - 1
    row_end = np.where(final, churn[row_account], row_end)  # NaT: still running
    factor = np.where(row_account % 9 == 0, 1.25, np.where(row_account % 13 == 0, 0.8, 1.0))
    row_arr = arr[row_account] * np.where(k >= 1, factor, 1.0)
    # factor is per contract row already: the plan changes with the renewal's ARR.
    changed = np.where(factor > 1, "premium", "basic")
    row_plan = np.where((k >= 1) & (factor != 1.0), changed, "standard")
    return Contracts.from_columns(
        {
            "account_id": ids[row_account],
            "start": row_start,
            "end": row_end,
            "seats": seats[row_account],
            "arr": np.round(row_arr, 2),
            "plan": row_plan,
            "billing": np.full(row_account.size, "annual"),
        },
        seats="seats",
        revenue="arr",
        plan="plan",
        billing="billing",
    )

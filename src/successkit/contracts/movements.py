"""Revenue movements between two dates, straight from the contracts table.

ARR on a date is the sum over the periods covering it (``start <= D < end``). Between
``start`` and ``end`` every account moves one way: *new* (no ARR at the start), *churned*
(no ARR at the end), *expansion*, *contraction* or *flat*. The totals satisfy
``ending = starting + new + expansion - contraction - churned``; pass the object to
:func:`successkit.retention` for GRR, NRR and logo churn.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import array_field, readonly_arrays
from successkit.contracts._periods import (
    account_sum,
    day_numbers,
    refuse_unknown_revenue,
    sort_periods,
)
from successkit.data.contracts import Contracts
from successkit.data.dates import to_date
from successkit.errors import DataError

__all__ = ["Movements", "revenue_movements"]


@readonly_arrays
@attrs.frozen
class Movements:
    """ARR per account on two dates and the totals of each movement.

    Examples
    --------
    >>> import successkit as sk
    >>> from successkit.datasets import make_portfolio
    >>> contracts = make_portfolio(300, seed=3).contracts
    >>> moves = sk.revenue_movements(contracts, "2025-10-01", "2026-10-01")
    >>> totals = moves.totals()
    >>> ending = (totals["starting"] + totals["new"] + totals["expansion"]
    ...           - totals["contraction"] - totals["churned"])
    >>> bool(abs(ending - totals["ending"]) < 1e-6)
    True

    .. versionadded:: 0.2
    """

    start: dt.date
    end: dt.date
    ids: npt.NDArray[np.str_] = array_field()
    starting_arr: npt.NDArray[np.float64] = array_field()
    ending_arr: npt.NDArray[np.float64] = array_field()

    @property
    def movement(self) -> npt.NDArray[np.object_]:
        """Per account: ``"new"``, ``"expansion"``, ``"contraction"``, ``"churned"``,
        ``"flat"`` or ``None`` (a customer on neither date)."""
        a, b = self.starting_arr, self.ending_arr
        out = np.full(a.shape, None, dtype=object)
        out[(a > 0) & (b == a)] = "flat"
        out[(a > 0) & (b > a)] = "expansion"
        out[(a > 0) & (b < a)] = "contraction"
        out[(a > 0) & (b == 0)] = "churned"
        out[(a == 0) & (b > 0)] = "new"
        return out

    def totals(self) -> dict[str, float]:
        """Starting and ending ARR and the ARR of each movement."""
        a, b = self.starting_arr, self.ending_arr
        kept = (a > 0) & (b > 0)
        return {
            "starting": float(a.sum()),
            "new": float(b[a == 0].sum()),
            "expansion": float(np.maximum(b - a, 0)[kept].sum()),
            "contraction": float(np.maximum(a - b, 0)[kept].sum()),
            "churned": float(a[(a > 0) & (b == 0)].sum()),
            "ending": float(b.sum()),
        }


def revenue_movements(contracts: Contracts, start: Any, end: Any) -> Movements:
    """ARR movements from ``start`` to ``end`` (dates) for every account in ``contracts``.

    Examples
    --------
    >>> from successkit.data.contracts import Contracts
    >>> c = Contracts.from_columns({
    ...     "account_id": ["a", "a", "b", "c"],
    ...     "start": ["2020-01-01", "2020-07-01", "2020-01-01", "2020-06-01"],
    ...     "end": ["2020-07-01", None, "2020-09-01", None],
    ...     "arr": [100, 150, 200, 50],
    ... }, revenue="arr")
    >>> m = revenue_movements(c, "2020-03-01", "2020-12-01")
    >>> m.movement.tolist()
    ['expansion', 'churned', 'new']
    >>> [f"{k} {v:g}" for k, v in m.totals().items()]  # doctest: +NORMALIZE_WHITESPACE
    ['starting 300', 'new 50', 'expansion 50', 'contraction 0', 'churned 200',
     'ending 200']
    """
    first, last = to_date(start, what="start"), to_date(end, what="end")
    if last <= first:
        raise DataError(f"end {last} must be after start {first}")
    p = sort_periods(contracts, 0)  # refuses what is not a Contracts table
    if contracts.revenue is None:
        raise DataError("revenue movements need a revenue column in the contracts")
    refuse_unknown_revenue(contracts, np.array([first, last], dtype="datetime64[D]"),
                           "revenue movements")
    arr = []
    for day in day_numbers(np.array([first, last], dtype="datetime64[D]")):
        total = account_sum(p, p.revenue, (p.start <= day) & (day < p.end))
        arr.append(np.where(np.isnan(total), 0.0, total))
    return Movements(first, last, p.ids, arr[0], arr[1])

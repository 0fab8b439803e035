"""Reading contract ends: exclusive (the day after the last) or, said so, inclusive (the last
day), and refusing a table that looks inclusive but was not said to be.

Exports often give a year's contract as 2024-01-01 – 2024-12-31. Read as exclusive, every
renewal starting 2025-01-01 leaves a one-day gap, and with no grace gap each renewing
account would be labelled churned at its renewal.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from successkit.errors import DataError

__all__ = ["read_ends"]

_DAY = np.timedelta64(1, "D")


def read_ends(
    starts: npt.NDArray[np.datetime64],
    ends: npt.NDArray[np.datetime64],
    codes: npt.NDArray[np.intp],
    ids: npt.NDArray[np.str_],
    *,
    inclusive: Any,
    column: str | None,
) -> npt.NDArray[np.datetime64]:
    """The exclusive ends of the periods ``[starts, ends)`` (NaT: running).

    ``inclusive=True`` reads each end as the period's last day; ``False`` as the day after
    it; ``None`` reads it as the day after, but refuses a table where a period of an account
    starts the day after the latest end of its earlier periods (a one-day gap, the mark of
    inclusive ends) rather than read every such renewal as a churn.

    Examples
    --------
    >>> starts = np.array(["2024-01-01", "2025-01-01"], dtype="M8[D]")
    >>> ends = np.array(["2024-12-31", "NaT"], dtype="M8[D]")
    >>> codes, ids = np.array([0, 0]), np.array(["acme", "acme"])
    >>> read_ends(starts, ends, codes, ids, inclusive=True, column="end").tolist()
    [datetime.date(2025, 1, 1), None]
    >>> read_ends(starts, ends, codes, ids, inclusive=None, column="end")
    Traceback (most recent call last):
    ...
    successkit.errors.DataError: column 'start', account 'acme', row 1: starts 2025-01-01, ...
    """
    if inclusive is not None and not isinstance(inclusive, bool | np.bool_):
        raise DataError(f"end_inclusive must be True, False or None, got {inclusive!r}")
    if inclusive:
        ends = ends + _DAY
    bad = ~np.isnat(ends) & (ends <= starts)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        if inclusive:
            message = f"end {ends[row] - _DAY} is before start {starts[row]} (the end is inclusive)"
        else:
            message = f"end {ends[row]} is not after start {starts[row]} (the end is exclusive)"
            if ends[row] == starts[row]:
                message += "; if each end is the period's last day, pass end_inclusive=True"
        raise DataError(message, column=column, row=row)
    if inclusive is None and ends.size > 1:
        _refuse_one_day_gaps(starts, ends, codes, ids)
    return ends


def _refuse_one_day_gaps(starts: npt.NDArray[np.datetime64], ends: npt.NDArray[np.datetime64],
                         codes: npt.NDArray[np.intp], ids: npt.NDArray[np.str_]) -> None:
    days = starts.astype(np.int64)
    first = int(days.min())
    # One sort by (account, start): the account's code above the days since the first start.
    order = np.argsort(codes.astype(np.int64) * (int(days.max()) - first + 1) + (days - first))
    account = codes[order]
    begin = days[order]
    finish = ends.astype(np.int64)[order]
    finish[np.isnat(ends)[order]] = begin.max() + 1  # still running: covers every later start
    # The latest end of each account's earlier periods, as one running maximum: each
    # account's days are lifted above the previous account's, so the maximum restarts.
    lift = account.astype(np.int64) * (int(finish.max()) - int(begin.min()) + 2)
    covered = np.maximum.accumulate(finish + lift) - lift
    same = account[1:] == account[:-1]
    gap = same & (begin[1:] - covered[:-1] == 1)
    if gap.any():
        at = int(np.flatnonzero(gap)[0])
        row = int(order[at + 1])
        last = np.datetime64(int(covered[at]), "D")
        raise DataError(
            f"starts {starts[row]}, one day after the account's earlier period ends "
            f"({last}): the ends look like each period's last day, not the day after it. "
            "Pass end_inclusive=True to read them as last days, or end_inclusive=False if "
            "the one-day gap is real (read as exclusive ends, every such renewal would be a "
            "churn)",
            column="start", row=row, account=str(ids[row]))

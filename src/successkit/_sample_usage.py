"""A raw per-user product event log for the sample accounts: weekly rhythm, churners fading.

Each account has a few users; each user's daily event rate follows a weekly rhythm (weekdays
busy, weekends quiet), and an account that churns sees its rate decay over the ~90 days
before its churn date and stop on it. Drawn with numpy in one vectorised pass per day block.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from successkit.data.events import Events

__all__ = ["USAGE_TYPES", "draw_usage"]

#: Product event types of the sample log.
USAGE_TYPES = ("login", "scan_card", "search", "export", "share")
_MIX = np.array([0.35, 0.25, 0.25, 0.08, 0.07])
_WEEKDAY = np.array([1.0, 1.0, 1.0, 1.0, 0.9, 0.25, 0.15])  # Monday .. Sunday
_DECAY_DAYS = 90.0


def draw_usage(
    ids: npt.NDArray[np.str_],
    churn_dates: npt.NDArray[np.datetime64],
    start: np.datetime64,
    end: np.datetime64,
    *,
    seed: int = 0,
    users_per_account: int = 4,
) -> Events:
    """Events of every user of ``ids`` on the days ``[start, end)``.

    Examples
    --------
    >>> import numpy as np
    >>> ev = draw_usage(np.array(["a", "b"]), np.array(["2026-02-01", "NaT"],
    ...                 dtype="datetime64[D]"), np.datetime64("2026-01-01"),
    ...                 np.datetime64("2026-03-01"), seed=1)
    >>> sorted(ev.types) == sorted(USAGE_TYPES)
    True
    >>> bool((ev.day[ev.account == 0] < np.datetime64("2026-02-01")).all())
    True
    """
    rng = np.random.default_rng(seed)
    n = ids.shape[0]
    days = np.arange(start, end, dtype="datetime64[D]")
    users = rng.integers(1, users_per_account + 1, n)
    activity = np.asarray(rng.gamma(2.0, 0.4, n))  # events per user per busy day
    user_of = np.repeat(np.arange(n), users)
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    churn = churn_dates.astype("datetime64[D]")
    gap = churn[user_of, None] - days[None, :]
    # NaT (never churns) must stay "no fade": as a float it would be a huge negative number.
    to_churn = np.where(np.isnat(gap), _DECAY_DAYS, gap.astype(np.int64).astype(np.float64))
    fade = np.clip(to_churn / _DECAY_DAYS, 0.0, 1.0)
    rate = activity[user_of, None] * _WEEKDAY[weekday][None, :] * fade
    counts = rng.poisson(rate)
    user_rows, day_cols = np.nonzero(counts)
    repeats = counts[user_rows, day_cols]
    rows = np.repeat(user_rows, repeats)
    account = user_of[rows]
    first_user = np.concatenate([[0], np.cumsum(users)[:-1]])
    kinds = rng.choice(len(USAGE_TYPES), size=rows.shape[0], p=_MIX)
    order = np.lexsort((kinds, np.repeat(day_cols, repeats), account))
    return Events.from_columns(
        {"account_id": account[order], "at": np.repeat(days[day_cols], repeats)[order],
         "event": kinds[order], "user": (rows - first_user[account])[order]},
        accounts=list(ids), types=list(USAGE_TYPES), user="user",
    )

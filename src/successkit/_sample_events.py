"""Touch events of the sample portfolio (Sansan's touch points), drawn month by month.

Events are held compactly (integer codes) and their text columns are built the first time
they are read: a 100,000-account sample has about twelve million events, and their
``user_id`` strings alone would take most of a gigabyte.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from successkit._arrays import array_equal, readonly

__all__ = ["COLUMNS", "TOUCHPOINTS", "Events", "draw_events"]

#: Touch point names, as Sansan's touch score lists them (seed 003).
TOUCHPOINTS = (
    "video",
    "elearning",
    "web_access",
    "email_click",
    "midterm_review",
    "final_review",
    "seminar_signup",
    "seminar_attendance",
    "event_attendance",
)
COLUMNS = ("account_id", "touchpoint", "at", "user_id", "item", "progress")

# Touch point mix per tier (high, low, tech): reviews and events are for high and low touch.
_MIX = np.array(
    [
        [0.15, 0.10, 0.25, 0.20, 0.06, 0.04, 0.06, 0.06, 0.08],
        [0.18, 0.14, 0.27, 0.22, 0.02, 0.01, 0.07, 0.05, 0.04],
        [0.22, 0.15, 0.29, 0.28, 0.00, 0.00, 0.03, 0.03, 0.00],
    ]
)
_CUMULATIVE = np.cumsum(_MIX / _MIX.sum(axis=1, keepdims=True), axis=1)
_SHIFTED = (_CUMULATIVE + np.arange(3)[:, None]).ravel()
_TIER_VOLUME = np.array([1.4, 1.0, 0.75])
_BASE_VOLUME = 9.0
_KEY_PERSON_SHARE = 0.3
_ITEMS = {  # touch point → (item prefix, number of items, digits)
    "video": ("video-", 20, 2),
    "elearning": ("course-", 6, 1),
    "seminar_signup": ("seminar-", 12, 2),
    "seminar_attendance": ("seminar-", 12, 2),
    "event_attendance": ("event-", 4, 1),
}
_ELEARNING_STEPS = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
_ELEARNING_P = np.array([0.35, 0.15, 0.2, 0.1, 0.2])


def _item_table() -> tuple[npt.NDArray[np.str_], npt.NDArray[np.int64]]:
    """All item labels ("" last) and, per touch point, the offset of its items (-1: none)."""
    labels: list[str] = []
    offsets = np.full(len(TOUCHPOINTS), -1, dtype=np.int64)
    seen: dict[str, int] = {}
    for k, name in enumerate(TOUCHPOINTS):
        if name not in _ITEMS:
            continue
        prefix, count, digits = _ITEMS[name]
        if prefix not in seen:
            seen[prefix] = len(labels)
            labels += [f"{prefix}{i:0{digits}d}" for i in range(1, count + 1)]
        offsets[k] = seen[prefix]
    return np.array([*labels, ""]), offsets


_ITEM_LABELS, _ITEM_OFFSET = _item_table()
_ITEM_COUNT = np.array([_ITEMS[t][1] if t in _ITEMS else 0 for t in TOUCHPOINTS])


class Events(Mapping[str, npt.NDArray[Any]]):
    """Touch events as read-only columns, built from integer codes when first read."""

    __slots__ = ("_account", "_at", "_cache", "_ids", "_item", "_progress", "_touch", "_user")

    def __init__(
        self,
        ids: npt.NDArray[np.str_],
        account: npt.NDArray[np.integer[Any]],
        touch: npt.NDArray[np.integer[Any]],
        at: npt.NDArray[np.datetime64],
        user: npt.NDArray[np.integer[Any]],
        item: npt.NDArray[np.integer[Any]],
        progress: npt.NDArray[np.float64],
    ) -> None:
        self._ids = ids
        self._account = account
        self._touch = touch
        self._at = at
        self._user = user
        self._item = item
        self._progress = progress
        self._cache: dict[str, npt.NDArray[Any]] = {}

    def __len__(self) -> int:
        return len(COLUMNS)

    def __iter__(self) -> Iterator[str]:
        return iter(COLUMNS)

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        if name not in COLUMNS:
            raise KeyError(name)
        if name not in self._cache:
            self._cache[name] = readonly(self._build(name))
        return self._cache[name]

    def _build(self, name: str) -> npt.NDArray[Any]:
        if name == "account_id":
            return np.asarray(self._ids[self._account])
        if name == "touchpoint":
            return np.asarray(np.array(TOUCHPOINTS)[self._touch])
        if name == "at":
            return self._at
        if name == "user_id":
            digits = len(str(int(self._user.max()))) if self._user.size else 1
            with_slash = np.strings.add(self["account_id"], "/u")
            return np.asarray(np.strings.add(with_slash, self._user.astype(f"U{digits}")))
        if name == "item":
            return np.asarray(_ITEM_LABELS[self._item])
        return self._progress

    @property
    def rows(self) -> int:
        """The number of events."""
        return int(self._at.shape[0])

    def monthly_counts(
        self, touch: int, dates: npt.NDArray[np.datetime64]
    ) -> npt.NDArray[np.int64]:
        """Events of touch point ``touch`` per month ``(previous date, date]`` and account:
        an array of shape ``(len(dates), number of account ids)``."""
        month = np.searchsorted(dates, self._at, side="left").astype(np.int64)
        chosen = (self._touch == touch) & (month < dates.shape[0])
        accounts = self._ids.shape[0]
        flat = np.bincount(
            month[chosen] * accounts + self._account[chosen], minlength=dates.shape[0] * accounts
        )
        return flat.reshape(dates.shape[0], accounts)

    def _codes(self) -> tuple[npt.NDArray[Any], ...]:
        return (self._account, self._touch, self._at, self._user, self._item, self._progress)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Events):
            return array_equal(self._ids, other._ids) and all(
                array_equal(a, b) for a, b in zip(self._codes(), other._codes(), strict=True)
            )
        return columns_equal(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Events({self.rows} rows: {', '.join(COLUMNS)})"


def columns_equal(a: object, b: object) -> bool:
    """Equality of two mappings of arrays (same names, equal arrays with NaN equal)."""
    if not isinstance(a, Mapping) or not isinstance(b, Mapping):
        return False
    return list(a) == list(b) and all(array_equal(a[k], b[k]) for k in a)


def draw_events(
    rng: np.random.Generator,
    *,
    ids: npt.NDArray[np.str_],
    start: npt.NDArray[np.datetime64],
    churn: npt.NDArray[np.datetime64],
    tier: npt.NDArray[np.int64],
    dates: npt.NDArray[np.datetime64],
    engagement: list[npt.NDArray[np.float64]],
    activated: list[npt.NDArray[np.int64]],
) -> Events:
    """Events in each month up to a snapshot date, ``(previous month's date, date]``.

    An account has events from its contract start until the day before it churns; the
    volume is Poisson with a mean of about nine a month scaled by tier and ``exp(0.5 ×
    engagement)``; about 30 % of them are the key person's (``u1``).
    """
    parts: list[tuple[npt.NDArray[Any], ...]] = []
    last_day = np.where(np.isnat(churn), dates[-1], churn - np.timedelta64(1, "D"))
    for k, high in enumerate(dates):
        low = (high.astype("datetime64[M]") - 1).astype("datetime64[D]") + np.timedelta64(1, "D")
        first = np.maximum(start, low)
        span = (np.minimum(last_day, high) - first).astype(np.int64) + 1
        month_days = int((high - low).astype(np.int64)) + 1
        mean = _BASE_VOLUME * _TIER_VOLUME[tier] * np.exp(0.5 * engagement[k] - 0.125)
        count = rng.poisson(mean * np.maximum(span, 0) / month_days)
        account = np.repeat(np.arange(ids.shape[0]), count)
        size = account.shape[0]
        at = first[account] + (rng.random(size) * span[account]).astype(np.int64)
        # Inverse CDF of each event's tier mix in one search: tier t's cumulative
        # probabilities are shifted by t, so u + t lands in tier t's block.
        shift = tier[account]
        touch = np.searchsorted(_SHIFTED, rng.random(size) + shift, side="right")
        touch = np.minimum(touch - shift * len(TOUCHPOINTS), len(TOUCHPOINTS) - 1)
        user = 1 + (rng.random(size) * activated[k][account]).astype(np.int64)
        user[rng.random(size) < _KEY_PERSON_SHARE] = 1
        item = np.full(size, len(_ITEM_LABELS) - 1)
        has_item = np.flatnonzero(_ITEM_OFFSET[touch] >= 0)
        kind = touch[has_item]
        item[has_item] = _ITEM_OFFSET[kind] + (
            rng.random(has_item.size) * _ITEM_COUNT[kind]
        ).astype(np.int64)
        progress = np.full(size, np.nan)
        video = np.flatnonzero(touch == 0)
        progress[video] = np.where(
            rng.random(video.size) < 0.35, 1.0, np.round(0.05 + 0.95 * rng.random(video.size), 2)
        )
        course = np.flatnonzero(touch == 1)
        progress[course] = rng.choice(_ELEARNING_STEPS, course.size, p=_ELEARNING_P)
        # Accounts are already ascending, so a stable sort by day (a radix sort on small
        # integers) orders the month by date, then account.
        order = np.argsort((at - low).astype(np.uint8), kind="stable")
        parts.append(
            (
                account[order].astype(np.int32),
                touch[order].astype(np.int8),
                at[order],
                user[order].astype(np.int32),
                item[order].astype(np.int16),
                progress[order],
            )
        )
    columns = [np.concatenate([part[c] for part in parts]) for c in range(6)]
    return Events(ids, *columns)

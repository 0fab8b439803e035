"""The vectorised core of usage metrics: events binned into (account, date bucket) grids.

Every window boundary of every snapshot date (``D``, ``D - w``, ``D - 2w`` for changes) is
collected into one sorted list ``B``. A row's *bucket* is the number of boundaries on or
before its day, found through a lookup table over the days, so one ``bincount`` of
``(type, account, bucket)`` per pass, and a cumulative sum over buckets, give every
account's total before each boundary; a window ``[B_i, B_j)`` is then a difference of two
columns (for float values, of two double-double totals, so that large values before the
window do not swamp it). No sort of the events is needed for counts and sums; the rows are
read in a few passes over groups of event types, each pass bounded in memory. Days since the
first / last event use ``minimum.at`` / ``maximum.at`` on the same grid; active days bin the
distinct (account, day) pairs; distinct users sort the distinct (account, user, day) triples
once and search them per window. Nothing here loops over accounts or events.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit.data._event_columns import check_total
from successkit.data.events import Events
from successkit.errors import DataError, did_you_mean_suffix

__all__ = ["Log", "Quantity", "between", "selector_of"]

_F = npt.NDArray[np.float64]
_I = npt.NDArray[np.int64]
_NONE = np.iinfo(np.int64).min  # "no event" in the last-day grid
# Working memory per pass is a quarter of the events' own bytes, but at least this much;
# rows are read in blocks of at least _MIN_CHUNK (tests lower both to force many passes).
_MIN_BUDGET = 32 << 20
_MIN_CHUNK = 1 << 20
_NEVER = np.iinfo(np.int64).max  # "no event" in the first-day grid


@attrs.frozen
class Quantity:
    """A windowed quantity: ``kind`` (count, sum, distinct_users, active_days) of ``types``
    over the window ``lag`` windows before the one ending at the snapshot date."""

    kind: str
    types: tuple[str, ...] | None
    window: str
    lag: int = 0


class Log:
    """An event log prepared for binning: account codes mapped to output rows."""

    def __init__(self, events: Events, remap: npt.NDArray[np.intp], n: int,
                 budget: int | None = None) -> None:
        self.events = events
        self.n = n
        self.remap = remap.astype(np.int64)
        self.dropping = bool((remap < 0).any())
        # Without an account table the rows are the log's own accounts: no lookup needed.
        self.identity = bool(np.array_equal(remap, np.arange(remap.shape[0])))
        self.day = events.day.view(np.int64)
        self.d_min = int(self.day.min()) if len(events) else 0
        self.d_max = int(self.day.max()) if len(events) else 0
        # Working memory per pass, in bytes: big logs are read in a few passes instead of
        # materialising big grids.
        self.budget = budget or max(_MIN_BUDGET, events.nbytes // 4)
        self.chunk = max(_MIN_CHUNK, self.budget // 96)
        self._buffers: dict[str, npt.NDArray[Any]] = {}
        # Event counts add up exactly in int32 cells while the whole log holds fewer than
        # 2**31 events: half the memory of float64 cells, so twice the types per pass.
        count = events.count
        # Checked again here: logs put together (Events.concat) may exceed it together.
        total = len(events) if count is None else check_total(count, "count")
        self.count_dtype = np.dtype(np.int32 if total < 2**31 - 1 else np.float64)

    def type_codes(self, types: Sequence[str]) -> list[int]:
        """Codes of ``types``; an unknown name is a DataError with a did-you-mean."""
        known = self.events.types
        out = []
        for name in types:  # a loop over event types
            if name not in known:
                raise DataError(f"unknown event type {name!r}"
                                + did_you_mean_suffix(name, list(known)), column="type")
            out.append(known.index(name))
        return out

    def rows(self, selector: npt.NDArray[np.int16] | None,
             active: bool = False) -> Iterator[tuple[npt.NDArray[np.intp] | slice,
                                                     npt.NDArray[np.int64],
                                                     npt.NDArray[np.int64],
                                                     npt.NDArray[np.int64], int]]:
        """Chunks of selected rows: (positions in the chunk, slot in the type group, output
        row, day, chunk start). ``selector`` maps a type code to its slot (``-1``: not
        read; ``None``: every type in slot 0). ``active`` keeps rows of at least one event.
        """
        ev = self.events
        for lo in range(0, len(ev), self.chunk):  # a loop over fixed-size blocks of rows
            hi = min(lo + self.chunk, len(ev))
            keep = None
            slot: npt.NDArray[np.int64]
            if selector is not None:
                slots = selector[ev.type[lo:hi]]
                keep = slots >= 0
            if self.dropping:
                matched = self.remap[ev.account[lo:hi]] >= 0
                keep = matched if keep is None else keep & matched
            if active and ev.count is not None:
                events_here = ev.count[lo:hi] > 0
                keep = events_here if keep is None else keep & events_here
            at: npt.NDArray[np.intp] | slice
            if keep is None:
                at = slice(lo, hi)
                slot = np.zeros(1, dtype=np.int64) if selector is None else \
                    slots.astype(np.int64)
            else:
                picked = np.flatnonzero(keep)
                at = picked + lo
                slot = np.zeros(1, dtype=np.int64) if selector is None else \
                    slots[picked].astype(np.int64)
            codes = ev.account[at]
            row = codes.astype(np.int64) if self.identity else self.remap[codes]
            yield at, slot, row, self.day[at], lo

    def grid(self, cells: int, dtype: np.dtype[Any]) -> npt.NDArray[Any]:
        """A zeroed grid of ``cells`` numbers, reusing one buffer per type: a fresh big
        array costs a page fault per 4 KB on first touch, more than the adding itself."""
        buffer = self._buffers.get(dtype.str)
        if buffer is None or buffer.shape[0] < cells:
            self._buffers[dtype.str] = np.zeros(cells, dtype=dtype)
            return self._buffers[dtype.str]
        grid = buffer[:cells]
        grid.fill(0)
        return grid

    def cell_type(self, weight: str) -> np.dtype[Any]:
        """The grid's number type for ``weight``: int32 counts when exact, else float64."""
        return self.count_dtype if weight == "count" else np.dtype(np.float64)

    def buckets(self, bounds: _I) -> npt.NDArray[np.int64]:
        """Bucket of each day of the log's range: how many boundaries fall on or before it."""
        days = np.arange(self.d_min, self.d_max + 1, dtype=np.int64)
        return np.searchsorted(bounds, days, side="right").astype(np.int64)

    def group_size(self, k: int, weight: str = "count") -> int:
        """How many event types one pass bins, so that its grid fits the budget."""
        # Value sums keep a second grid: the rounding errors of their running totals.
        size = self.cell_type(weight).itemsize * (2 if weight == "value" else 1)
        return max(1, self.budget // max(1, size * self.n * (k + 1)))

    def sums(self, selector: npt.NDArray[np.int16] | None, m: int, bounds: _I,
             weight: str) -> tuple[npt.NDArray[Any], _F | None]:
        """Totals before each boundary: ``[m, n, k + 1]``, where ``[s, a, j]`` adds the
        ``weight`` (``"count"``: events, ``"value"``: the value column) of type slot ``s``,
        account ``a``, over the days before ``bounds[j]`` (``j = k``: every day); and, for
        values, the rounding error of each total (``None`` for counts, which are exact);
        :func:`between` takes window sums from them."""
        k = bounds.shape[0]
        lut = self.buckets(bounds)
        cells = m * self.n * (k + 1)
        dtype = self.cell_type(weight)
        grid = self.grid(cells, dtype)
        ev = self.events
        # A row of zero events has no value either (counts add nothing for it anyway).
        for at, slot, row, day, _ in self.rows(selector, active=weight == "value"):
            key = (slot * self.n + row) * (k + 1) + lut[day - self.d_min]
            if weight == "value":
                assert ev.value is not None
                np.add.at(grid, key, np.nan_to_num(ev.value[at], nan=0.0))
            elif ev.count is not None:
                # Same dtype on both sides keeps numpy's fast path (a cast is 20x slower).
                np.add.at(grid, key, ev.count[at].astype(dtype))
            else:
                np.add.at(grid, key, np.ones(key.shape[0], dtype=dtype))
        cube = grid.reshape(m, self.n, k + 1)
        if weight != "value":
            np.cumsum(cube, axis=2, out=cube)
            return cube, None
        return cube, _running_totals(cube)

    def extreme_days(self, selector: npt.NDArray[np.int16] | None, bounds: _I,
                     last: bool) -> _I:
        """``[n, k + 1]``: the first (or last) event day before each boundary
        (``_NEVER`` / ``_NONE`` when there is none)."""
        k = bounds.shape[0]
        lut = self.buckets(bounds)
        grid = np.full(self.n * (k + 1), _NONE if last else _NEVER, dtype=np.int64)
        reduce = np.maximum if last else np.minimum
        for _, _, row, day, _ in self.rows(selector, active=True):
            reduce.at(grid, row * (k + 1) + lut[day - self.d_min], day)
        table = grid.reshape(self.n, k + 1)
        reduce.accumulate(table, axis=1, out=table)
        return table

    def active_days(self, selector: npt.NDArray[np.int16] | None, bounds: _I) -> _F:
        """``[n, k + 1]``: distinct (account, day) pairs with an event before each
        boundary, cumulated as :meth:`sums` does."""
        k = bounds.shape[0]
        span = self.d_max - self.d_min + 1
        pairs = [row * span + (day - self.d_min)
                 for _, _, row, day, _ in self.rows(selector, active=True)]
        unique = np.unique(np.concatenate(pairs)) if pairs else np.zeros(0, np.int64)
        lut = self.buckets(bounds)
        key = (unique // span) * (k + 1) + lut[unique % span]
        table = np.bincount(key, minlength=self.n * (k + 1)).astype(np.float64)
        table = table.reshape(self.n, k + 1)
        np.cumsum(table, axis=1, out=table)
        return table

    def distinct_users(self, selector: npt.NDArray[np.int16] | None,
                       windows: Sequence[tuple[int, int]]) -> list[_F]:
        """Distinct users of each account in each window ``[lo, hi)`` (day numbers): exact,
        from the distinct (account, user, day) triples sorted once."""
        ev = self.events
        if ev.user is None:
            raise DataError("distinct_users needs the events' users: name their column when "
                            "reading the events, Events.from_columns(table, user=...)")
        users = len(ev.users) + 1
        span = np.int64(self.d_max - self.d_min + 2)
        parts = [(row * users + ev.user[at]) * span + (day - self.d_min)
                 for at, _, row, day, _ in self.rows(selector, active=True)]
        composite = np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
        pair_of = composite // span
        pairs = np.unique(pair_of)
        account = pairs // users
        base = pairs * span
        out = []
        for lo, hi in windows:  # a loop over snapshot windows
            lo_off = np.int64(np.clip(lo - self.d_min, 0, span - 1))
            hi_off = np.int64(np.clip(hi - self.d_min, 0, span - 1))
            # A user is active in [lo, hi) when its first day at or after lo is before hi.
            at = np.searchsorted(composite, base + lo_off)
            ok = at < composite.shape[0]
            inside = np.zeros(pairs.shape[0], dtype=np.bool_)
            # at >= lo of this pair, so below its hi means inside its own block.
            inside[ok] = composite[at[ok]] < base[ok] + hi_off
            out.append(np.bincount(account[inside], minlength=self.n).astype(np.float64))
        return out


def _running_totals(cube: _F) -> _F:
    """Turn bucket sums into running totals along the last axis, in place, and return the
    rounding error of each (a double-double running sum).

    A plain float running total keeps about 16 digits of the total so far, so a window's
    sum taken as a difference of two totals would lose its digits to a big value before
    the window (1e16 then 1.0 gives 0.0); with the errors kept, the difference is good to
    about 1e-32 of the values before the window.
    """
    low = np.zeros_like(cube)
    for j in range(1, cube.shape[-1]):  # a loop over buckets (all accounts at once)
        before, cell = cube[..., j - 1], cube[..., j]
        total = before + cell
        error = _two_sum_error(before, cell, total)
        cube[..., j] = total
        low[..., j] = low[..., j - 1] + error
    return low


def _two_sum_error(a: _F, b: _F, total: _F) -> _F:
    """The exact rounding error of ``total = a + b`` (Knuth's TwoSum)."""
    b_part = total - a
    return (a - (total - b_part)) + (b - b_part)


def between(cube: npt.NDArray[Any], low: _F | None, lo: npt.NDArray[np.intp],
            hi: npt.NDArray[np.intp]) -> _F:
    """``[dates, n]`` sums over the buckets ``[lo, hi)`` from one slot of :meth:`Log.sums`
    (``cube`` and ``low``: ``[n, k + 1]``)."""
    upper, lower = cube[:, hi], cube[:, lo]
    if low is None:  # exact counts
        return np.asarray(upper - lower, dtype=np.float64).T
    head = upper - lower
    out: _F = (head + (_two_sum_error(upper, -lower, head) + (low[:, hi] - low[:, lo]))).T
    return out


def selector_of(log: Log, types: Sequence[str] | None) -> npt.NDArray[np.int16] | None:
    """A type-code → slot table reading ``types`` into slot 0 (``None``: every type)."""
    if types is None:
        return None
    table = np.full(max(len(log.events.types), 1), -1, dtype=np.int16)
    table[log.type_codes(types)] = 0
    return table

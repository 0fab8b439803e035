"""The touch score arithmetic: events → points per (account, touch point), all in numpy.

Every step works on whole event arrays: a tier lookup by comparison against a small
thresholds table, a weight per event for decay, ``bincount`` to add points per account and
touch point, and one sort of the ``combine="max"`` events by (account, touch point, user,
item) to keep the best event of each group (``maximum.reduceat`` over the sorted runs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt

from successkit.touch._touch_events import EventTable, group_codes
from successkit.touch.touch_point import TouchPoint

__all__ = ["PointTable", "select_events", "touch_totals"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@attrs.frozen(eq=False)
class PointTable:
    """The touch points of a model as arrays indexed by touch point code.

    ``starts[k, j]`` is the progress where tier ``j`` of touch point ``k`` begins (``+inf``
    for padding and for fixed points); ``paid[k, level]`` the points at a tier level (level
    0: below every tier, or the fixed points).
    """

    starts: FloatArray
    paid: FloatArray
    tiered: npt.NDArray[np.bool_]
    keep_best: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, touchpoints: Sequence[TouchPoint]) -> PointTable:
        depth = max((len(tp.tiers or ()) for tp in touchpoints), default=0)
        starts = np.full((len(touchpoints), max(depth, 1)), np.inf)
        paid = np.zeros((len(touchpoints), max(depth, 1) + 1))
        for k, tp in enumerate(touchpoints):  # a loop over touch points, not events
            if tp.tiers is None:
                assert tp.points is not None
                paid[k, 0] = tp.points
                continue
            for j, (start, points) in enumerate(tp.tiers):
                starts[k, j] = start
                paid[k, j + 1] = points
        tiered = np.array([tp.tiered for tp in touchpoints], dtype=np.bool_)
        keep_best = np.array([tp.combine == "max" for tp in touchpoints], dtype=np.bool_)
        return cls(starts, paid, tiered, keep_best)

    def points(
        self, touch: npt.NDArray[np.intp], progress: FloatArray | None
    ) -> FloatArray:
        """Points of each event before decay: its tier's points, or the fixed points."""
        if progress is None or not self.tiered.any():
            fixed: FloatArray = self.paid[touch, 0]
            return fixed
        level = np.zeros(touch.shape[0], dtype=np.intp)
        for j in range(self.starts.shape[1]):  # a loop over tier depth (a few)
            level += progress >= self.starts[touch, j]
        return self.paid[touch, level]


def select_events(
    table: EventTable,
    *,
    window: int | None,
    half_life: float | None,
    as_of: dt.date | None,
    skip: npt.NDArray[np.bool_] | None,
) -> tuple[npt.NDArray[np.intp], IntArray | None]:
    """Positions of the events that count by date (not skipped, inside the window), and
    their ages in days when a window or half-life needs them (``None`` otherwise)."""
    keep = np.ones(len(table), dtype=np.bool_) if skip is None else ~skip
    if table.weight is not None:
        keep &= table.weight > 0  # a row of zero events earns nothing, not even its best
    ages = None
    if as_of is not None and (window is not None or half_life is not None):
        ages = (np.datetime64(as_of, "D") - table.at).astype(np.int64)
        if window is not None:
            keep &= ages < window
    chosen = np.flatnonzero(keep)
    return chosen, None if ages is None else ages[chosen]


def touch_totals(
    table: EventTable,
    chosen: npt.NDArray[np.intp],
    rows: npt.NDArray[np.intp],
    *,
    ages: IntArray | None,
    accounts: int,
    points: PointTable,
    half_life: float | None,
) -> tuple[FloatArray, IntArray]:
    """Points per account and touch point (``accounts × touch points``) and the number of
    events counted per account.

    ``chosen`` are the positions of the events that count by date (see
    :func:`select_events`), ``rows`` their account rows (``-1``: not in the portfolio, not
    counted) and ``ages`` their ages in days. With ``half_life``, an event's points are
    multiplied by ``0.5 ** (age / half_life)``.
    """
    k = points.paid.shape[0]
    matched = rows >= 0
    if not matched.all():
        chosen, rows = chosen[matched], rows[matched]
        ages = None if ages is None else ages[matched]
    row = rows.astype(np.int64)
    touch = table.touch[chosen].astype(np.intp)
    progress = None if table.progress is None else table.progress[chosen]
    earned = points.points(touch, progress)
    if half_life is not None:
        assert ages is not None
        earned = earned * np.exp2(ages / -half_life)
    weight = None if table.weight is None else table.weight[chosen].astype(np.float64)
    cell = row * k + touch
    size = accounts * k
    best = points.keep_best[touch]
    # bincount of no events returns integers, so add into a float array.
    totals = np.zeros(size)
    # A row standing for n events earns n times (combine="max" keeps the best once).
    paid = earned if weight is None else earned * weight
    if not best.any():
        totals += np.bincount(cell, weights=paid, minlength=size)
    else:
        every = ~best
        totals += np.bincount(cell[every], weights=paid[every], minlength=size)
        group_cell, group_points = _best_per_group(
            cell[best],
            earned[best],
            None if table.user is None else group_codes(table.user[chosen[best]]),
            None if table.item is None else group_codes(table.item[chosen[best]]),
        )
        totals += np.bincount(group_cell, weights=group_points, minlength=size)
    counted = (np.bincount(row, minlength=accounts) if weight is None
               else np.bincount(row, weights=weight, minlength=accounts)).astype(np.int64)
    return totals.reshape(accounts, k), counted


def _best_per_group(
    cell: IntArray,
    earned: FloatArray,
    user: npt.NDArray[np.intp] | None,
    item: npt.NDArray[np.intp] | None,
) -> tuple[IntArray, FloatArray]:
    """The best points of each (cell, user, item) group, with the group's cell."""
    if not cell.size:
        return cell, earned
    keys: list[IntArray] = [cell]
    sizes = [int(cell.max()) + 1]
    for codes in (user, item):
        if codes is not None:
            keys.append(codes.astype(np.int64))
            sizes.append(int(codes.max()) + 1)
    span = 1
    for size in sizes:
        span *= size
    if span < 2**63:
        # One integer key (cell, user, item) in mixed radix: one sort of plain integers.
        key = keys[0]
        for codes, size in zip(keys[1:], sizes[1:], strict=True):
            key = key * size + codes
        order = np.argsort(key)
        ordered = key[order]
        starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
        divisor = span // sizes[0]
        group_cell = ordered[starts] // divisor
    else:  # pragma: no cover - needs more than 2**63 (cell, user, item) combinations
        order = np.lexsort(keys[::-1])
        change = np.zeros(cell.shape[0], dtype=np.bool_)
        change[0] = True
        for codes in keys:
            ordered_codes = codes[order]
            change[1:] |= ordered_codes[1:] != ordered_codes[:-1]
        starts = np.flatnonzero(change)
        group_cell = cell[order[starts]]
    group_points = np.maximum.reduceat(earned[order], starts)
    return group_cell, group_points

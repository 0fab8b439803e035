"""Placing accounts on a roadmap's stages, snapshot by snapshot (never account by account).

Criteria roadmaps evaluate every stage's entry at each snapshot of a History and follow each
account's *run* of consecutive snapshots in one stage to date its entry; tenure roadmaps
read the entry date from the window (see :mod:`successkit.roadmap.tenure`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._rows import positions
from successkit.dsl._frame import Timeline
from successkit.errors import DataError, ModelError, RuleNameError
from successkit.roadmap.result import StageResult, finish, timing
from successkit.roadmap.tenure import tenure_stages

# The roadmap is duck-typed (Any): roadmap.py imports this module.

__all__ = ["check_previous", "check_roadmap", "continue_from", "run"]

_NAT = np.datetime64("NaT", "D")


class _Run:
    """The stage of every account at one snapshot, and since when (criteria roadmaps)."""

    def __init__(
        self,
        codes: npt.NDArray[np.int32] | None,
        entered: npt.NDArray[np.datetime64],
        unknown: npt.NDArray[np.bool_],
    ) -> None:
        self.codes = codes  # None: the stages could not be worked out at this snapshot
        self.entered = entered
        self.unknown = unknown  # the run's start lies before what the data show


def _continue(
    codes: npt.NDArray[np.int32],
    day: np.datetime64,
    previous: _Run | None,
    rows: npt.NDArray[np.intp] | None,
    *,
    observed: bool,
) -> _Run:
    """Extend each account's run of snapshots in one stage by the snapshot on ``day``.

    ``rows`` maps this snapshot's accounts to the previous snapshot's rows (-1: absent);
    an account absent before, or in another stage, starts a new run today. Without a
    previous snapshot, ``observed`` says whether the run is taken to start today (the
    first snapshot of a History) or at an unknown earlier date (a lone Portfolio).
    """
    placed = codes >= 0
    today = np.where(placed, day, _NAT).astype("datetime64[D]")
    if previous is None or rows is None:
        unknown = placed.copy() if not observed else np.zeros(codes.shape, dtype=np.bool_)
        return _Run(codes, today, unknown)
    if previous.codes is None:
        return _Run(codes, today, placed.copy())
    if not previous.codes.size:  # the previous snapshot had no accounts
        return _Run(codes, today, np.zeros(codes.shape, dtype=np.bool_))
    found = rows >= 0
    safe = np.maximum(rows, 0)
    same = placed & found & (previous.codes[safe] == codes)
    entered = np.where(same, previous.entered[safe], today).astype("datetime64[D]")
    unknown = np.where(same, previous.unknown[safe], False)
    return _Run(codes, entered, unknown)


def run(
    roadmap: Any,
    timeline: Timeline,
    *,
    every: bool,
    observed: bool,
    data: Any,
    sources: Mapping[str, Any],
) -> list[StageResult]:
    """Place accounts at the snapshots needed; a result for each (``every``) or for the
    latest only. Loops over snapshots and stages, never over accounts."""
    snapshots = timeline.snapshots
    last = len(snapshots) - 1
    conditions = roadmap._conditions(timeline.schema())
    tenure = roadmap.assignment == "tenure"
    starts = [s.bounds[0] for s in roadmap.stages if s.bounds is not None]
    positions = range(len(snapshots)) if (every or not tenure) else [last]
    results: list[StageResult] = []
    run: _Run | None = None
    for position in positions:
        snapshot = snapshots[position]
        frame = timeline.frame(position)
        if tenure:
            codes, entered = tenure_stages(snapshot, starts, roadmap.tenure_columns)
        else:
            try:
                found: npt.NDArray[np.int32] | None = conditions.codes(frame)
            except RuleNameError:
                # a namespace given as a single result has no values before the latest
                # snapshot: the stage there is unknown, so runs reaching it are undated
                if position == last or every:
                    raise
                found = None
            if found is None:
                n = len(snapshot)
                run = _Run(None, np.full(n, _NAT, dtype="datetime64[D]"),
                           np.ones(n, dtype=np.bool_))
                continue
            rows = None if position == 0 else snapshots[position - 1].index_of(snapshot.ids)
            day = np.datetime64(snapshot.as_of or "NaT", "D")
            run = _continue(found, day, run, rows, observed=observed)
            codes = found
            entered = np.where(run.unknown, _NAT, run.entered).astype("datetime64[D]")
        if not (every or position == last):
            continue
        goals = conditions.goals_at(frame) if conditions.has_goals else None
        data_at = snapshot if data is None else data
        results.append(finish(roadmap, snapshot, codes, entered, goals, data=data_at,
                              sources=sources))
    return results


def check_roadmap(roadmap: Any, result: StageResult, *, what: str) -> None:
    """Refuse a stage result of another roadmap: same stage names are not enough, since
    other entries or goals place and judge accounts differently."""
    if result.stages != roadmap.names:
        raise DataError(f"{what} comes from another roadmap (its stages differ)")
    # An empty fingerprint: a result built by hand, whose roadmap is unknown.
    if result.fingerprint and result.fingerprint != roadmap.fingerprint:
        raise ModelError(
            f"{what} comes from another roadmap: its fingerprint {result.fingerprint[:12]} "
            f"is not this roadmap's {roadmap.fingerprint[:12]} (same stage names, other "
            "entries, goals or options); assign the accounts with this roadmap"
        )


def check_previous(roadmap: Any, previous: Any, as_of: Any) -> None:
    """Refuse a ``previous`` that is not a stage result of ``roadmap`` dated at or before
    ``as_of`` (a later one would date entries after the snapshot: negative days)."""
    if not isinstance(previous, StageResult) or previous.stages != roadmap.names:
        raise DataError("previous must be a StageResult of this roadmap")
    check_roadmap(roadmap, previous, what="previous")
    if previous.as_of is not None and as_of is not None and previous.as_of > as_of:
        raise DataError(
            f"previous is dated {previous.as_of.isoformat()}, after the portfolio's as_of "
            f"{as_of.isoformat()}: pass the result of an earlier snapshot"
        )


def continue_from(roadmap: Any, result: StageResult, previous: StageResult) -> StageResult:
    """``result`` (one snapshot, criteria) with the runs of ``previous`` (the snapshot
    before) carried on: an account still in the same stage keeps its entry date."""
    check_previous(roadmap, previous, result.as_of)
    before = previous.entered
    if previous.as_of is not None:  # a run that began before previous's data: lower bound
        before = np.where(np.isnat(before), np.datetime64(previous.as_of, "D"), before)
    carried = _continue(
        result.codes,
        _NAT if result.as_of is None else np.datetime64(result.as_of, "D"),
        _Run(previous.codes, before, np.zeros(len(previous), dtype=np.bool_)),
        positions(previous.ids, result.ids),
        observed=True,
    )
    days, stalled = timing(result.codes, carried.entered, result.expected, result.as_of)
    return attrs.evolve(result, entered=carried.entered, days_in_stage=days, stalled=stalled)

"""Accounts per roadmap stage, with goals met and stalled accounts."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt

from successkit._grid import GridSummary

__all__ = ["StageSummary", "stage_summary"]


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole > 0 else "—"


@attrs.frozen(kw_only=True)
class StageSummary(GridSummary):
    """Accounts per stage in roadmap order; a last ``none`` row counts accounts without a
    stage when there are any. ``goal_met`` is ``None`` for a stage without a goal and
    ``stalled`` for a stage without an expected duration; ``median_days`` is NaN where no
    account's days in stage are known.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> roadmap = sk.Roadmap([sk.Stage("new", expected_duration="2w"),
    ...                       sk.Stage("live", entry="live")])
    >>> pf = sk.Portfolio.from_columns({"id": ["a", "b", "c"], "live": [True, False, None]})
    >>> summary = roadmap.assign(pf).summary()
    >>> summary.stages, summary.accounts, summary.stalled
    (('new', 'live'), (2, 1), (0, None))
    """

    _caption: ClassVar[str] = "accounts per stage"

    stages: tuple[str, ...]
    accounts: tuple[int, ...]
    goal_met: tuple[int | None, ...]
    stalled: tuple[int | None, ...]
    median_days: tuple[float, ...]
    unassigned: int = 0

    @property
    def total_accounts(self) -> int:
        """All accounts, with or without a stage."""
        return sum(self.accounts) + self.unassigned

    @property
    def total_stalled(self) -> int:
        """Stalled accounts over all stages."""
        return sum(n for n in self.stalled if n is not None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (``None`` for NaN medians)."""
        return {
            "stages": list(self.stages),
            "accounts": list(self.accounts),
            "goal_met": list(self.goal_met),
            "stalled": list(self.stalled),
            "median_days": [None if np.isnan(d) else d for d in self.median_days],
            "unassigned": self.unassigned,
        }

    def _rows(self) -> tuple[list[str], list[list[str]]]:
        headers = ["stage", "accounts", "share", "goal met", "stalled", "median days"]
        total = self.total_accounts
        rows = []
        for i, stage in enumerate(self.stages):
            met = self.goal_met[i]
            stuck = self.stalled[i]
            days = self.median_days[i]
            rows.append([
                stage,
                f"{self.accounts[i]:,}",
                _share(self.accounts[i], total),
                "—" if met is None else f"{met:,}",
                "—" if stuck is None else f"{stuck:,}",
                "—" if np.isnan(days) else f"{days:,.0f}",
            ])
        if self.unassigned:
            rows.append(["none", f"{self.unassigned:,}", _share(self.unassigned, total),
                         "—", "—", "—"])
        return headers, rows



def stage_summary(
    stages: tuple[str, ...],
    codes: npt.NDArray[np.int32],
    goal_true: npt.NDArray[np.bool_],
    stalled: npt.NDArray[np.bool_],
    days: npt.NDArray[np.float64],
    roadmap: Any,
) -> StageSummary:
    """Count accounts, goals met and stalled accounts per stage code (loop over stages)."""
    k = len(stages)
    slot = np.where(codes < 0, k, codes).astype(np.intp)
    counts = np.bincount(slot, minlength=k + 1)
    met = np.bincount(slot, weights=goal_true, minlength=k + 1)
    stuck = np.bincount(slot, weights=stalled, minlength=k + 1)
    stages_of = None if roadmap is None else roadmap.stages
    with_goal = [True] * k if stages_of is None else [s.goal is not None for s in stages_of]
    with_limit = (
        [True] * k if stages_of is None else [s.expected_duration is not None for s in stages_of]
    )
    medians = []
    for i in range(k):
        known = days[(codes == i) & ~np.isnan(days)]
        medians.append(float(np.median(known)) if known.size else float("nan"))
    return StageSummary(
        stages=stages,
        accounts=tuple(int(c) for c in counts[:k]),
        goal_met=tuple(int(met[i]) if with_goal[i] else None for i in range(k)),
        stalled=tuple(int(stuck[i]) if with_limit[i] else None for i in range(k)),
        median_days=tuple(medians),
        unassigned=int(counts[k]),
    )

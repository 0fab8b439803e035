"""StageResult: where every account stands on a roadmap, and how it is doing there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import (
    BoolArray,
    DateArray,
    FloatArray,
    array_field,
    nullable,
    readonly,
    readonly_arrays,
)
from successkit._html import head_table
from successkit._optional import import_optional
from successkit._options import a_name
from successkit._rows import row_of
from successkit.data.column import Column, labelled_codes
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError, did_you_mean_suffix
from successkit.roadmap.plan import SuccessPlan
from successkit.roadmap.summary import StageSummary, stage_summary

__all__ = ["RULE_KINDS", "StageResult", "finish", "timing"]


#: The names a stage result gives rules under the prefix ``stage``, with their kinds.
RULE_KINDS: Mapping[str, Kind] = MappingProxyType({
    "": Kind.CATEGORY,
    "days": Kind.NUMBER,
    "goal_met": Kind.BOOLEAN,
    "stalled": Kind.BOOLEAN,
    "progress": Kind.NUMBER,
})

#: The arrays with one entry per account (``ids`` first).
_PER_ACCOUNT = ("ids", "codes", "entered", "days_in_stage", "goal_true", "goal_unknown",
                "progress", "stalled")


def _nullable_flags(flags: BoolArray, unknown: BoolArray) -> npt.NDArray[np.object_]:
    """Booleans as Python objects with ``None`` where unknown (for lists and tables)."""
    out = flags.astype(object)
    out[unknown] = None
    return out


def _names(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


def _pairs(value: Mapping[str, Any] | tuple[tuple[str, Any], ...]) -> tuple[tuple[str, Any], ...]:
    return tuple(dict(value).items())


@readonly_arrays
@attrs.frozen(kw_only=True, repr=False)
class StageResult:
    """The stage of every account on a roadmap (from :meth:`Roadmap.assign`), aligned
    with :attr:`ids`.

    Arrays (read-only numpy, one entry per account):

    ``codes``
        Index of the account's stage in :attr:`stages` (``-1``: no stage — no entry
        condition holds, or no contract start for a tenure roadmap); :attr:`stage` has the
        names (``None`` for no stage).
    ``entered`` / ``days_in_stage``
        The date the account entered its stage and the days since (NaT / NaN when
        unknown). From a History, the first snapshot of the current uninterrupted run of
        snapshots in this stage (a run that reaches back to the first snapshot counts from
        it, a lower bound); from a single Portfolio unknown, except for tenure roadmaps,
        whose windows date the entry exactly.
    ``goal_true`` / ``goal_unknown``
        Where the current stage's goal is true, and where it is unknown (missing data, no
        goal, or no stage); :attr:`goal_met` combines them as a masked array.
    ``progress``
        The share of goals met among the stages up to and including the current one
        (stages without a goal do not count; an unknown goal is not met). NaN without a
        stage or without any goal so far.
    ``stalled``
        True where the account has been in its stage longer than the stage's
        ``expected_duration`` (false where either is unknown).

    Pass the result to a playbook as ``stages=`` and rules read ``stage`` (the name, a
    category), ``stage.days``, ``stage.goal_met``, ``stage.stalled`` and
    ``stage.progress``.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> roadmap = sk.Roadmap([
    ...     sk.Stage("trial", goal="logins >= 5"),
    ...     sk.Stage("paying", entry="paid", goal="seats_used >= 80%"),
    ... ])
    >>> pf = sk.Portfolio.from_columns({
    ...     "id": ["a", "b", "c"], "paid": [False, True, None],
    ...     "logins": [7, 9, 1], "seats_used": [0.1, None, 0.5],
    ... }, as_of="2026-10-01")
    >>> result = roadmap.assign(pf)
    >>> result.stage.tolist(), result.goal_met.tolist(), result.progress.tolist()
    (['trial', 'paying', 'trial'], [True, None, False], [1.0, 0.5, 0.0])
    >>> result.counts()
    {'trial': 2, 'paying': 1}
    """

    ids: npt.NDArray[np.str_] = array_field()
    codes: npt.NDArray[np.int32] = array_field()
    stages: tuple[str, ...] = attrs.field(converter=_names)
    entered: DateArray = array_field()
    days_in_stage: FloatArray = array_field()
    goal_true: BoolArray = array_field()
    goal_unknown: BoolArray = array_field()
    progress: FloatArray = array_field()
    stalled: BoolArray = array_field()
    expected: FloatArray = array_field()
    assignment: str = "criteria"
    fingerprint: str = ""
    as_of: dt.date | None = None
    roadmap: Any = attrs.field(default=None, eq=False)
    data: Any = attrs.field(default=None, eq=False)
    #: the ``health=`` / ``touch=`` providers it was assigned with, as (name, value) pairs
    sources: tuple[tuple[str, Any], ...] = attrs.field(default=(), converter=_pairs, eq=False)

    def __attrs_post_init__(self) -> None:
        n = self.ids.shape[0]
        for name in _PER_ACCOUNT[1:]:
            if getattr(self, name).shape != (n,):
                raise ValueError(f"{name} must have one entry per account")
        if self.expected.shape != (len(self.stages),):
            raise ValueError("expected must have one entry per stage")

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def _take(self, rows: npt.NDArray[np.intp] | list[int]) -> StageResult:
        """The result for the accounts at positions ``rows`` only."""
        return attrs.evolve(self, **{name: getattr(self, name)[rows] for name in _PER_ACCOUNT})

    # -- views --------------------------------------------------------------------------------

    @cached_property
    def stage(self) -> npt.NDArray[np.object_]:
        """Stage names (object array), ``None`` where the account has no stage."""
        table = np.array([*self.stages, None], dtype=object)
        return readonly(table[self.codes])

    @property
    def goal_met(self) -> np.ma.MaskedArray[Any, Any]:
        """Whether the current stage's goal is met, masked where unknown."""
        masked = np.ma.MaskedArray(np.array(self.goal_true), mask=np.array(self.goal_unknown))
        masked.flags.writeable = False
        return masked

    def counts(self) -> dict[str, int]:
        """Accounts per stage, in roadmap order (accounts without a stage not counted)."""
        found = np.bincount(self.codes[self.codes >= 0], minlength=len(self.stages))
        return {name: int(found[i]) for i, name in enumerate(self.stages)}

    def ids_in(self, stage: str) -> npt.NDArray[np.str_]:
        """Ids of the accounts in ``stage``."""
        return readonly(self.ids[self.codes == self.index(stage)])

    def index(self, stage: str) -> int:
        """The position of ``stage`` in the roadmap (a DataError for an unknown name)."""
        if a_name(stage, "stage") not in self.stages:
            suffix = did_you_mean_suffix(stage, list(self.stages))
            raise DataError(f"no stage {stage!r} in the roadmap{suffix}")
        return self.stages.index(stage)

    def row(self, account_id: str) -> int:
        """The position of ``account_id`` in :attr:`ids` (a DataError, with did-you-mean,
        when absent)."""
        return row_of(self.ids, account_id, where="the stage result")

    def plan(self, account_id: str, **options: Any) -> SuccessPlan:
        """The success plan of one account: see :meth:`Roadmap.plan`."""
        if self.roadmap is None:
            raise DataError("this result does not know its roadmap; use Roadmap.plan()")
        plan: SuccessPlan = self.roadmap.plan(account_id, self, **options)
        return plan

    # -- rules --------------------------------------------------------------------------------

    def rule_columns(self) -> Mapping[str, Column]:
        """The values rules read under ``stage``: ``""`` (the stage name, a category),
        ``days``, ``goal_met``, ``stalled`` (booleans, missing where unknown) and
        ``progress``.

        Examples
        --------
        >>> import successkit as sk
        >>> roadmap = sk.Roadmap([sk.Stage("new"), sk.Stage("live", entry="live")])
        >>> pf = sk.Portfolio.from_columns({"id": ["a", "b"], "live": [True, False]})
        >>> roadmap.assign(pf).rule_columns()[""].to_list()
        ['live', 'new']
        """
        limit = _limits(self.codes, self.expected)
        stall_unknown = (self.codes < 0) | np.isnan(self.days_in_stage) | np.isnan(limit)
        return MappingProxyType({
            "": labelled_codes(self.codes, self.stages),
            "days": Column.number(self.days_in_stage),
            "goal_met": Column.boolean(self.goal_true, missing=self.goal_unknown),
            "stalled": Column.boolean(self.stalled, missing=stall_unknown),
            "progress": Column.number(self.progress),
        })

    def rule_schema(self) -> Mapping[str, Kind]:
        """The kinds of :meth:`rule_columns`."""
        return RULE_KINDS

    # -- output -------------------------------------------------------------------------------

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Accounts per stage as a funnel, first stage on top, stalled accounts hatched
        (needs ``successkit[plot]``); ``kwargs`` go to ``Axes.barh``. Returns the ``Axes``.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import successkit as sk
        >>> roadmap = sk.Roadmap([sk.Stage("trial"), sk.Stage("paying", entry="paid")])
        >>> pf = sk.Portfolio.from_columns({"id": ["a", "b", "c"], "paid": [False, True, True]})
        >>> ax = roadmap.assign(pf).plot()
        >>> [t.get_text() for t in ax.get_yticklabels()], ax.get_title()
        (['trial', 'paying'], 'Accounts per stage')
        """
        from successkit.roadmap._plots import plot_funnel

        return plot_funnel(self, ax, **kwargs)

    def plot_days_in_stage(self, ax: Any = None, **kwargs: Any) -> Any:
        """Days in stage per stage as box plots, with each stage's expected duration dashed
        (needs ``successkit[plot]`` and known entry dates: a History or a tenure roadmap);
        ``kwargs`` go to ``Axes.boxplot``. Returns the ``Axes``."""
        from successkit.roadmap._plots import plot_days_in_stage

        return plot_days_in_stage(self, ax, **kwargs)

    def summary(self) -> StageSummary:
        """Accounts per stage, with how many met their goal and how many are stalled.

        Examples
        --------
        >>> import successkit as sk
        >>> roadmap = sk.Roadmap([sk.Stage("new", goal="x > 1", expected_duration="1mo"),
        ...                       sk.Stage("live", entry="live")])
        >>> pf = sk.Portfolio.from_columns({"id": ["a", "b", "c"], "live": [True, False, False],
        ...                                 "x": [5, 5, 0]})
        >>> print(roadmap.assign(pf).summary())
        stage  accounts  share  goal met  stalled  median days
        new           2    67%         1        0            —
        live          1    33%         —        —            —
        """
        return stage_summary(self.stages, self.codes, self.goal_true, self.stalled,
                             self.days_in_stage, self.roadmap)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: ids, stage, entered (ISO dates), days_in_stage, goal_met,
        progress, stalled (``None`` where unknown), with the stages, the roadmap's
        fingerprint and the date."""
        entered = self.entered.astype(object)
        goal = _nullable_flags(self.goal_true, self.goal_unknown).tolist()
        return {
            "fingerprint": self.fingerprint,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "stages": list(self.stages),
            "ids": self.ids.tolist(),
            "stage": self.stage.tolist(),
            "entered": [None if d is None else d.isoformat() for d in entered.tolist()],
            "days_in_stage": nullable(self.days_in_stage),
            "goal_met": goal,
            "progress": nullable(self.progress),
            "stalled": self.stalled.tolist(),
        }

    def to_frame(self) -> Any:
        """A pandas ``DataFrame`` indexed by account id: stage (ordered categorical),
        entered, days_in_stage, goal_met (nullable boolean), progress, stalled (needs
        ``successkit[pandas]``)."""
        pd = import_optional("pandas", purpose="StageResult.to_frame()")
        goal = pd.array(_nullable_flags(self.goal_true, self.goal_unknown).tolist(),
                        dtype="boolean")
        return pd.DataFrame(
            {
                "stage": pd.Categorical.from_codes(
                    np.array(self.codes), categories=list(self.stages), ordered=True
                ),
                "entered": np.array(self.entered).astype("datetime64[s]"),
                "days_in_stage": np.array(self.days_in_stage),
                "goal_met": goal,
                "progress": np.array(self.progress),
                "stalled": np.array(self.stalled),
            },
            index=pd.Index(self.ids.tolist(), name="id", dtype=object),
        )

    def __repr__(self) -> str:
        as_of = "" if self.as_of is None else f", as_of={self.as_of.isoformat()}"
        counts = ", ".join(f"{k}: {v}" for k, v in self.counts().items())
        return f"StageResult({len(self)} accounts{as_of}, {counts})"

    def _repr_html_(self) -> str:
        table = {
            "stage": self.stage,
            "days in stage": self.days_in_stage,
            "goal met": _nullable_flags(self.goal_true, self.goal_unknown),
            "progress": self.progress,
            "stalled": self.stalled,
        }
        return head_table(self.ids, table, caption=repr(self))


def _limits(codes: npt.NDArray[np.int32], expected: FloatArray) -> FloatArray:
    """The expected duration of each account's stage (NaN: none, or no stage)."""
    return np.where(codes >= 0, expected[np.maximum(codes, 0)], np.nan)


def timing(
    codes: npt.NDArray[np.int32], entered: DateArray, expected: FloatArray, as_of: dt.date | None
) -> tuple[FloatArray, BoolArray]:
    """Days in stage since ``entered`` (NaN where unknown) and whether they exceed the
    stage's expected duration (stalled; false where either is unknown)."""
    if as_of is None:
        days = np.full(codes.shape[0], np.nan)
    else:
        days = (np.datetime64(as_of, "D") - entered).astype("timedelta64[D]").astype(np.float64)
        days[np.isnat(entered)] = np.nan
    with np.errstate(invalid="ignore"):
        stalled = days > _limits(codes, expected)  # NaN on either side compares false
    return days, stalled


def finish(
    roadmap: Any,
    snapshot: Portfolio,
    codes: npt.NDArray[np.int32],
    entered: DateArray,
    goals: tuple[BoolArray, BoolArray] | None,
    **fields: Any,
) -> StageResult:
    """The result of ``roadmap`` on ``snapshot``: days in stage, goal met, progress and
    stalled derived from the stage of every account, its entry date and the stages ×
    accounts masks of goals true and goals false (``None``: no stage has a goal) — with
    whole-array operations. ``fields`` are the result's references (data, sources)."""
    stages = roadmap.stages
    has_goal = np.array([s.goal is not None for s in stages], dtype=np.bool_)
    expected = np.array(
        [np.nan if s.expected_duration is None else s.expected_duration for s in stages],
        dtype=np.float64,
    )
    as_of = snapshot.as_of
    n = codes.shape[0]
    goals_true, goals_false = goals or (np.zeros((len(stages), n), dtype=np.bool_),) * 2
    placed = codes >= 0
    safe = np.maximum(codes, 0)
    cols = np.arange(n)
    days, stalled = timing(codes, entered, expected, as_of)
    if has_goal.any():
        goal_true = placed & goals_true[safe, cols]
        goal_false = placed & goals_false[safe, cols]
        # goals met (and goals defined) among the stages up to each account's own
        met = np.cumsum(goals_true & has_goal[:, None], axis=0)[safe, cols]
        total = np.cumsum(has_goal)[safe]
        progress = np.where(placed & (total > 0), met / np.maximum(total, 1), np.nan)
    else:  # no goals at all: nothing is met, nothing to measure progress by
        goal_true = goal_false = np.zeros(n, dtype=np.bool_)
        progress = np.full(n, np.nan)
    return StageResult(
        ids=snapshot.ids,
        codes=codes.astype(np.int32),
        entered=entered.astype("datetime64[D]"),
        days_in_stage=days,
        goal_true=goal_true,
        goal_unknown=~(goal_true | goal_false),
        progress=progress.astype(np.float64),
        stalled=stalled,
        expected=expected,
        as_of=as_of,
        stages=roadmap.names,
        assignment=roadmap.assignment,
        fingerprint=roadmap.fingerprint,
        roadmap=roadmap,
        **fields,
    )

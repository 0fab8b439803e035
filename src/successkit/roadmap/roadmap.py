"""Roadmap: ordered stages, and where every account of a portfolio stands on them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any

import attrs

from successkit._html import html_table
from successkit.data.history import History
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio, not_a_portfolio
from successkit.dsl._frame import Timeline, schema_of
from successkit.dsl._program import namespaces
from successkit.dsl.playbook import Playbook
from successkit.errors import DataError, ModelError, did_you_mean_suffix
from successkit.roadmap._account_plan import plan_for, stage_playbook
from successkit.roadmap._assign import check_previous, continue_from, run
from successkit.roadmap._conditions import StageConditions
from successkit.roadmap._presets import lifecycle_stages, maturity_stages
from successkit.roadmap._roadmap_data import (
    overview,
    read_roadmap,
    roadmap_dict,
    roadmap_fingerprint,
)
from successkit.roadmap._validate import ASSIGNMENTS, column_name, rule_prefix, validate
from successkit.roadmap.plan import SuccessPlan
from successkit.roadmap.result import RULE_KINDS, StageResult
from successkit.roadmap.stage import Stage
from successkit.roadmap.tenure import TenureColumns

__all__ = ["ASSIGNMENTS", "Roadmap", "rule_prefix"]


@attrs.frozen(init=False, repr=False)
class Roadmap:
    """Ordered stages of a customer's journey, and where each account stands on them.

    Two ways to place accounts:

    ``assign="criteria"``
        Each stage has an ``entry`` condition (the first may have none: every account is at
        least there); an account is in the **furthest** stage whose entry holds. Conditions
        use the playbook language and may name portfolio columns, ``health.*`` and
        ``touch.*``.
    ``assign="tenure"``
        Each stage has a ``window`` of contract age (Sansan's lifecycle): ``(start, end)``
        with durations (``"2mo"``) or renewals (``"renewal 1"``). Windows must be
        contiguous from ``0d`` and the last open-ended. Read from the ``contract_start``
        date column, with the renewal columns below when present (see :doc:`/roadmap`).

    .. versionadded:: 0.1

    Parameters
    ----------
    stages:
        :class:`Stage` objects, in order.
    assign:
        ``"criteria"`` or ``"tenure"``.
    name:
        An optional label (stored by :meth:`to_dict`, not part of equality or the
        fingerprint).
    contract_start, renewals, renewal_date:
        For tenure roadmaps: the columns holding the contract start (date), the number of
        renewals so far (number) and the next renewal date (date). ``None`` for either
        renewal column ignores it; absent columns are ignored too.

    Raises
    ------
    ModelError
        No stages, duplicate stage names, an unknown ``assign``; criteria roadmaps: a later
        stage without entry, a window; tenure roadmaps: a stage without a window or with an
        entry, windows that do not start at ``0d``, overlap, leave a gap or do not end
        open. Messages name the stage.

    Examples
    --------
    >>> import successkit as sk
    >>> roadmap = sk.Roadmap([
    ...     sk.Stage("onboarding", goal="first_login_rate >= 80%", expected_duration="2mo"),
    ...     sk.Stage("adoption", entry="first_login_rate >= 50%", goal="login_rate >= 60%"),
    ...     sk.Stage("expansion", entry="license_activation_rate >= 90%"),
    ... ])
    >>> pf = sk.Portfolio.from_columns({
    ...     "id": ["a", "b", "c"],
    ...     "first_login_rate": [0.3, 0.9, 0.95],
    ...     "login_rate": [0.2, 0.7, 0.8],
    ...     "license_activation_rate": [0.4, 0.6, 0.95],
    ... }, as_of="2026-10-01")
    >>> roadmap.assign(pf).stage.tolist()
    ['onboarding', 'adoption', 'expansion']
    >>> sk.Roadmap.lifecycle().names
    ('onboarding', 'operation', 'utilisation', 'established')
    """

    stages: tuple[Stage, ...]
    assignment: str = attrs.field(alias="assign")
    name: str | None = attrs.field(kw_only=True, eq=False)
    contract_start: str = attrs.field(kw_only=True)
    renewals: str | None = attrs.field(kw_only=True)
    renewal_date: str | None = attrs.field(kw_only=True)
    _programs: dict[Any, StageConditions] = attrs.field(
        init=False, eq=False, hash=False, repr=False
    )

    def __init__(
        self,
        stages: Iterable[Stage],
        *,
        assign: str = "criteria",
        name: str | None = None,
        contract_start: str = "contract_start",
        renewals: str | None = "renewals",
        renewal_date: str | None = "renewal_date",
    ) -> None:
        if isinstance(stages, (str, Stage)) or not isinstance(stages, Iterable):
            raise ModelError("stages must be a sequence of Stage objects")
        ordered = tuple(stages)
        validate(ordered, assign)
        start = column_name(contract_start, "contract_start", optional=False)
        assert start is not None
        self.__attrs_init__(
            ordered,
            assign,
            name=name,
            contract_start=start,
            renewals=column_name(renewals, "renewals", optional=True),
            renewal_date=column_name(renewal_date, "renewal_date", optional=True),
        )
        object.__setattr__(self, "_programs", {})

    # -- presets ------------------------------------------------------------------------------

    @classmethod
    def lifecycle(cls, *, onboarding: Any = "2mo", **columns: Any) -> Roadmap:
        """Sansan's lifecycle by contract age (seed 003): onboarding → operation →
        utilisation → established. See :func:`successkit.roadmap.presets.lifecycle`."""
        return cls(lifecycle_stages(onboarding), assign="tenure", name="lifecycle", **columns)

    @classmethod
    def maturity(cls, states: Sequence[str] | None = None) -> Roadmap:
        """THE MODEL's adoption levels 1–4 (seed 000) as a criteria roadmap. See
        :func:`successkit.roadmap.presets.maturity`."""
        return cls(maturity_stages(states), assign="criteria", name="maturity")

    # -- access -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.stages)

    def __iter__(self) -> Iterator[Stage]:
        return iter(self.stages)

    @property
    def names(self) -> tuple[str, ...]:
        """The stage names, in order."""
        return tuple(stage.name for stage in self.stages)

    def stage(self, name: str) -> Stage:
        """The stage called ``name`` (a ModelError with the closest name otherwise)."""
        for stage in self.stages:
            if stage.name == name:
                return stage
        suffix = did_you_mean_suffix(name, list(self.names))
        raise ModelError(f"no stage {name!r} in the roadmap{suffix}")

    def with_stage(self, name: str, **changes: Any) -> Roadmap:
        """This roadmap with stage ``name`` changed (``goal=``, ``tasks=``, ``playbook=``,
        …), validated again.

        Examples
        --------
        >>> import successkit as sk
        >>> roadmap = sk.Roadmap.lifecycle().with_stage("operation", goal="login_rate >= 60%")
        >>> roadmap.stage("operation").goal
        'login_rate >= 60%'
        """
        target = self.stage(name)
        stages = [attrs.evolve(s, **changes) if s is target else s for s in self.stages]
        return attrs.evolve(self, stages=stages)

    @property
    def tenure_columns(self) -> TenureColumns:
        """The columns a tenure roadmap reads."""
        return TenureColumns(self.contract_start, self.renewals, self.renewal_date)

    # -- assignment ---------------------------------------------------------------------------

    def _conditions(self, schema: Mapping[str, Kind]) -> StageConditions:
        key = tuple(sorted((name, Kind(kind).value) for name, kind in schema.items()))
        program = self._programs.get(key)
        if program is None:
            program = self._programs[key] = StageConditions(self.stages, schema)
        return program

    def assign(
        self, data: Portfolio | History, *, health: Any = None, touch: Any = None
    ) -> StageResult:
        """The stage of every account of ``data``, with days in stage, goal met, progress
        and stalled.

        Parameters
        ----------
        data:
            A :class:`~successkit.Portfolio`, or a :class:`~successkit.History`: accounts
            are those of the latest snapshot; criteria roadmaps also place them at every
            earlier snapshot to find when they entered their stage (and conditions may use
            ``change()``, ``becomes`` …).
        health, touch:
            Results (or models) whose values conditions can name (``health.score``,
            ``touch.quadrant``), as for :meth:`Playbook.evaluate`. To date stage entries
            from a History with conditions on them, pass the models: a single result only
            has values for the latest snapshot (days in stage are then unknown).

        Raises
        ------
        RuleNameError, RuleTypeError
            An entry or goal does not fit the data (all problems at once, each message
            naming its stage).
        DataError
            A tenure roadmap without ``as_of`` or without a date column ``contract_start``;
            a negative renewal count.
        """
        timeline = Timeline(data, namespaces(health=health, touch=touch))
        sources = {k: v for k, v in (("health", health), ("touch", touch)) if v is not None}
        return run(self, timeline, every=False, observed=isinstance(data, History),
                   data=data, sources=sources)[-1]

    def score(self, data: Portfolio, *, previous: StageResult | None = None) -> StageResult:
        """The stages of one snapshot, continuing the runs of ``previous`` (the result at
        the snapshot before): an account still in the same stage keeps its entry date.

        This is what a playbook calls when the roadmap itself is passed as ``stages=``
        (conditions may then use portfolio columns only; to name ``health.*`` pass the
        result of :meth:`assign` instead).

        Examples
        --------
        >>> import successkit as sk
        >>> roadmap = sk.Roadmap([sk.Stage("new"), sk.Stage("live", entry="live")])
        >>> sep = sk.Portfolio.from_columns({"id": ["a"], "live": [True]}, as_of="2026-09-01")
        >>> oct = sk.Portfolio.from_columns({"id": ["a"], "live": [True]}, as_of="2026-10-01")
        >>> roadmap.score(oct, previous=roadmap.score(sep)).days_in_stage.tolist()
        [30.0]
        """
        if not isinstance(data, Portfolio):
            raise not_a_portfolio(data)
        result = run(self, Timeline(data), every=False, observed=False, data=data,
                     sources={})[-1]
        if previous is None:
            return result
        if self.assignment == "tenure":
            check_previous(self, previous, data.as_of)  # ignored, but a wrong one is refused
            return result
        return continue_from(self, result, previous)  # checks it as it reads it

    def score_history(self, history: History) -> tuple[StageResult, ...]:
        """:meth:`assign` at every snapshot of ``history`` (each as if it were the latest),
        in one pass. A playbook uses it when the roadmap is passed as ``stages=`` with a
        History."""
        timeline = Timeline(history)
        return tuple(run(self, timeline, every=True, observed=True, data=None, sources={}))

    def rule_schema(self) -> Mapping[str, Kind]:
        """The names a stage result gives rules under ``stage``, with their kinds: ``""``
        (category), ``days`` (number), ``goal_met`` (boolean), ``stalled`` (boolean),
        ``progress`` (number).

        Examples
        --------
        >>> import successkit as sk
        >>> {k: v.value for k, v in sk.Roadmap.lifecycle().rule_schema().items()}
        {'': 'category', 'days': 'number', 'goal_met': 'boolean', 'stalled': 'boolean', \
'progress': 'number'}
        """
        return RULE_KINDS

    def check(
        self,
        data: Portfolio | History | Mapping[str, Kind | str],
        *,
        health: Any = None,
        touch: Any = None,
    ) -> None:
        """Check every entry, goal and stage playbook against ``data`` (a Portfolio, a
        History or a schema mapping) plus the given namespaces, without evaluating.

        Raises
        ------
        RuleNameError, RuleTypeError
            A condition or a stage's rule does not fit the data (messages name the stage
            or the prefixed rule).
        DataError
            A tenure roadmap whose contract start column is missing or not a date.

        Examples
        --------
        >>> import successkit as sk
        >>> roadmap = sk.Roadmap([sk.Stage("new", goal="login_rat > 50%")])
        >>> try:
        ...     roadmap.check({"login_rate": "number"})
        ... except sk.RuleNameError as error:
        ...     print(error)
        line 1, column 1: stage 'new' goal: unknown name 'login_rat'; did you mean 'login_rate'?
          login_rat > 50%
          ^^^^^^^^^
        """
        schema = schema_of(data, namespaces(health=health, touch=touch))
        if self.assignment == "tenure":
            if isinstance(data, (Portfolio, History)):
                latest = data.latest if isinstance(data, History) else data
                latest.column(self.contract_start, "date")
            elif schema.get(self.contract_start) is not Kind.DATE:
                raise DataError("a tenure roadmap needs a date column", column=self.contract_start)
        self._conditions(schema)
        self.playbook().check(schema, stages=self)

    # -- stage playbooks and plans ------------------------------------------------------------

    def playbook(self) -> Playbook:
        """Every stage's playbook, each rule limited to accounts in its stage and named
        ``<stage>.<rule>``, merged into one playbook. Evaluate it with ``stages=`` a
        :class:`StageResult` (or this roadmap).

        Examples
        --------
        >>> import successkit as sk
        >>> roadmap = sk.Roadmap([
        ...     sk.Stage("trial", playbook="rule nudge: when logins < 3 then send_tips"),
        ...     sk.Stage("paying", entry="paid",
        ...              playbook="rule upsell: when seats_used >= 90% then upsell as opportunity"),
        ... ])
        >>> print(roadmap.playbook().format(), end="")
        rule trial.nudge:
          when stage = "trial" and logins < 3
          then send_tips
        rule paying.upsell:
          when stage = "paying" and seats_used >= 90%
          then upsell
          as opportunity
        """
        parts = [p for p in (stage_playbook(stage) for stage in self.stages) if p is not None]
        return Playbook.merge(*parts, name=self.name)

    def plan(
        self,
        account_id: str,
        result: StageResult,
        *,
        data: Portfolio | History | None = None,
        health: Any = None,
        touch: Any = None,
        now: Any = None,
    ) -> SuccessPlan:
        """The success plan of one account: its stage and what it should reach (goal, next
        stage), the stage's tasks by owner with due dates, and the stage's positive and
        challenge actions that fire for it now.

        The actions are found by evaluating the stage's playbook on ``data`` restricted to
        this one account (the batch path on a portfolio of one; a ``health`` model with
        percentile metrics is scored on all of ``data``, as in the batch); ``data``,
        ``health`` and ``touch`` default to what ``result`` was assigned from.

        Examples
        --------
        >>> import successkit as sk
        >>> roadmap = sk.Roadmap([sk.Stage(
        ...     "onboarding", goal="first_login_rate >= 80%",
        ...     tasks=[sk.Task("kick-off", "joint", due="1w"), sk.Task("invite users", "customer")],
        ...     playbook="when first_login_rate <= 30% then contact_admin as risk owner csm",
        ... )])
        >>> pf = sk.Portfolio.from_columns({"id": ["acme"], "first_login_rate": [0.2]},
        ...                                as_of="2026-10-01")
        >>> plan = roadmap.plan("acme", roadmap.assign(pf))
        >>> plan.goal, plan.goal_met, [t.name for t in plan.tasks_of("customer")]
        ('first_login_rate >= 80%', False, ['invite users'])
        >>> [cta.action for cta in plan.challenge]
        ['contact_admin']
        """
        if not isinstance(result, StageResult):
            raise DataError(f"result must be a StageResult, got {type(result).__name__}")
        return plan_for(self, str(account_id), result, data=data, health=health, touch=touch,
                        now=now)

    # -- serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: ``{"type": "roadmap", "version": 1, "name", "assign",
        "columns": {"contract_start", "renewals", "renewal_date"}, "stages": [...]}``."""
        return roadmap_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Roadmap:
        """Rebuild a roadmap from :meth:`to_dict` output (a malformed dict is a ModelError).

        Examples
        --------
        >>> import successkit as sk
        >>> roadmap = sk.Roadmap.lifecycle()
        >>> sk.Roadmap.from_dict(roadmap.to_dict()) == roadmap
        True
        """
        stages, options = read_roadmap(data)
        return cls(stages, **options)

    @cached_property
    def fingerprint(self) -> str:
        """A stable hash of :meth:`to_dict` (without the ``name`` label)."""
        return roadmap_fingerprint(self)

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuild from the plain description: compiled conditions are closures and stay out
        # of pickles (roadmaps cross process boundaries under dask and multiprocessing).
        return (Roadmap.from_dict, (self.to_dict(),))

    def __repr__(self) -> str:
        label = f"{self.name!r}, " if self.name else ""
        return f"Roadmap({label}{self.assignment}: {' → '.join(self.names)})"

    def _repr_html_(self) -> str:
        return html_table(overview(self), caption=repr(self))

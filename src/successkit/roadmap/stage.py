"""A stage of a success roadmap: its state, conditions, tasks and actions (seed 001)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from successkit._fingerprint import fingerprint as _hash
from successkit._keys import at, read_dict
from successkit.data.dates import format_duration, model_duration
from successkit.dsl import Playbook, ast, format_node, parse_condition
from successkit.errors import ModelError, RuleError
from successkit.roadmap.task import Task
from successkit.roadmap.tenure import Bound, parse_bound
from successkit.scoring._serial import check_version, field

__all__ = ["Stage", "relabel"]

_VERSION = 1


def relabel(error: RuleError, where: str) -> RuleError:
    """``error`` (and every error collected in it) with ``where`` in front of its message,
    keeping class, position, quoted source and hint."""
    rebuilt = [type(e)(f"{where}: {e.message}", **e._context) for e in error.errors]
    return RuleError.collect(rebuilt)


def _condition(value: Any, where: str) -> ast.Node | None:
    if value is None:
        return None
    if isinstance(value, ast.Node):
        return value
    if not isinstance(value, str):
        raise ModelError(f"must be condition text, not {type(value).__name__}", where=where)
    try:
        return parse_condition(value)
    except RuleError as exc:
        raise relabel(exc, where) from None


def _playbook(value: Any, name: str, where: str) -> Playbook | None:
    if value is None or isinstance(value, Playbook):
        return value
    if not isinstance(value, str):
        raise ModelError(
            f"playbook must be a Playbook or playbook text, not {type(value).__name__}",
            where=where,
        )
    try:
        return Playbook.parse(value, name=name)
    except RuleError as exc:
        raise relabel(exc, f"{where} playbook") from None


def _tasks(value: Any, where: str) -> tuple[Task, ...]:
    if isinstance(value, (str, Task)) or not isinstance(value, Iterable):
        raise ModelError("tasks must be a sequence of Task objects", where=where)
    tasks = tuple(value)
    for task in tasks:
        if not isinstance(task, Task):
            raise ModelError(f"tasks must be Task objects, not {type(task).__name__}", where=where)
    return tasks


def _window(value: Any, where: str) -> tuple[Bound, Bound | None] | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ModelError("window must be a pair (start, end)", where=where)
    pair = tuple(value)
    if len(pair) != 2 or pair[0] is None:
        raise ModelError("window must be a pair (start, end) with a start", where=where)
    start = parse_bound(pair[0], where=where)
    end = None if pair[1] is None else parse_bound(pair[1], where=where)
    if end is not None and not _before(start, end):
        raise ModelError(f"window ({start}, {end}) is empty: its end must come after its start",
                         where=where)
    return (start, end)


def _before(a: Bound, b: Bound) -> bool:
    """Whether ``a`` certainly comes before ``b`` (renewals compare by count, otherwise by
    nominal age)."""
    if a.renewal is not None and b.renewal is not None:
        return a.renewal < b.renewal
    return a.nominal < b.nominal


@attrs.frozen(init=False, repr=False)
class Stage:
    """One stage of a success roadmap.

    Seed 001 (HiCustomer) writes a success roadmap as a table: per stage its name, the state
    the customer should reach (達成状態), joint / customer / vendor tasks, and the actions
    to take when things go well (positive actions, opportunities) or badly (challenge
    actions, risks). A stage holds exactly that; its conditions are written in the playbook
    language, so they are parsed, checked and evaluated like rules (three-valued: a
    condition holds only where it is *true*; unknown is not true).

    .. versionadded:: 0.1

    Parameters
    ----------
    name:
        The stage's name, e.g. ``"onboarding"``. Rules compare it as ``stage = "onboarding"``.
    entry:
        For criteria roadmaps: the condition that places an account in this stage (the
        furthest stage whose entry holds wins). ``None`` means "always" and is allowed only
        on the first stage.
    goal:
        The achieved state as a condition, e.g. ``"first_login_rate >= 80%"``; the result's
        ``goal_met`` and ``progress`` read it.
    tasks:
        :class:`Task` objects: joint, customer and vendor tasks.
    playbook:
        A :class:`~successkit.Playbook`, or playbook text, with the stage's positive
        (``as opportunity``) and challenge (``as risk``) actions;
        :meth:`Roadmap.playbook` runs them only for accounts in this stage.
    expected_duration:
        How long an account should stay (``"2mo"``, days, ``timedelta``); an account in
        the stage for longer is *stalled*.
    description:
        The achieved state and the emphasis of the stage, in words.
    window:
        For tenure roadmaps: ``(start, end)`` of contract age, each a duration (``"2mo"``)
        or a renewal (``"renewal 1"``); ``end=None`` is open-ended. See :doc:`/roadmap`.

    Raises
    ------
    RuleSyntaxError
        An entry, goal or playbook that does not parse; the message names the stage.
    ModelError
        Any other malformed argument, naming the stage.

    Examples
    --------
    >>> import successkit as sk
    >>> stage = sk.Stage(
    ...     "onboarding",
    ...     goal="first_login_rate >= 80%",
    ...     tasks=[sk.Task("kick-off", "joint"), sk.Task("invite users", "customer")],
    ...     playbook="when first_login_rate <= 30% then contact_admin as risk",
    ...     expected_duration="2mo",
    ... )
    >>> stage.goal, stage.expected_duration, [t.owner for t in stage.tasks]
    ('first_login_rate >= 80%', 60, ['joint', 'customer'])
    >>> [rule.name for rule in stage.challenge_actions]
    ['rule_1']
    >>> sk.Stage("onboarding", goal="first_login_rate >=")
    Traceback (most recent call last):
    ...
    successkit.errors.RuleSyntaxError: line 1, column 20: stage 'onboarding' goal: ...
    """

    name: str
    entry: str | None = attrs.field(kw_only=True)
    goal: str | None = attrs.field(kw_only=True)
    tasks: tuple[Task, ...] = attrs.field(kw_only=True)
    playbook: Playbook | None = attrs.field(kw_only=True)
    expected_duration: int | None = attrs.field(kw_only=True)
    description: str | None = attrs.field(kw_only=True)
    window: tuple[str, str | None] | None = attrs.field(kw_only=True)
    # parsed forms, derived from the fields above (so attrs.evolve() re-derives them)
    _nodes: tuple[ast.Node | None, ast.Node | None] = attrs.field(
        init=False, eq=False, repr=False
    )
    _bounds: tuple[Bound, Bound | None] | None = attrs.field(init=False, eq=False, repr=False)

    def __init__(
        self,
        name: str,
        *,
        entry: str | ast.Node | None = None,
        goal: str | ast.Node | None = None,
        tasks: Iterable[Task] = (),
        playbook: Playbook | str | None = None,
        expected_duration: Any = None,
        description: str | None = None,
        window: Any = None,
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise ModelError(f"a stage needs a non-empty name, got {name!r}")
        if "\n" in name or "\r" in name:
            raise ModelError(f"a stage name must be one line, got {name!r}")
        where = f"stage {name!r}"
        entry_node = _condition(entry, f"{where} entry")
        goal_node = _condition(goal, f"{where} goal")
        expected = None
        if expected_duration is not None:
            expected = model_duration(expected_duration, what="expected_duration", where=where)
        if description is not None and not isinstance(description, str):
            raise ModelError("description must be text", where=where)
        bounds = _window(window, where)
        self.__attrs_init__(
            name,
            entry=None if entry_node is None else format_node(entry_node),
            goal=None if goal_node is None else format_node(goal_node),
            tasks=_tasks(tasks, where),
            playbook=_playbook(playbook, name, where),
            expected_duration=expected,
            description=description,
            window=None if bounds is None else (
                str(bounds[0]), None if bounds[1] is None else str(bounds[1])
            ),
        )
        object.__setattr__(self, "_nodes", (entry_node, goal_node))
        object.__setattr__(self, "_bounds", bounds)

    # -- access -------------------------------------------------------------------------------

    @property
    def entry_condition(self) -> ast.Node | None:
        """The parsed entry condition (``None``: always)."""
        return self._nodes[0]

    @property
    def goal_condition(self) -> ast.Node | None:
        """The parsed goal condition (``None``: no goal)."""
        return self._nodes[1]

    @property
    def bounds(self) -> tuple[Bound, Bound | None] | None:
        """The parsed tenure window."""
        return self._bounds

    @property
    def positive_actions(self) -> tuple[ast.Rule, ...]:
        """The playbook's opportunity rules (positive actions)."""
        rules = () if self.playbook is None else self.playbook.rules
        return tuple(r for r in rules if r.kind == "opportunity")

    @property
    def challenge_actions(self) -> tuple[ast.Rule, ...]:
        """The playbook's risk rules (challenge actions)."""
        rules = () if self.playbook is None else self.playbook.rules
        return tuple(r for r in rules if r.kind == "risk")

    def tasks_of(self, owner: str) -> tuple[Task, ...]:
        """The tasks ``owner`` (``joint``, ``customer`` or ``vendor``) does."""
        return tuple(t for t in self.tasks if t.owner == owner)

    # -- serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: ``{"type": "stage", "version": 1, "name", "description",
        "entry", "goal", "window", "expected_duration", "tasks", "playbook"}``; conditions
        and the playbook as canonical text, durations as text (``"2mo"``)."""
        return {
            "type": "stage",
            "version": _VERSION,
            "name": self.name,
            "description": self.description,
            "entry": self.entry,
            "goal": self.goal,
            "window": None if self.window is None else list(self.window),
            "expected_duration": (
                None if self.expected_duration is None
                else format_duration(self.expected_duration)
            ),
            "tasks": [task.to_dict() for task in self.tasks],
            "playbook": None if self.playbook is None else self.playbook.format(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Stage:
        """Rebuild a stage from :meth:`to_dict` output (a malformed dict is a ModelError).

        Examples
        --------
        >>> import successkit as sk
        >>> stage = sk.Stage("operation", window=("2mo", "renewal 1"), goal="login_rate > 50%")
        >>> sk.Stage.from_dict(stage.to_dict()) == stage
        True
        """
        data = read_dict(data, ("type", "version", "name", "description", "entry", "goal",
                                "window", "expected_duration", "tasks", "playbook"),
                         what="a stage")
        check_version(data, kind="stage")
        name = field(data, "name", where="stage")
        tasks = data.get("tasks") or ()
        if not isinstance(tasks, list | tuple):
            raise ModelError("tasks must be a list", where=f"stage {name!r}")
        read = []
        with at("tasks"):
            for i, t in enumerate(tasks):
                with at(i):
                    read.append(Task.from_dict(t))
        return cls(
            name,
            entry=data.get("entry"),
            goal=data.get("goal"),
            tasks=read,
            playbook=data.get("playbook"),
            expected_duration=data.get("expected_duration"),
            description=data.get("description"),
            window=data.get("window"),
        )

    @property
    def fingerprint(self) -> str:
        """A stable hash of :meth:`to_dict`."""
        return _hash(self.to_dict())

    def __reduce__(self) -> tuple[Any, ...]:
        # A playbook caches compiled rules (closures); rebuild from the plain description.
        return (Stage.from_dict, (self.to_dict(),))

    def __repr__(self) -> str:
        parts = [repr(self.name)]
        for label in ("window", "entry", "goal"):
            value = getattr(self, label)
            if value is not None:
                parts.append(f"{label}={value!r}")
        if self.tasks:
            parts.append(f"tasks={len(self.tasks)}")
        if self.playbook is not None:
            parts.append(f"playbook={len(self.playbook)} rules")
        return f"Stage({', '.join(parts)})"

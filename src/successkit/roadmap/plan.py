"""The success plan of one account: where it stands, what to reach, who does what."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import attrs
import numpy as np

from successkit._html import html_table
from successkit.data.dates import format_duration
from successkit.dsl.cta import CTA
from successkit.roadmap.task import OWNERS, Task

__all__ = ["SuccessPlan", "make_plan"]


def _date(value: Any) -> dt.date | None:
    if value is None or np.isnat(value):
        return None
    day = np.datetime64(value, "D").astype(object)
    assert isinstance(day, dt.date)
    return day


@attrs.frozen(kw_only=True)
class SuccessPlan:
    """One account's success plan (from :meth:`Roadmap.plan`).

    Seed 001's success roadmap, read for one customer: the stage it is in and the state to
    reach (``goal``, and whether it is met), the next stage and what takes the account
    there, the stage's joint / customer / vendor tasks with due dates, and the positive
    (opportunity) and challenge (risk) actions that fire for it now.

    .. versionadded:: 0.1

    Attributes
    ----------
    account_id, as_of:
        The account and the date of the data.
    stage, position, stages:
        The stage's name (``None``: no stage), its 0-based position and every stage name.
    description, goal, goal_met, progress:
        The stage's description and goal, whether the goal holds now (``None``: unknown or
        no goal) and the share of goals met so far (``None``: no goals).
    entered, days_in_stage, expected_duration, stalled:
        Since when the account is in the stage (``None`` when unknown), the expected days
        and whether it has stayed longer.
    next_stage, next_entry:
        The next stage and how accounts get there (its entry condition, or its window
        start for a tenure roadmap).
    tasks, task_due:
        The stage's tasks and their due dates (entry date plus the task's ``due``).
    actions:
        The CTAs the stage's playbook raises for the account now;
        :attr:`positive` / :attr:`challenge` split them by kind.

    Examples
    --------
    >>> import successkit as sk
    >>> roadmap = sk.Roadmap([
    ...     sk.Stage("trial", goal="logins >= 5", tasks=[sk.Task("demo call", "vendor")]),
    ...     sk.Stage("paying", entry="paid"),
    ... ])
    >>> pf = sk.Portfolio.from_columns({"id": ["a"], "paid": [False], "logins": [2]},
    ...                                as_of="2026-10-01")
    >>> print(roadmap.plan("a", roadmap.assign(pf)))
    Success plan for a on 2026-10-01
      stage:  trial (1 of 2)
      goal:   logins >= 5 — not met
      next:   paying when paid
      tasks:
        vendor    demo call
    """

    account_id: str
    as_of: dt.date | None
    stage: str | None
    position: int | None
    stages: tuple[str, ...]
    description: str | None
    goal: str | None
    goal_met: bool | None
    progress: float | None
    entered: dt.date | None
    days_in_stage: int | None
    expected_duration: int | None
    stalled: bool
    next_stage: str | None
    next_entry: str | None
    tasks: tuple[Task, ...]
    task_due: tuple[dt.date | None, ...]
    actions: tuple[CTA, ...]

    @property
    def positive(self) -> tuple[CTA, ...]:
        """The positive actions (opportunities) firing now."""
        return tuple(c for c in self.actions if c.kind == "opportunity")

    @property
    def challenge(self) -> tuple[CTA, ...]:
        """The challenge actions (risks) firing now."""
        return tuple(c for c in self.actions if c.kind == "risk")

    def tasks_of(self, owner: str) -> tuple[Task, ...]:
        """The tasks ``owner`` (``joint``, ``customer`` or ``vendor``) does in this stage."""
        return tuple(t for t in self.tasks if t.owner == owner)

    def tasks_by_owner(self) -> dict[str, tuple[Task, ...]]:
        """Tasks grouped by owner, joint first (owners without tasks left out)."""
        grouped = {owner: self.tasks_of(owner) for owner in OWNERS}
        return {owner: tasks for owner, tasks in grouped.items() if tasks}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (dates as ISO text, tasks and CTAs as dicts)."""

        def iso(day: dt.date | None) -> str | None:
            return None if day is None else day.isoformat()

        return {
            "account_id": self.account_id,
            "as_of": iso(self.as_of),
            "stage": self.stage,
            "position": self.position,
            "stages": list(self.stages),
            "description": self.description,
            "goal": self.goal,
            "goal_met": self.goal_met,
            "progress": self.progress,
            "entered": iso(self.entered),
            "days_in_stage": self.days_in_stage,
            "expected_duration": self.expected_duration,
            "stalled": self.stalled,
            "next_stage": self.next_stage,
            "next_entry": self.next_entry,
            "tasks": [
                {**t.to_dict(), "due_date": iso(d)}
                for t, d in zip(self.tasks, self.task_due, strict=True)
            ],
            "actions": [c.to_dict() for c in self.actions],
        }

    def _lines(self) -> list[str]:
        when = "" if self.as_of is None else f" on {self.as_of.isoformat()}"
        lines = [f"Success plan for {self.account_id}{when}"]
        if self.stage is None or self.position is None:
            lines.append("  stage:  none (no stage's entry holds, or no contract start)")
            return lines
        where = f"{self.stage} ({self.position + 1} of {len(self.stages)})"
        if self.days_in_stage is not None:
            where += f", {self.days_in_stage} days in stage"
            if self.expected_duration is not None:
                where += f" (expected {format_duration(self.expected_duration)})"
            if self.stalled:
                where += " — stalled"
        lines.append(f"  stage:  {where}")
        if self.description:
            lines.append(f"  state:  {self.description}")
        if self.goal is not None:
            status = {True: "met", False: "not met", None: "unknown"}[self.goal_met]
            lines.append(f"  goal:   {self.goal} — {status}")
        if self.next_stage is not None:
            how = "" if self.next_entry is None else f" when {self.next_entry}"
            lines.append(f"  next:   {self.next_stage}{how}")
        if self.tasks:
            lines.append("  tasks:")
            for owner in OWNERS:
                for task, due in zip(self.tasks, self.task_due, strict=True):
                    if task.owner == owner:
                        suffix = "" if due is None else f" (due {due.isoformat()})"
                        lines.append(f"    {owner:<9} {task.name}{suffix}")
        for title, ctas in (("positive actions", self.positive),
                            ("challenge actions", self.challenge)):
            if ctas:
                lines.append(f"  {title}:")
                lines.extend(f"    {c.action} — {c.reason}" for c in ctas)
        return lines

    def __str__(self) -> str:
        return "\n".join(self._lines())

    def _repr_html_(self) -> str:
        rows = [line.strip() for line in self._lines()[1:]]
        return html_table({"plan": rows}, caption=self._lines()[0])


def make_plan(roadmap: Any, result: Any, row: int, actions: tuple[CTA, ...]) -> SuccessPlan:
    """Read one account's row of ``result`` (a StageResult of ``roadmap``) into a plan.

    Both are duck-typed: result.py and roadmap.py import this module, not the reverse.
    """
    code = int(result.codes[row])
    stage = roadmap.stages[code] if code >= 0 else None
    entered = _date(result.entered[row])
    days = float(result.days_in_stage[row])
    progress = float(result.progress[row])
    following = roadmap.stages[code + 1] if 0 <= code < len(roadmap.stages) - 1 else None
    next_entry = None
    if following is not None:
        if roadmap.assignment == "tenure" and following.window is not None:
            next_entry = f"contract age reaches {following.window[0]}"
            if following.window[0].startswith("renewal"):
                next_entry = f"{following.window[0]} happens"
        else:
            next_entry = following.entry
    tasks = () if stage is None else stage.tasks
    due = tuple(
        None if entered is None or task.due is None
        else entered + dt.timedelta(days=task.due)
        for task in tasks
    )
    return SuccessPlan(
        account_id=str(result.ids[row]),
        as_of=result.as_of,
        stage=None if stage is None else stage.name,
        position=None if stage is None else code,
        stages=result.stages,
        description=None if stage is None else stage.description,
        goal=None if stage is None else stage.goal,
        goal_met=None if result.goal_unknown[row] else bool(result.goal_true[row]),
        progress=None if math.isnan(progress) else progress,
        entered=entered,
        days_in_stage=None if math.isnan(days) else int(days),
        expected_duration=None if stage is None else stage.expected_duration,
        stalled=bool(result.stalled[row]),
        next_stage=None if following is None else following.name,
        next_entry=next_entry,
        tasks=tasks,
        task_due=due,
        actions=actions,
    )

"""Stage conditions compiled with the playbook language's own checker and compiler.

An entry or goal condition is checked exactly as a rule's ``when`` part is — wrapped in a
one-rule program, so it must be a condition (true/false), and its names may be portfolio
columns, ``health.*`` or ``touch.*`` — and compiled to the same numpy closures, so it has
the same three-valued semantics: it *holds* only where it is true.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from successkit._arrays import BoolArray
from successkit.data.kinds import Kind
from successkit.dsl import ast, check, compile_node
from successkit.dsl._frame import Frame
from successkit.dsl.compile import Compiled, as_truth
from successkit.errors import RuleError
from successkit.roadmap.stage import Stage, relabel

__all__ = ["StageConditions"]

_ACTION = (ast.Action("_"),)


def _truth(value: Any, n: int) -> tuple[BoolArray, BoolArray]:
    """Where a compiled condition is true and where it is false (neither: unknown)."""
    truth = as_truth(value, n)
    return np.broadcast_to(truth.true, (n,)), np.broadcast_to(truth.false, (n,))


class StageConditions:
    """Every stage's entry and goal, checked and compiled against one schema.

    Check errors of all stages are raised together, each message naming its stage and
    part (``stage 'operation' goal: unknown name 'login_rat'; …``).
    """

    def __init__(self, stages: Sequence[Stage], schema: Mapping[str, Kind]) -> None:
        self.entries: list[Compiled | None] = []
        self.goals: list[Compiled | None] = []
        problems: list[RuleError] = []
        for stage in stages:
            for part, node, out in (
                ("entry", stage.entry_condition, self.entries),
                ("goal", stage.goal_condition, self.goals),
            ):
                if node is None:
                    out.append(None)
                    continue
                rule = ast.Rule(name=part, condition=node, actions=_ACTION)
                try:
                    types = check(rule, schema)
                except RuleError as exc:
                    problems.extend(relabel(exc, f"stage {stage.name!r} {part}").errors)
                    out.append(None)
                    continue
                out.append(compile_node(node, types))
        if problems:
            raise RuleError.collect(problems)

    @property
    def has_goals(self) -> bool:
        return any(goal is not None for goal in self.goals)

    def codes(self, frame: Frame) -> npt.NDArray[np.int32]:
        """Criteria assignment: the furthest stage whose entry is true (``-1``: none).

        A stage without an entry condition (the first one) always holds.
        """
        codes = np.full(frame.n, -1, dtype=np.int32)
        for i, entry in enumerate(self.entries):
            if entry is None:
                codes[:] = i
            else:
                true, _ = _truth(entry(frame), frame.n)
                codes[true] = i
        return codes

    def goals_at(self, frame: Frame) -> tuple[BoolArray, BoolArray]:
        """Stages × accounts masks: where each stage's goal is true, and where it is false.

        A stage without a goal is neither (unknown) for every account.
        """
        shape = (len(self.goals), frame.n)
        true = np.zeros(shape, dtype=np.bool_)
        false = np.zeros(shape, dtype=np.bool_)
        for i, goal in enumerate(self.goals):
            if goal is not None:
                true[i], false[i] = _truth(goal(frame), frame.n)
        return true, false

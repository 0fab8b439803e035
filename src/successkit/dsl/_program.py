"""A playbook compiled for one schema: rule masks, CTA blocks and reasons on demand.

Shared by :mod:`successkit.dsl.playbook` (one evaluation) and :mod:`successkit.dsl.replay`
(an evaluation per snapshot), so that neither imports the other's internals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from successkit._arrays import BoolArray
from successkit.data.kinds import Kind
from successkit.dsl import ast
from successkit.dsl._frame import NAMESPACES, Frame
from successkit.dsl._reason import reasons
from successkit.dsl.check import check
from successkit.dsl.compile import Compiled, Truth, compile_many
from successkit.dsl.cta import Block

_CONDITIONS = (ast.Compare, ast.Between, ast.In, ast.IsMissing, ast.Becomes, ast.Not, ast.And)


class Compilable(Protocol):
    """What a replay needs of a playbook: its rules and a program per schema."""

    @property
    def rules(self) -> tuple[ast.Rule, ...]: ...

    def _program(self, schema: Mapping[str, Kind]) -> _Program: ...


def namespaces(
    *, health: Any = None, touch: Any = None, stages: Any = None
) -> dict[str, Any]:
    """The namespace providers passed to ``evaluate()``, keyed by rule-name prefix."""
    given = {"health": health, "touch": touch, "stages": stages}
    return {NAMESPACES[key]: value for key, value in given.items() if value is not None}


class _Program:
    """A playbook compiled against one schema: one function per rule condition."""

    def __init__(self, rules: tuple[ast.Rule, ...], schema: Mapping[str, Kind]) -> None:
        types = check(rules, schema)
        self.rules = rules
        self.conditions: list[Compiled] = compile_many([r.condition for r in rules], types)
        # conditions whose truth a reason needs later: the operands of `or`
        self.explained = {
            operand
            for rule in rules
            for node in ast.walk(rule.condition)
            if isinstance(node, ast.Or)
            for operand in node.operands
        }

    def masks(self, frame: Frame) -> list[BoolArray]:
        """Where each rule's condition is true (unknown and false do not fire)."""
        out = []
        for condition in self.conditions:
            value = condition(frame)
            if isinstance(value, Truth):
                out.append(value.true)
            else:  # a constant condition such as `when true`
                out.append(np.full(frame.n, bool(value), dtype=np.bool_))
        # keep what reasons read (values, the truth of `or` operands); drop other masks
        cache = frame.cache
        for node in [k for k in cache if isinstance(k, _CONDITIONS)]:
            if node not in self.explained:
                del cache[node]
        return out


class _Explainer:
    """Writes reasons on demand from the frames the CTAs were raised in: for the rows of
    one rule in one frame at a time (``successkit.dsl._reason.reasons``)."""

    def __init__(self, rules: tuple[ast.Rule, ...], frames: Sequence[Frame]) -> None:
        self.rules = rules
        self.frames = frames

    def __call__(
        self, batch: int, rule: int, rows: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.object_]:
        return reasons(self.frames[batch], self.rules[rule].condition, rows)


def _blocks(
    masks: Sequence[BoolArray], *, batch: int, created: np.datetime64,
    accounts: npt.NDArray[np.intp] | None = None,
) -> list[Block]:
    """One block of CTAs per rule that fired (every action of the rule, for each row)."""
    blocks = []
    for j, mask in enumerate(masks):
        rows = np.flatnonzero(mask)
        if rows.size:
            blocks.append(
                Block(
                    accounts=rows if accounts is None else accounts[rows],
                    rows=rows,
                    rule=j,
                    action=None,
                    batch=batch,
                    created=created,
                )
            )
    return blocks

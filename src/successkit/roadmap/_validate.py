"""Checks a roadmap's stages when it is built or read: names, entries, tenure windows.

Reading a roadmap's dict form is in :mod:`successkit.roadmap._roadmap_data`."""

from __future__ import annotations

import itertools
import re
from typing import Any

from successkit.errors import ModelError
from successkit.roadmap.stage import Stage, _before

__all__ = ["ASSIGNMENTS", "column_name", "rule_prefix", "validate"]

#: How a roadmap places accounts in stages.
ASSIGNMENTS = ("criteria", "tenure")


def rule_prefix(name: str) -> str:
    """The prefix a stage's rules get in :meth:`Roadmap.playbook`: the stage name with
    every run of characters that cannot appear in a rule name replaced by ``_``.

    Examples
    --------
    >>> rule_prefix("onboarding"), rule_prefix("Level 2"), rule_prefix("1st year")
    ('onboarding', 'Level_2', 'stage_1st_year')
    """
    slug = re.sub(r"\W+", "_", name).strip("_") or "stage"
    return f"stage_{slug}" if slug[0].isdigit() else slug


def column_name(value: Any, what: str, *, optional: bool) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        raise ModelError(f"{what} must be a column name, got {value!r}", where="roadmap")
    return value


def validate(stages: tuple[Stage, ...], assignment: str) -> None:
    if not stages:
        raise ModelError("a roadmap needs at least one stage")
    seen: dict[str, str] = {}
    for stage in stages:
        if not isinstance(stage, Stage):
            raise ModelError(f"a roadmap holds Stage objects, not {type(stage).__name__}")
        prefix = rule_prefix(stage.name)
        if prefix in seen:
            other = seen[prefix]
            if other == stage.name:
                raise ModelError(f"two stages are named {stage.name!r}", where="roadmap")
            raise ModelError(
                f"stages {other!r} and {stage.name!r} give their rules the same prefix "
                f"{prefix!r}; rename one",
                where="roadmap",
            )
        seen[prefix] = stage.name
    if assignment not in ASSIGNMENTS:
        raise ModelError(
            f"assign must be one of {', '.join(map(repr, ASSIGNMENTS))}, got {assignment!r}"
        )
    if assignment == "criteria":
        _validate_criteria(stages)
    else:
        _validate_tenure(stages)


def _validate_criteria(stages: tuple[Stage, ...]) -> None:
    for previous, stage in itertools.pairwise(stages):
        if stage.entry is None:
            raise ModelError(
                f"has no entry condition, so every account reaches it and stage "
                f"{previous.name!r} before it is never assigned; only the first stage may "
                "omit entry",
                where=f"stage {stage.name!r}",
            )
    for stage in stages:
        if stage.window is not None:
            raise ModelError(
                "has a window; windows place accounts in tenure roadmaps "
                "(assign='tenure'), criteria roadmaps use entry conditions",
                where=f"stage {stage.name!r}",
            )


def _validate_tenure(stages: tuple[Stage, ...]) -> None:
    for stage in stages:
        where = f"stage {stage.name!r}"
        if stage.entry is not None:
            raise ModelError(
                "has an entry condition; a tenure roadmap places accounts by their window "
                "(entry conditions are for assign='criteria')",
                where=where,
            )
        if stage.bounds is None:
            raise ModelError("needs a window (start, end) in a tenure roadmap", where=where)
    first = stages[0].bounds
    assert first is not None
    if first[0].days != 0:
        raise ModelError(
            f"the first window must start at the contract start (0d), not at {first[0]}",
            where=f"stage {stages[0].name!r}",
        )
    for previous, stage in itertools.pairwise(stages):
        before, this = previous.bounds, stage.bounds
        assert before is not None
        assert this is not None
        end, start = before[1], this[0]
        if end is None:
            raise ModelError(
                f"is open-ended, so stage {stage.name!r} after it is never reached",
                where=f"stage {previous.name!r}",
            )
        if end == start:
            continue
        if _before(start, end):
            problem = f"overlaps stage {previous.name!r}: it starts at {start}, before {end}"
        elif _before(end, start):
            problem = (
                f"leaves a gap after stage {previous.name!r}: it ends at {end}, this starts "
                f"at {start}"
            )
        else:
            problem = (
                f"starts at {start} but stage {previous.name!r} ends at {end}; a window must "
                "start exactly where the previous one ends"
            )
        raise ModelError(problem, where=f"stage {stage.name!r}")
    last = stages[-1].bounds
    assert last is not None
    if last[1] is not None:
        raise ModelError(
            f"the last window must be open-ended (end None), or accounts past {last[1]} "
            "have no stage",
            where=f"stage {stages[-1].name!r}",
        )

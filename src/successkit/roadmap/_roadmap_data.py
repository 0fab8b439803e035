"""A roadmap as plain data: its JSON dict both ways, its fingerprint, its overview table.

:class:`~successkit.Roadmap` keeps the stages and places accounts on them; this module
writes and reads the dict form :meth:`Roadmap.to_dict <successkit.Roadmap.to_dict>` and
:meth:`Roadmap.from_dict <successkit.Roadmap.from_dict>` exchange (and pickles travel
in), hashes it, and lays the stages out as the table a notebook shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from successkit._fingerprint import fingerprint
from successkit._keys import at, read_dict
from successkit.errors import ModelError
from successkit.roadmap.stage import Stage
from successkit.scoring._serial import check_version, field

__all__ = ["VERSION", "overview", "read_roadmap", "roadmap_dict", "roadmap_fingerprint"]

#: The version of the dict form.
VERSION = 1


def roadmap_dict(roadmap: Any) -> dict[str, Any]:
    """``roadmap`` in plain JSON types (what ``Roadmap.to_dict()`` gives)."""
    return {
        "type": "roadmap",
        "version": VERSION,
        "name": roadmap.name,
        "assign": roadmap.assignment,
        "columns": {
            "contract_start": roadmap.contract_start,
            "renewals": roadmap.renewals,
            "renewal_date": roadmap.renewal_date,
        },
        "stages": [stage.to_dict() for stage in roadmap.stages],
    }


def roadmap_fingerprint(roadmap: Any) -> str:
    """A stable hash of the dict form without the ``name`` label (a label changes no
    placement)."""
    config = roadmap_dict(roadmap)
    del config["name"]
    return fingerprint(config)


def read_roadmap(data: Any) -> tuple[list[Stage], dict[str, Any]]:
    """The stages and the keyword arguments of a roadmap from its :meth:`Roadmap.to_dict
    <successkit.Roadmap.to_dict>` form (a malformed dict is a ModelError naming where)."""
    data = read_dict(
        data, ("type", "version", "name", "assign", "columns", "stages"), what="a roadmap"
    )
    check_version(data, kind="roadmap")
    stages = field(data, "stages", where="roadmap", of=(list, tuple))
    columns = data.get("columns") or {}
    if not isinstance(columns, Mapping):
        raise ModelError("columns must be a dict", where="roadmap")
    with at("columns"):
        read_dict(
            columns, ("contract_start", "renewals", "renewal_date"), what="a roadmap's columns"
        )
    read = []
    with at("stages"):
        for i, s in enumerate(stages):
            with at(i):
                read.append(Stage.from_dict(s))
    return read, {
        "assign": data.get("assign", "criteria"),
        "name": data.get("name"),
        "contract_start": columns.get("contract_start", "contract_start"),
        "renewals": columns.get("renewals", "renewals"),
        "renewal_date": columns.get("renewal_date", "renewal_date"),
    }


def overview(roadmap: Any) -> dict[str, list[Any]]:
    """One row per stage: its entry (or tenure window), goal, expected duration and how
    many tasks and actions it has."""
    tenure = roadmap.assignment == "tenure"
    return {
        "stage": list(roadmap.names),
        "window" if tenure else "entry": [
            (f"{s.window[0]} – {s.window[1] or '…'}" if s.window else None) if tenure else s.entry
            for s in roadmap.stages
        ],
        "goal": [s.goal for s in roadmap.stages],
        "expected": [s.expected_duration for s in roadmap.stages],
        "tasks": [len(s.tasks) for s in roadmap.stages],
        "positive": [len(s.positive_actions) for s in roadmap.stages],
        "challenge": [len(s.challenge_actions) for s in roadmap.stages],
    }

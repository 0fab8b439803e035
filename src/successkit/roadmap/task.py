"""Tasks of a roadmap stage: who does what (HiCustomer's joint / customer / vendor tasks)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from successkit._fingerprint import fingerprint as _hash
from successkit._keys import read_dict
from successkit.data.dates import format_duration, model_duration
from successkit.errors import ModelError
from successkit.scoring._serial import check_version, field

__all__ = ["OWNERS", "Task"]

#: Who can own a task, in the order a success plan lists them (seed 001: 共同タスク,
#: カスタマータスク, 自社タスク).
OWNERS = ("joint", "customer", "vendor")

_VERSION = 1


def _to_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ModelError(f"a task needs a non-empty name, got {value!r}")
    return value


def _to_due(value: Any, where: str) -> int | None:
    if value is None:
        return None
    return model_duration(value, what="due", where=where)


@attrs.frozen(init=False)
class Task:
    """One task of a roadmap stage, owned jointly, by the customer or by the vendor.

    Seed 001 (HiCustomer) lists a success roadmap's work per stage in three columns: joint
    tasks (共同タスク), customer tasks (カスタマータスク) and the vendor's own tasks (自社タスク).

    .. versionadded:: 0.1

    Parameters
    ----------
    name:
        What to do, e.g. ``"kick-off meeting"``.
    owner:
        ``"joint"``, ``"customer"`` or ``"vendor"``.
    due:
        When the task is due, counted from the day the account entered the stage: days
        (``int``), a ``timedelta`` or text such as ``"2w"`` (``None``: no due date). It is
        stored in whole days.

    Raises
    ------
    ModelError
        An empty name, an unknown owner or a due duration that is not a duration.

    Examples
    --------
    >>> import successkit as sk
    >>> task = sk.Task("kick-off meeting", "joint", due="2w")
    >>> task.owner, task.due
    ('joint', 14)
    >>> sk.Task.from_dict(task.to_dict()) == task
    True
    >>> try:
    ...     sk.Task("train the admins", "partner")
    ... except sk.ModelError as error:
    ...     print(error)
    task 'train the admins': owner must be one of joint, customer, vendor; got 'partner'
    """

    name: str
    owner: str
    due: int | None = attrs.field(default=None, kw_only=True)

    def __init__(self, name: str, owner: str, *, due: Any = None) -> None:
        name = _to_name(name)
        where = f"task {name!r}"
        if owner not in OWNERS:
            raise ModelError(
                f"owner must be one of {', '.join(OWNERS)}; got {owner!r}", where=where
            )
        self.__attrs_init__(name, owner, due=_to_due(due, where))

    # -- serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: ``{"type": "task", "version": 1, "name", "owner", "due"}``
        (``due`` as duration text such as ``"2w"``, or ``None``)."""
        return {
            "type": "task",
            "version": _VERSION,
            "name": self.name,
            "owner": self.owner,
            "due": None if self.due is None else format_duration(self.due),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Task:
        """Rebuild a task from :meth:`to_dict` output (a malformed dict is a ModelError)."""
        data = read_dict(data, ("type", "version", "name", "owner", "due"), what="a task")
        check_version(data, kind="task")
        where = "task"
        return cls(
            field(data, "name", where=where),
            field(data, "owner", where=where),
            due=data.get("due"),
        )

    @property
    def fingerprint(self) -> str:
        """A stable hash of :meth:`to_dict`."""
        return _hash(self.to_dict())

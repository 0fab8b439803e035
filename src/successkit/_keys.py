"""Reading dictionaries from untrusted input: known keys only, bounded nesting, errors with paths.

Every ``from_dict`` of a model, a playbook or a roadmap reads its dictionary through
:func:`read_dict`, so a dictionary decoded from JSON an app received from a user is
checked before anything is built from it:

* a key the object does not have is a :class:`~successkit.ModelError` naming the key's
  path (``metrics[1].scheme.lowr``), not silently ignored;
* a value nested deeper than :data:`MAX_NESTING` levels is refused by an iterative walk,
  so nothing later (``repr`` in a message, numpy, recursion over the structure) meets it;
* values in messages are shown with :func:`shown`, which is bounded in length and depth.

The path is kept per thread and per task in a :class:`~contextvars.ContextVar`; a
``from_dict`` that reads a nested object wraps the call in :func:`at`.
"""

from __future__ import annotations

import reprlib
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from successkit.errors import ModelError

__all__ = ["MAX_NESTING", "at", "path", "read_dict", "shown"]

#: The deepest nesting of dicts and lists a model dictionary may have (real ones: under 12).
MAX_NESTING = 32

_PATH: ContextVar[tuple[str, ...]] = ContextVar("successkit_dict_path", default=())

_SHOW = reprlib.Repr()
_SHOW.maxlevel = 3
_SHOW.maxstring = 60
_SHOW.maxother = 60


def shown(value: Any) -> str:
    """A short ``repr`` of ``value``, bounded however long or deep it is.

    Examples
    --------
    >>> shown("x" * 1000)[:20], len(shown("x" * 1000)) <= 64
    ("'xxxxxxxxxxxxxxxxxxx", True)
    >>> deep = []
    >>> for _ in range(10_000):
    ...     deep = [deep]
    >>> shown(deep)
    '[[[[...]]]]'
    """
    return _SHOW.repr(value)


def _joined(parts: tuple[str, ...]) -> str:
    return "".join(p if p.startswith("[") or i == 0 else f".{p}" for i, p in enumerate(parts))


def path(*more: str) -> str:
    """The path being read, with ``more`` appended (``""`` at the top)."""
    return _joined((*_PATH.get(), *more))


@contextmanager
def at(part: str | int) -> Iterator[None]:
    """Read a nested object under ``part`` (a key, or an index of a list).

    Examples
    --------
    >>> with at("metrics"), at(1):
    ...     path("scheme")
    'metrics[1].scheme'
    """
    token = _PATH.set((*_PATH.get(), f"[{part}]" if isinstance(part, int) else part))
    try:
        yield
    finally:
        _PATH.reset(token)


def _check_nesting(data: Any) -> None:
    """Refuse values nested deeper than :data:`MAX_NESTING`, without recursion."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while stack:
        value, parts = stack.pop()
        if len(parts) > MAX_NESTING:
            raise ModelError(
                f"nested too deeply (more than {MAX_NESTING} levels of dicts and lists)",
                where=path(*parts[:MAX_NESTING]) + "...",
            )
        if isinstance(value, Mapping):
            stack.extend((v, (*parts, shown(k) if not isinstance(k, str) else k))
                         for k, v in value.items())
        elif isinstance(value, (list, tuple)):
            stack.extend((v, (*parts, f"[{i}]")) for i, v in enumerate(value))


def read_dict(data: Any, keys: Collection[str], *, what: str) -> Mapping[str, Any]:
    """``data`` checked to be a mapping with only ``keys``, nested at most
    :data:`MAX_NESTING` deep; a :class:`~successkit.ModelError` with the path otherwise.

    Parameters
    ----------
    data:
        The dictionary to read (from JSON, say).
    keys:
        The keys the object has (those its ``to_dict()`` writes).
    what:
        What the dictionary describes, for the message (``"a linear scheme"``).

    Examples
    --------
    >>> with at("scheme"):
    ...     read_dict({"type": "linear", "lowr": 0}, ["type", "low"], what="a scheme")
    Traceback (most recent call last):
    ...
    successkit.errors.ModelError: scheme.lowr: unknown key 'lowr' (a scheme has the keys low, type)
    """
    if not isinstance(data, Mapping):
        raise ModelError(
            f"expected a dict describing {what}, got {type(data).__name__}", where=path() or None
        )
    _check_nesting(data)
    for key in data:
        if key not in keys:
            name = key if isinstance(key, str) and len(key) <= _SHOW.maxstring else shown(key)
            raise ModelError(
                f"unknown key {shown(key)} ({what} has the keys {', '.join(sorted(keys))})",
                where=path(name),
            )
    return data

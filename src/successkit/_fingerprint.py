"""Stable content hashes of configurations (models, playbooks, roadmaps)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["fingerprint"]


def fingerprint(config: Mapping[str, Any]) -> str:
    """A stable 16-hex-digit hash of a JSON-able configuration.

    Keys are sorted and separators fixed, so the hash depends only on content: the same
    ``to_dict()`` gives the same fingerprint on every machine and Python version, and equal
    configurations give one fingerprint (``-0.0`` counts as ``0.0``, which it equals).

    Examples
    --------
    >>> fingerprint({"b": 1, "a": [1.5, "x"]}) == fingerprint({"a": [1.5, "x"], "b": 1})
    True
    >>> fingerprint({"cut": -0.0}) == fingerprint({"cut": 0.0})
    True
    >>> len(fingerprint({}))
    16
    """
    text = json.dumps(_signless_zeros(config), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _signless_zeros(value: Any) -> Any:
    """``value`` with every ``-0.0`` inside it read as ``0.0`` (JSON writes the sign)."""
    if isinstance(value, float):
        return value + 0.0
    if isinstance(value, Mapping):
        return {key: _signless_zeros(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_signless_zeros(item) for item in value]
    return value

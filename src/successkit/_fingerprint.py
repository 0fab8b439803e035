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
    ``to_dict()`` gives the same fingerprint on every machine and Python version.

    Examples
    --------
    >>> fingerprint({"b": 1, "a": [1.5, "x"]}) == fingerprint({"a": [1.5, "x"], "b": 1})
    True
    >>> len(fingerprint({}))
    16
    """
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

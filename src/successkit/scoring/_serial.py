"""Reading model dictionaries back: every malformed input is a ModelError, never a KeyError."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from successkit.errors import ModelError

__all__ = [
    "VERSION",
    "as_mapping",
    "check_version",
    "field",
    "model_class",
    "number",
    "optional_number",
    "register_model",
    "text",
]

# Model classes by their to_dict() "type", so a model that holds others (SegmentedModel)
# can check and rebuild them without importing the module that defines them (which
# imports it).
_MODELS: dict[str, type] = {}


def register_model(kind: str, cls: type) -> None:
    """Record ``cls`` as the model class whose ``to_dict()`` has ``"type": kind``."""
    _MODELS[kind] = cls


def model_class(kind: str) -> type:
    """The model class registered for ``kind`` (see :func:`register_model`)."""
    try:
        return _MODELS[kind]
    except KeyError:
        raise ModelError(f"no model of type {kind!r} is known") from None


#: The version written into every scoring model's ``to_dict()``.
VERSION = 1


def check_version(data: Any, *, kind: str) -> Mapping[str, Any]:
    """``data`` as a mapping of the given ``type`` and the current version."""
    if not isinstance(data, Mapping):
        raise ModelError(f"expected a dict describing a {kind}, got {type(data).__name__}")
    version = data.get("version")
    if version != VERSION:
        raise ModelError(f"unsupported {kind} version {version!r} (expected {VERSION})")
    found = data.get("type")
    if found != kind:
        raise ModelError(f"expected a dict of type {kind!r}, got type {found!r}")
    return data


def as_mapping(value: Any) -> Mapping[Any, Any] | None:
    """``value`` as a mapping: a mapping itself, or the ``((key, value), ...)`` pairs a
    frozen model stores (so ``attrs.evolve`` can pass them back); ``None`` otherwise."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in value):
        return dict(value)
    return None


# What a field's type is called in "<key> must be a ..." (the first of ``of`` names it).
_NOUNS: dict[type, str] = {list: "list", tuple: "list", Mapping: "mapping"}


def field(
    data: Mapping[str, Any], key: str, *, where: str, of: type | tuple[type, ...] | None = None
) -> Any:
    """``data[key]``, or a ModelError naming the missing key — or, with ``of`` (``list``,
    ``Mapping`` or a tuple of them), saying what the value must be.

    Examples
    --------
    >>> field({"metrics": [1]}, "metrics", where="health model", of=list)
    [1]
    >>> field({"models": []}, "models", where="segmented model", of=Mapping)
    Traceback (most recent call last):
    ...
    successkit.errors.ModelError: segmented model: models must be a mapping
    """
    if not isinstance(data, Mapping):
        raise ModelError(f"expected a dict, got {type(data).__name__}", where=where)
    try:
        value = data[key]
    except KeyError:
        raise ModelError(f"missing key {key!r}", where=where) from None
    if of is not None and not isinstance(value, of):
        first = of[0] if isinstance(of, tuple) else of
        raise ModelError(f"{key} must be a {_NOUNS[first]}", where=where)
    return value


def number(value: Any, *, what: str, where: str | None = None) -> float:
    """A finite float from a JSON number (``bool`` is not a number); ``-0.0`` reads as
    ``0.0``.

    Examples
    --------
    >>> number(-0.0, what="a cut")
    0.0
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise ModelError(f"{what} must be a number, got {value!r}", where=where)
    # -0.0 equals 0.0 but writes "-0.0" to JSON: two equal models (a cut learnt from
    # whichever of the two a data set's rows put first) would differ in fingerprint.
    result = float(value) + 0.0
    if not math.isfinite(result):
        raise ModelError(f"{what} must be finite, got {value!r}", where=where)
    return result


def optional_number(value: Any, *, what: str, where: str | None = None) -> float | None:
    """``None`` or a finite float."""
    return None if value is None else number(value, what=what, where=where)


def text(value: Any, *, what: str, where: str | None = None) -> str:
    """Non-empty text."""
    if not isinstance(value, str) or not value:
        raise ModelError(f"{what} must be non-empty text, got {value!r}", where=where)
    return value

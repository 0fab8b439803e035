"""A health model's definition: checked when built, written to a dict and read back, reweighted.

The converters and checks every ``HealthModel`` runs when built, the plain dict
:meth:`HealthModel.to_dict <successkit.HealthModel.to_dict>` writes and its reading back
into the arguments that build a model, and the arguments of a model with new weights.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from successkit._keys import at, read_dict
from successkit.errors import ModelError
from successkit.scoring._serial import VERSION, as_mapping, check_version, field, number, text
from successkit.scoring.bands import Bands
from successkit.scoring.metric import Metric

__all__ = [
    "MODEL_KEYS",
    "RESERVED_NAMES",
    "check_model",
    "model_dict",
    "read_model_dict",
    "reweighted",
    "to_groups",
    "to_metrics",
]

#: Names rules read from a health result besides groups and metrics (``health.score``, …).
RESERVED_NAMES = ("score", "band", "coverage")
_MISSING_MODES = ("renormalize", "zero", "fail")
#: The keys ``HealthModel.to_dict()`` writes (``from_dict`` refuses others).
MODEL_KEYS = ("type", "version", "metrics", "groups", "bands", "missing", "min_coverage")


def to_metrics(value: Any) -> tuple[Metric, ...]:
    """The ``metrics`` converter: a sequence of metrics as a tuple."""
    if isinstance(value, Metric) or not isinstance(value, Iterable):
        raise ModelError("metrics must be a sequence of Metric objects")
    return tuple(value)


def to_groups(value: Any) -> tuple[tuple[str, float], ...] | None:
    """The ``groups`` converter: group name → weight as checked pairs."""
    if value is None:
        return None
    mapping = as_mapping(value)
    if mapping is None:
        raise ModelError(f"groups must be a mapping of group name → weight, got {value!r}")
    out = []
    for name, weight in mapping.items():
        where = f"group {name!r}"
        text(name, what="a group name", where=where)
        w = number(weight, what="weight", where=where)
        if w < 0:
            raise ModelError(f"weight must not be negative, got {w:g}", where=where)
        out.append((name, w))
    return tuple(out)


def check_model(model: Any) -> None:
    """Raise ModelError unless ``model`` (a HealthModel being built) is well defined; store
    its ``min_coverage`` as a float."""
    if not model.metrics:
        raise ModelError("a health model needs at least one metric")
    for metric in model.metrics:
        if not isinstance(metric, Metric):
            raise ModelError(f"metrics must be Metric objects, got {type(metric).__name__}")
    seen: set[str] = set()
    for metric in model.metrics:
        if metric.name in seen:
            raise ModelError("duplicate metric name", where=f"metric {metric.name!r}")
        seen.add(metric.name)
    if not isinstance(model.bands, Bands):
        raise ModelError(f"bands must be a Bands, got {type(model.bands).__name__}")
    if not isinstance(model.missing, str) or model.missing not in _MISSING_MODES:
        raise ModelError(
            f"missing must be one of {', '.join(_MISSING_MODES)}, got {model.missing!r}"
        )
    coverage = number(model.min_coverage, what="min_coverage")
    if not 0 <= coverage <= 1:
        raise ModelError(f"min_coverage must lie in [0, 1], got {coverage:g}")
    object.__setattr__(model, "min_coverage", coverage)
    if sum(m.weight for m in model.metrics) <= 0:
        raise ModelError("all metric weights are 0; at least one must be positive")
    used = list(dict.fromkeys(m.group for m in model.metrics if m.group is not None))
    if model.groups is not None:
        named = [name for name, _ in model.groups]
        unused = [g for g in named if g not in used]
        if unused:
            raise ModelError(f"groups {unused} have no metrics (metrics use groups {used})")
        unweighted = [g for g in used if g not in named]
        if unweighted:
            raise ModelError(
                f"groups {unweighted} have no weight; groups= must weigh every group "
                "the metrics use (or leave groups=None to weigh groups by their metrics)"
            )
    for group in used:
        members = [m for m in model.metrics if m.group == group]
        if sum(m.weight for m in members) <= 0 and model._group_weight(group) > 0:
            raise ModelError("every metric of the group has weight 0", where=f"group {group!r}")
    plan = model._plan
    if plan.group_weights.sum() <= 0:
        raise ModelError("all group weights are 0; at least one must be positive")
    reserved = [n for n in (*model.names, *used) if n in RESERVED_NAMES]
    if reserved:
        raise ModelError(
            f"{reserved[0]!r} is reserved for the result's own {reserved[0]} "
            "(rules read it as health." + reserved[0] + "); rename the metric or group"
        )
    clash = [g for g in used if g in model.names]
    if clash:
        raise ModelError(
            "a group and a metric share a name, so health." + clash[0] + " would be "
            "ambiguous",
            where=f"group {clash[0]!r}",
        )


def model_dict(model: Any) -> dict[str, Any]:
    """A health model's definition in plain JSON types (``HealthModel.to_dict()``)."""
    return {
        "type": "health",
        "version": VERSION,
        "metrics": [m.to_dict() for m in model.metrics],
        "groups": None if model.groups is None else dict(model.groups),
        "bands": model.bands.to_dict(),
        "missing": model.missing,
        "min_coverage": model.min_coverage,
    }


def read_model_dict(data: Mapping[str, Any]) -> dict[str, Any]:
    """The ``HealthModel`` arguments (metrics first) from ``to_dict()`` output; a
    ``ModelError`` at the offending key when malformed."""
    data = read_dict(data, MODEL_KEYS, what="a health model")
    check_version(data, kind="health")
    metrics = field(data, "metrics", where="health model", of=list)
    with at("metrics"):
        read = []
        for i, m in enumerate(metrics):
            with at(i):
                read.append(Metric.from_dict(m))
    with at("bands"):
        bands = Bands.from_dict(data["bands"]) if data.get("bands") else Bands()
    return {
        "metrics": read,
        "groups": data.get("groups"),
        "bands": bands,
        "missing": data.get("missing", "renormalize"),
        "min_coverage": data.get("min_coverage", 0.5),
    }


def reweighted(
    model: Any, metrics: Mapping[str, float], groups: Mapping[str, float] | None
) -> dict[str, Any]:
    """The ``metrics`` and ``groups`` arguments of ``model`` with some metric and group
    weights replaced (``HealthModel.with_weights``); an unknown name is a ModelError."""
    new_metrics = list(model.metrics)
    for name, weight in metrics.items():
        metric = model.metric(name)
        new_metrics[model.names.index(name)] = attrs.evolve(metric, weight=weight)
    new_groups = model.groups
    if groups is not None:
        current = {g: model._group_weight(g) for g in model.group_names}
        unknown = [g for g in groups if g not in current]
        if unknown:
            raise ModelError(f"no groups {unknown}; groups are {list(current)}")
        current.update(groups)
        new_groups = tuple(current.items())
    return {"metrics": new_metrics, "groups": new_groups}

"""TouchPoint: one way a customer's people touch the vendor, and the points it earns."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from successkit._fingerprint import fingerprint as _hash
from successkit._keys import read_dict
from successkit.errors import ModelError
from successkit.scoring._serial import VERSION, check_version, field, number, text

__all__ = ["TouchPoint"]

Combine = Literal["max", "sum"]

FloatArray = npt.NDArray[np.float64]


def _to_name(value: Any) -> str:
    return text(value, what="a touch point's name")


def _to_points(value: Any) -> float | None:
    if value is None:
        return None
    points = number(value, what="points")
    if points < 0:
        raise ModelError(f"points must not be negative, got {points:g}")
    return points


def _to_tiers(value: Any) -> tuple[tuple[float, float], ...] | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        pairs = []
        for pair in value:
            if (
                not isinstance(pair, Sequence)
                or isinstance(pair, (str, bytes))
                or len(pair) != 2
            ):
                raise ModelError(f"each tier is a (progress, points) pair, got {pair!r}")
            pairs.append((pair[0], pair[1]))
    else:
        raise ModelError(
            f"tiers map progress (0–1) to points, e.g. {{0.2: 1, 0.6: 2, 1.0: 3}}; got {value!r}"
        )
    tiers = tuple(
        (number(p, what="a tier's progress"), number(q, what="a tier's points")) for p, q in pairs
    )
    return tuple(sorted(tiers))


def _to_channel(value: Any) -> str | None:
    return None if value is None else text(value, what="channel")


def _to_flag(value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ModelError(f"synchronous must be true or false, got {value!r}")
    return bool(value)


def _to_combine(value: Any) -> Combine:
    if value not in ("max", "sum"):
        raise ModelError(f"combine must be 'max' or 'sum', got {value!r}")
    return value  # type: ignore[no-any-return]


def _to_label(value: Any) -> str | None:
    return None if value is None else text(value, what="label")


@attrs.frozen(repr=False)
class TouchPoint:
    """One touch point of a touch score: fixed points per touch, or tiers by progress.

    A touch point earns either fixed ``points`` for each touch, or — with ``tiers`` — the
    points of the highest tier an event's ``progress`` (a share between 0 and 1, such as
    the part of a video watched) reaches: ``tiers={0.2: 1, 0.6: 2, 1.0: 3}`` gives 1 point
    at 20 % watched, 2 at 60 % and 3 when finished, and nothing below 20 %. Tiers must not
    pay less for more progress. A tier at progress 0 pays for any event (e-learning: a login
    earns 1).

    ``combine`` says how repeated touches count:

    ``"max"`` (default)
        per (account, user, item) only the best event counts, once: a user who watches
        the same video three times, to 20 %, 60 % and 100 %, earns 3 points, not 6. A
        missing user or item counts as one shared value.
    ``"sum"``
        every event counts (web access, e-mail clicks).

    ``channel`` groups touch points for reporting (Sansan: ``"online"`` / ``"offline"``);
    ``synchronous=False`` marks asynchronous touch points (the seed puts their points in
    parentheses), reported apart from the synchronous ones. ``label`` is a display name.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> video = sk.TouchPoint("video", tiers={0.2: 1, 0.6: 2, 1.0: 3}, channel="online")
    >>> video.points_for([0.1, 0.2, 0.75, 1.0]).tolist()
    [0.0, 1.0, 2.0, 3.0]
    >>> video.max_points
    3.0
    >>> sk.TouchPoint("web_access", points=1, combine="sum").points_for([None]).tolist()
    [1.0]
    """

    name: str = attrs.field(converter=_to_name)
    points: float | None = attrs.field(default=None, kw_only=True, converter=_to_points)
    tiers: tuple[tuple[float, float], ...] | None = attrs.field(
        default=None, kw_only=True, converter=_to_tiers
    )
    channel: str | None = attrs.field(default=None, kw_only=True, converter=_to_channel)
    synchronous: bool = attrs.field(default=True, kw_only=True, converter=_to_flag)
    combine: Combine = attrs.field(default="max", kw_only=True, converter=_to_combine)
    label: str | None = attrs.field(default=None, kw_only=True, converter=_to_label)

    def __attrs_post_init__(self) -> None:
        where = f"touch point {self.name!r}"
        if (self.points is None) == (self.tiers is None):
            raise ModelError("give either points or tiers (not both, not neither)", where=where)
        if self.tiers is None:
            return
        if not self.tiers:
            raise ModelError("tiers must not be empty", where=where)
        progress = [p for p, _ in self.tiers]
        paid = [q for _, q in self.tiers]
        if progress[0] < 0 or progress[-1] > 1:
            raise ModelError("a tier's progress must lie in [0, 1]", where=where)
        if len(set(progress)) != len(progress):
            raise ModelError("two tiers start at the same progress", where=where)
        if paid[0] < 0:
            raise ModelError("a tier's points must not be negative", where=where)
        if any(b < a for a, b in itertools.pairwise(paid)):
            raise ModelError(
                "tiers must not pay fewer points for more progress", where=where
            )

    # -- points -------------------------------------------------------------------------------

    @property
    def tiered(self) -> bool:
        """Whether the points depend on progress."""
        return self.tiers is not None

    @property
    def max_points(self) -> float:
        """The most points one event can earn."""
        if self.tiers is not None:
            return self.tiers[-1][1]
        assert self.points is not None
        return self.points

    def points_for(self, progress: npt.ArrayLike) -> FloatArray:
        """Points one event earns at each ``progress`` (ignored for fixed points; NaN where a
        tiered touch point has no progress).

        Examples
        --------
        >>> import successkit as sk
        >>> lms = sk.TouchPoint("elearning", tiers={0: 1, 0.5: 3, 1: 5})
        >>> lms.points_for([0.0, 0.49, 0.5, 1.0]).tolist()
        [1.0, 1.0, 3.0, 5.0]
        """
        values = np.asarray(progress, dtype=np.float64).reshape(-1)
        if self.tiers is None:
            assert self.points is not None
            return np.full(values.shape, self.points)
        starts = np.array([p for p, _ in self.tiers])
        table = np.array([0.0, *(q for _, q in self.tiers)])
        out = table[np.searchsorted(starts, values, side="right")]
        out[np.isnan(values)] = np.nan
        return out

    # -- serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: ``{"type": "touchpoint", "version": 1, "name", "points",
        "tiers" ([[progress, points], ...] or null), "channel", "synchronous", "combine",
        "label"}``."""
        return {
            "type": "touchpoint",
            "version": VERSION,
            "name": self.name,
            "points": self.points,
            "tiers": None if self.tiers is None else [list(t) for t in self.tiers],
            "channel": self.channel,
            "synchronous": self.synchronous,
            "combine": self.combine,
            "label": self.label,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TouchPoint:
        """Rebuild a touch point from :meth:`to_dict` output (ModelError when malformed).

        Examples
        --------
        >>> import successkit as sk
        >>> video = sk.TouchPoint("video", tiers={0.2: 1, 0.6: 2, 1.0: 3})
        >>> sk.TouchPoint.from_dict(video.to_dict()) == video
        True
        """
        data = read_dict(data, ("type", "version", "name", "points", "tiers", "channel",
                                "synchronous", "combine", "label"), what="a touch point")
        check_version(data, kind="touchpoint")
        return cls(
            field(data, "name", where="touch point"),
            points=data.get("points"),
            tiers=data.get("tiers"),
            channel=data.get("channel"),
            synchronous=data.get("synchronous", True),
            combine=data.get("combine", "max"),
            label=data.get("label"),
        )

    @property
    def fingerprint(self) -> str:
        """A stable hash of :meth:`to_dict`."""
        return _hash(self.to_dict())

    def describe(self) -> str:
        """The points in words, e.g. ``"20% → 1, 60% → 2, 100% → 3"`` or ``"1"``.

        Examples
        --------
        >>> import successkit as sk
        >>> sk.TouchPoint("video", tiers={0.2: 1, 0.6: 2, 1.0: 3}).describe()
        '20% → 1, 60% → 2, 100% → 3'
        """
        if self.tiers is None:
            return f"{self.points:g}"
        return ", ".join(f"{100 * p:g}% → {q:g}" for p, q in self.tiers)

    def __repr__(self) -> str:
        if self.tiers is None:
            parts = [repr(self.name), f"points={self.points:g}"]
        else:
            tiers = ", ".join(f"{p:g}: {q:g}" for p, q in self.tiers)
            parts = [repr(self.name), f"tiers={{{tiers}}}"]
        if self.channel is not None:
            parts.append(f"channel={self.channel!r}")
        if not self.synchronous:
            parts.append("synchronous=False")
        if self.combine != "max":
            parts.append(f"combine={self.combine!r}")
        if self.label is not None:
            parts.append(f"label={self.label!r}")
        return f"TouchPoint({', '.join(parts)})"

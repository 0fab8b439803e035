"""Bands: named score ranges (red / yellow / green), with hysteresis against flapping,
and the banded scores that health results and roll-ups share."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import array_field, named_columns, readonly, readonly_arrays
from successkit._keys import read_dict
from successkit.errors import ModelError
from successkit.scoring._serial import as_mapping, field, number

__all__ = ["BandedScores", "Bands"]

_DEFAULT_BOUNDS = {"red": 0.0, "yellow": 40.0, "green": 70.0}

# Display colours for common band names, so the default bands are coloured in notebooks.
_PALETTE = {
    "red": "#f4cccc",
    "orange": "#fce5cd",
    "yellow": "#fff2cc",
    "green": "#d9ead3",
    "blue": "#cfe2f3",
    "grey": "#eeeeee",
    "gray": "#eeeeee",
}


def _short(number: float) -> str:
    """The shortest text of a number that reads back as the same number."""
    text = f"{number:g}"
    return text if float(text) == number else repr(number)


def _to_bounds(value: Any) -> tuple[tuple[str, float], ...]:
    mapping = as_mapping(value)
    if mapping is None:
        raise ModelError(f"Bands takes a mapping of label → lower bound, got {value!r}")
    items = []
    for label, lower in mapping.items():
        if not isinstance(label, str) or not label:
            raise ModelError(f"band labels must be non-empty text, got {label!r}")
        items.append((label, number(lower, what=f"the lower bound of band {label!r}")))
    return tuple(sorted(items, key=lambda item: item[1]))


def _to_colours(value: Any) -> tuple[tuple[str, str], ...] | None:
    if value is None:
        return None
    mapping = as_mapping(value)
    if mapping is None:
        raise ModelError(f"colours must be a mapping of band label → colour, got {value!r}")
    for label, colour in mapping.items():
        if not isinstance(colour, str) or not colour:
            raise ModelError(f"the colour of band {label!r} must be non-empty text")
    return tuple(sorted((str(k), v) for k, v in mapping.items()))


def _to_hysteresis(value: Any) -> float:
    margin = number(value, what="hysteresis")
    if not 0 <= margin < 100:
        raise ModelError(f"hysteresis must lie in [0, 100), got {margin:g}")
    return margin


@attrs.frozen(repr=False)
class Bands(Mapping[str, float]):
    """Named score bands by lower bound: ``{"red": 0, "yellow": 40, "green": 70}``.

    A score belongs to the band with the highest lower bound not above it (a score equal to
    a bound belongs to the band that starts there). The lowest band must start at 0 so every
    score has a band; a missing score has none.

    ``hysteresis`` makes bands noise-aware: when the previous band of an account is known,
    the account keeps it unless its score crosses the edge by the margin — moving up needs
    ``score >= edge + hysteresis``, moving down needs ``score < edge - hysteresis``. An
    account that rises past two edges but clears only the first by the margin moves one band.

    ``colours`` are CSS colours for display only; common names (red, yellow, green, …) get
    a pale default.

    A ``Bands`` is a read-only mapping label → lower bound, in ascending order.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> bands = sk.Bands()
    >>> dict(bands)
    {'red': 0.0, 'yellow': 40.0, 'green': 70.0}
    >>> bands.assign([12.0, 40.0, 69.9, float("nan")]).tolist()
    ['red', 'yellow', 'yellow', None]
    >>> sticky = sk.Bands(hysteresis=5)
    >>> sticky.assign([72.0, 38.0, 76.0], previous=["yellow", "yellow", "yellow"]).tolist()
    ['yellow', 'yellow', 'green']
    """

    bounds: tuple[tuple[str, float], ...] = attrs.field(
        default=_DEFAULT_BOUNDS, converter=_to_bounds
    )
    colours: tuple[tuple[str, str], ...] | None = attrs.field(
        default=None, kw_only=True, converter=_to_colours
    )
    hysteresis: float = attrs.field(default=0.0, kw_only=True, converter=_to_hysteresis)

    def __attrs_post_init__(self) -> None:
        if not self.bounds:
            raise ModelError("Bands needs at least one band")
        lowers = [lower for _, lower in self.bounds]
        if lowers[0] != 0:
            raise ModelError(
                f"the lowest band must start at 0 so every score has a band, got {lowers[0]:g}"
            )
        if lowers[-1] > 100:
            raise ModelError(f"band bounds must lie in [0, 100], got {lowers[-1]:g}")
        for (a, x), (b, y) in itertools.pairwise(self.bounds):
            if x == y:
                raise ModelError(f"bands {a!r} and {b!r} start at the same score {x:g}")
        if self.colours is not None:
            unknown = [label for label, _ in self.colours if label not in self.labels]
            if unknown:
                raise ModelError(f"colours name unknown bands {unknown}; bands are {self.labels}")

    # -- mapping ------------------------------------------------------------------------------

    def __getitem__(self, label: str) -> float:
        for name, lower in self.bounds:
            if name == label:
                return lower
        raise KeyError(label)

    def __iter__(self) -> Iterator[str]:
        return (label for label, _ in self.bounds)

    def __len__(self) -> int:
        return len(self.bounds)

    @property
    def labels(self) -> tuple[str, ...]:
        """Band labels from the lowest band to the highest."""
        return tuple(label for label, _ in self.bounds)

    def colour(self, label: str | None) -> str | None:
        """The display colour of ``label`` (``None`` when it has none, or for no band)."""
        if label is None:
            return None
        if self.colours is not None:
            return dict(self.colours).get(label)
        return _PALETTE.get(label.lower())

    # -- assignment ---------------------------------------------------------------------------

    def codes(self, scores: npt.ArrayLike) -> npt.NDArray[np.int8]:
        """Band index per score (0 = lowest band), ``-1`` where the score is missing."""
        values = np.asarray(scores, dtype=np.float64)
        # Count the lower bounds at or below each score, minus one: NaN (and anything below
        # the lowest bound) meets none and gets -1. A few comparisons beat a binary search.
        codes = np.full(values.shape, -1, dtype=np.int8)
        above = np.empty(values.shape, dtype=np.bool_)
        for _, lower in self.bounds:
            np.greater_equal(values, lower, out=above)
            codes += above.view(np.int8)
        return codes

    def sticky_codes(
        self, scores: npt.ArrayLike, previous: npt.NDArray[np.integer[Any]]
    ) -> npt.NDArray[np.int8]:
        """Band codes with hysteresis against ``previous`` codes (``-1`` = none known)."""
        values = np.asarray(scores, dtype=np.float64)
        raw = self.codes(values)
        if self.hysteresis == 0:
            return raw
        prev = np.asarray(previous, dtype=np.int8)
        # The band an account may move to is bounded by the bands of score ± margin, so it
        # keeps its previous band unless an edge was crossed by at least the margin.
        lowest = self.codes(values - self.hysteresis)
        highest = self.codes(values + self.hysteresis)
        kept = np.clip(prev, lowest, highest)
        return np.where((prev >= 0) & (raw >= 0), kept, raw).astype(np.int8)

    def codes_of_labels(self, labels: npt.ArrayLike) -> npt.NDArray[np.int8]:
        """Codes of band labels (``None`` or an unknown label gives ``-1``)."""
        array = np.asarray(labels, dtype=object)
        out = np.full(array.shape, -1, dtype=np.int8)
        for code, label in enumerate(self.labels):
            out[array == label] = code
        return out

    def label_array(self, codes: npt.ArrayLike) -> npt.NDArray[np.object_]:
        """Labels for band codes as an object array, ``None`` for code ``-1``."""
        table = np.array([*self.labels, None], dtype=object)
        return table[np.asarray(codes, dtype=np.intp)]

    def assign(
        self, scores: npt.ArrayLike, *, previous: npt.ArrayLike | None = None
    ) -> npt.NDArray[np.object_]:
        """Band labels for ``scores`` (``None`` where missing), with hysteresis against the
        ``previous`` labels when given (aligned with ``scores``)."""
        if previous is None:
            return self.label_array(self.codes(scores))
        return self.label_array(self.sticky_codes(scores, self.codes_of_labels(previous)))

    # -- serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: bounds, colours and hysteresis."""
        return {
            "bounds": dict(self.bounds),
            "colours": None if self.colours is None else dict(self.colours),
            "hysteresis": self.hysteresis,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Bands:
        """Rebuild bands from :meth:`to_dict` output.

        Examples
        --------
        >>> import successkit as sk
        >>> bands = sk.Bands({"red": 0, "green": 50}, hysteresis=2.5)
        >>> sk.Bands.from_dict(bands.to_dict()) == bands
        True
        """
        data = read_dict(data, ("bounds", "colours", "hysteresis"), what="bands")
        return cls(
            field(data, "bounds", where="bands"),
            colours=data.get("colours"),
            hysteresis=data.get("hysteresis", 0.0),
        )

    def __repr__(self) -> str:
        inner = ", ".join(f"{label!r}: {_short(lower)}" for label, lower in self.bounds)
        extra = "" if self.hysteresis == 0 else f", hysteresis={_short(self.hysteresis)}"
        if self.colours is not None:
            extra += f", colours={dict(self.colours)!r}"
        return f"Bands({{{inner}}}{extra})"


def _names(value: Any) -> tuple[str, ...]:
    return tuple(value)


@readonly_arrays
@attrs.frozen(kw_only=True, repr=False)
class BandedScores:
    """Scores in bands, with a score per group, one row per account id: what a
    :class:`~successkit.HealthResult` and a :class:`~successkit.RollupResult` share."""

    ids: npt.NDArray[np.str_] = array_field()
    score: npt.NDArray[np.float64] = array_field()
    band_codes: npt.NDArray[np.int8] = array_field()
    bands: Bands
    group_names: tuple[str, ...] = attrs.field(converter=_names)
    group_matrix: npt.NDArray[np.float64] = array_field()

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @cached_property
    def band(self) -> npt.NDArray[np.object_]:
        """Band labels (object array), ``None`` where the score is missing."""
        return readonly(self.bands.label_array(self.band_codes))

    @cached_property
    def group_scores(self) -> Mapping[str, npt.NDArray[np.float64]]:
        """Group name → group scores (0–100, NaN where the account has none)."""
        return named_columns(self.group_matrix, self.group_names)

"""TrendSummary: how many accounts moved up, down or stayed flat, and their band changes."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from successkit._html import html_table
from successkit._optional import import_optional

__all__ = ["DIRECTIONS", "TrendSummary"]

#: The directions a trend reports, in display order (``unknown``: no baseline score).
DIRECTIONS = ("up", "flat", "down", "unknown")


def _to_directions(value: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType({d: int(value.get(d, 0)) for d in DIRECTIONS})


def _to_transitions(value: Mapping[tuple[str, str], int]) -> Mapping[tuple[str, str], int]:
    return MappingProxyType({(str(a), str(b)): int(n) for (a, b), n in value.items()})


@attrs.frozen(kw_only=True)
class TrendSummary:
    """Accounts per trend direction and band changes (from :meth:`TrendResult.summary`).

    ``directions`` maps ``up`` / ``flat`` / ``down`` / ``unknown`` to account counts;
    ``transitions`` maps ``(from band, to band)`` to the accounts that changed band between
    the last two snapshots. ``str(summary)`` is one line of text.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> summary = sk.TrendSummary(directions={"up": 3, "down": 1},
    ...                           transitions={("yellow", "red"): 1})
    >>> print(summary)
    up 3, flat 0, down 1, unknown 0; 1 band change (yellow → red 1)
    >>> summary.changed, summary.to_dict()["transitions"]
    (1, [['yellow', 'red', 1]])
    """

    directions: Mapping[str, int] = attrs.field(
        converter=_to_directions, hash=False, repr=lambda v: repr(dict(v))
    )
    transitions: Mapping[tuple[str, str], int] = attrs.field(
        factory=dict, converter=_to_transitions, hash=False, repr=lambda v: repr(dict(v))
    )

    @property
    def changed(self) -> int:
        """Accounts whose band changed between the last two snapshots."""
        return sum(self.transitions.values())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: ``{"directions": {...}, "transitions": [[from, to, n], ...]}``."""
        return {
            "directions": dict(self.directions),
            "transitions": [[a, b, n] for (a, b), n in self.transitions.items()],
        }

    def to_frame(self) -> Any:
        """A pandas ``DataFrame`` of accounts per direction (needs ``successkit[pandas]``)."""
        pd = import_optional("pandas", purpose="TrendSummary.to_frame()")
        return pd.DataFrame(
            {"accounts": list(self.directions.values())},
            index=pd.Index(list(self.directions), name="direction"),
        )

    def __str__(self) -> str:
        moves = ", ".join(f"{d} {n:,}" for d, n in self.directions.items())
        noun = "band change" if self.changed == 1 else "band changes"
        text = f"{moves}; {self.changed:,} {noun}"
        if self.transitions:
            shown = ", ".join(f"{a} → {b} {n:,}" for (a, b), n in self.transitions.items())
            text += f" ({shown})"
        return text

    def _repr_html_(self) -> str:
        table: dict[str, list[Any]] = {
            "direction": list(self.directions),
            "accounts": list(self.directions.values()),
        }
        return html_table(table, caption=str(self))

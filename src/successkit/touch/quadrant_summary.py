"""QuadrantSummary: accounts per quadrant of the health × touch matrix."""

from __future__ import annotations

from typing import Any

import attrs

from successkit._grid import text_grid
from successkit._html import html_table
from successkit._optional import import_optional

__all__ = ["QuadrantSummary"]

# Which corner each quadrant is, in label order: (high health, high touch).
CORNERS = ((True, True), (True, False), (False, True), (False, False))

_HEADERS = ["quadrant", "health", "touch", "accounts", "share"]


def _to_labels(value: Any) -> tuple[str, str, str, str]:
    a, b, c, d = (str(v) for v in value)
    return a, b, c, d


def _to_counts(value: Any) -> tuple[int, int, int, int]:
    a, b, c, d = (int(v) for v in value)
    return a, b, c, d


@attrs.frozen(kw_only=True)
class QuadrantSummary:
    """Accounts per quadrant (from :meth:`QuadrantResult.summary`), with the cuts.

    ``accounts`` counts the accounts in each quadrant, in ``labels`` order (high health &
    high touch, high health & low touch, low health & high touch, low health & low touch);
    ``unplaced`` counts those without a quadrant (a missing health or touch score). Shares
    are of the placed accounts. ``str(summary)`` is a small text table.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> summary = sk.QuadrantSummary(labels=("A", "B", "C", "D"), health=40, touch=0.5,
    ...                              accounts=(393, 565, 11, 31))
    >>> summary.placed, summary.to_dict()["accounts"]
    (1000, [393, 565, 11, 31])
    >>> print(str(summary).splitlines()[1])
    A         ≥ 40    ≥ 0.5       393    39%
    """

    labels: tuple[str, str, str, str] = attrs.field(converter=_to_labels)
    health: float
    touch: float
    accounts: tuple[int, int, int, int] = attrs.field(converter=_to_counts)
    unplaced: int = 0

    @property
    def placed(self) -> int:
        """Accounts with a quadrant."""
        return sum(self.accounts)

    @property
    def total_accounts(self) -> int:
        """All accounts, with or without a quadrant."""
        return self.placed + self.unplaced

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: ``{"labels": [...], "health", "touch", "accounts": [...],
        "unplaced"}``."""
        return {
            "labels": list(self.labels),
            "health": self.health,
            "touch": self.touch,
            "accounts": list(self.accounts),
            "unplaced": self.unplaced,
        }

    def to_frame(self) -> Any:
        """A pandas ``DataFrame`` indexed by quadrant: accounts (needs
        ``successkit[pandas]``)."""
        pd = import_optional("pandas", purpose="QuadrantSummary.to_frame()")
        return pd.DataFrame(
            {"accounts": list(self.accounts)},
            index=pd.Index(list(self.labels), name="quadrant"),
        )

    def _rows(self) -> list[list[str]]:
        placed = self.placed
        rows = []
        for label, count, (high_health, high_touch) in zip(
            self.labels, self.accounts, CORNERS, strict=True
        ):
            rows.append([
                label,
                f"{'≥' if high_health else '<'} {self.health:g}",
                f"{'≥' if high_touch else '<'} {self.touch:g}",
                f"{count:,}",
                f"{100 * count / placed:.0f}%" if placed else "—",
            ])
        return rows

    def __str__(self) -> str:
        lines = [text_grid(_HEADERS, self._rows(), numeric=2)]
        if self.unplaced:
            noun = "account" if self.unplaced == 1 else "accounts"
            lines.append(
                f"{self.unplaced:,} {noun} without a quadrant (missing health or touch score)"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = self._rows()
        table = {h: [r[i] for r in rows] for i, h in enumerate(_HEADERS)}
        caption = "accounts per quadrant"
        if self.unplaced:
            caption += f" ({self.unplaced:,} without a quadrant)"
        return html_table(table, caption=caption)

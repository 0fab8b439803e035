"""TouchSummary: points per touch point across a portfolio."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from successkit._grid import text_grid
from successkit._html import html_table
from successkit._optional import import_optional

__all__ = ["TouchSummary"]


def _format(value: float) -> str:
    if np.isnan(value):
        return "—"
    return f"{value:,.0f}" if value >= 100 or float(value).is_integer() else f"{value:.4g}"


@attrs.frozen(kw_only=True)
class TouchSummary:
    """Points per touch point across a portfolio (from :meth:`TouchResult.summary`).

    ``points`` adds each touch point's points over the accounts; ``accounts_touched``
    counts the accounts that earned any. ``str(summary)`` is a small text table.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> summary = sk.TouchSummary(
    ...     accounts=2, mean_score=1.5, median_score=1.5, without_events=0,
    ...     touchpoints=("web",), channels=("online",), synchronous=(True,), points=(3.0,),
    ...     accounts_touched=(2,), no_seats=0, unmatched_accounts=0, unmatched_events=0)
    >>> summary.to_dict()["points"]
    {'web': 3.0}
    """

    accounts: int
    mean_score: float
    median_score: float
    without_events: int
    touchpoints: tuple[str, ...]
    channels: tuple[str | None, ...]
    synchronous: tuple[bool, ...]
    points: tuple[float, ...]
    accounts_touched: tuple[int, ...]
    no_seats: int
    unmatched_accounts: int
    unmatched_events: int

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types."""
        return {
            "accounts": self.accounts,
            "mean_score": None if np.isnan(self.mean_score) else self.mean_score,
            "median_score": None if np.isnan(self.median_score) else self.median_score,
            "without_events": self.without_events,
            "points": dict(zip(self.touchpoints, self.points, strict=True)),
            "accounts_touched": dict(zip(self.touchpoints, self.accounts_touched, strict=True)),
            "no_seats": self.no_seats,
            "unmatched_accounts": self.unmatched_accounts,
            "unmatched_events": self.unmatched_events,
        }

    def to_frame(self) -> Any:
        """A pandas ``DataFrame`` indexed by touch point."""
        pd = import_optional("pandas", purpose="TouchSummary.to_frame()")
        return pd.DataFrame(
            {
                "channel": list(self.channels),
                "synchronous": list(self.synchronous),
                "points": list(self.points),
                "accounts": list(self.accounts_touched),
            },
            index=pd.Index(list(self.touchpoints), name="touchpoint"),
        )

    def _rows(self) -> list[list[str]]:
        whole = sum(self.points)
        rows = []
        for k, name in enumerate(self.touchpoints):
            share = f"{100 * self.points[k] / whole:.0f}%" if whole > 0 else "—"
            rows.append([
                name,
                self.channels[k] or "",
                "yes" if self.synchronous[k] else "no",
                _format(self.points[k]),
                share,
                f"{self.accounts_touched[k]:,}",
            ])
        return rows

    def __str__(self) -> str:
        head = (
            f"{self.accounts:,} accounts, touch score mean {_format(self.mean_score)}, "
            f"median {_format(self.median_score)}; {self.without_events:,} without events"
        )
        table = text_grid(
            ["touch point", "channel", "sync", "points", "share", "accounts"],
            self._rows(),
            numeric=3,
        )
        lines = [head, table]
        notes = []
        if self.no_seats:
            notes.append(f"{self.no_seats:,} accounts without seats (score missing)")
        if self.unmatched_events:
            notes.append(
                f"{self.unmatched_events:,} events of {self.unmatched_accounts:,} accounts "
                "not in the portfolio (not counted)"
            )
        lines += notes
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = self._rows()
        headers = ["touch point", "channel", "sync", "points", "share", "accounts"]
        columns = {h: [r[i] for r in rows] for i, h in enumerate(headers)}
        return html_table(columns, caption=str(self).splitlines()[0])

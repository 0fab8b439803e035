"""The report printed by ``python -m successkit`` on the built-in sample portfolio.

The report is a list of sections; each area of the library contributes one function that
takes the sample data and returns its lines. Nothing is written to disk.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["report"]


def _portfolio_section(sample: Any) -> list[str]:
    pf = sample.portfolio
    history = sample.history
    lines = [
        f"Portfolio: {len(pf)} accounts as of {pf.as_of}, {len(pf.columns)} columns",
        f"History:   {len(history)} monthly snapshots, {history.dates[0]} … {history.dates[-1]}",
    ]
    return lines


SECTIONS: list[Callable[[Any], list[str]]] = [_portfolio_section]


def report(sample: Any) -> str:
    """The whole demo report for ``sample`` (a :func:`successkit.datasets.make_portfolio`)."""
    blocks = ["\n".join(section(sample)) for section in SECTIONS]
    return "\n\n".join(blocks) + "\n"

"""The health × touch scatter plot (needs matplotlib: ``pip install 'successkit[plot]'``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from successkit._optional import import_optional
from successkit._plotting import BAND_COLOURS
from successkit.errors import DataError

__all__ = ["plot_quadrants"]

# What a QuadrantResult has that the plot reads.
_RESULT_FIELDS = ("quadrants", "codes", "labels", "health", "touch", "counts")
# Quadrant colours in code order: A (goal), B (nurture), C (fix adoption), D (risk) — the
# band colours green, blue, orange, red, whose lightness differs (grey print, colour
# blindness); each quadrant also has its own marker.
_COLOURS = (BAND_COLOURS["green"], BAND_COLOURS["blue"], BAND_COLOURS["orange"],
            BAND_COLOURS["red"])
_MARKERS = ("o", "s", "^", "v")
# Where each quadrant's label goes, in axes coordinates: A top right, B top left, ...
_CORNERS = ((0.98, 0.97, "right"), (0.02, 0.97, "left"), (0.98, 0.03, "right"),
            (0.02, 0.03, "left"))


def plot_quadrants(
    result: Any,
    *,
    ax: Any = None,
    title: str | None = None,
    size: float = 12.0,
    alpha: float = 0.6,
) -> Any:
    """Scatter every account on the health × touch matrix, as Sansan plots it.

    Touch score on the horizontal axis, health on the vertical axis (0–100), dashed lines
    at the two cuts, quadrant labels in their corners (A top right, B top left, C bottom
    right, D bottom left) and the number of accounts per quadrant in the legend. Accounts
    without a quadrant are not drawn.

    Parameters
    ----------
    result:
        A :class:`QuadrantResult` (from :meth:`Quadrants.classify`).
    ax:
        The matplotlib ``Axes`` to draw on; a new figure is made when ``None``.
    title:
        The axes title.
    size, alpha:
        Marker size and opacity.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import successkit as sk
    >>> class Scores:
    ...     def __init__(self, score): self.ids, self.score = ["a", "b", "c"], score
    >>> result = sk.Quadrants().classify(Scores([75, 30, 55]), Scores([0.8, 0.2, 0.3]))
    >>> ax = sk.plot_quadrants(result, title="Health × touch")
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('touch score', 'health score')
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['A (1)', 'B (1)', 'C (0)', 'D (1)']
    """
    # Duck-typed so this module stands below quadrants.py, which imports it for .plot().
    if not all(hasattr(result, a) for a in _RESULT_FIELDS):
        raise DataError(
            f"plot_quadrants() takes a QuadrantResult, got {type(result).__name__}"
        )
    plt = import_optional("matplotlib.pyplot", purpose="plot_quadrants()")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.8))
    cuts = result.quadrants
    counts = result.counts()
    for code, label in enumerate(result.labels):  # a loop over the four quadrants
        chosen = result.codes == code
        ax.scatter(
            result.touch[chosen],
            result.health[chosen],
            s=size,
            alpha=alpha,
            color=_COLOURS[code],
            marker=_MARKERS[code],
            label=f"{label} ({counts[label]:,})",
            linewidths=0,
        )
    ax.axhline(cuts.health, color="grey", linestyle="--", linewidth=1)
    ax.axvline(cuts.touch, color="grey", linestyle="--", linewidth=1)
    for code, (x, y, align) in enumerate(_CORNERS):
        ax.text(
            x, y, result.labels[code], transform=ax.transAxes, ha=align,
            va="top" if y > 0.5 else "bottom", fontsize=16, fontweight="bold",
            color=_COLOURS[code], alpha=0.8,
        )
    placed = result.codes >= 0
    top = float(np.max(result.touch[placed])) if placed.any() else cuts.touch * 2
    ax.set_xlim(0, max(top, cuts.touch) * 1.05 or 1.0)
    ax.set_ylim(0, 100)
    ax.set_xlabel("touch score")
    ax.set_ylabel("health score")
    if title is not None:
        ax.set_title(title)
    ax.legend(loc="center right", frameon=False, fontsize="small")
    return ax

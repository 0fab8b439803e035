"""What every successkit chart shares: the axes it draws on and its colours.

The convention: ``result.plot(ax=None, **kwargs)`` draws on ``ax`` or on a new figure, passes
``kwargs`` to the main artist, and returns the matplotlib ``Axes``; matplotlib is imported only
then (the ``plot`` extra) and no global state (``rcParams``, styles) is touched.

Colours are chosen to survive colour blindness and grey printing: the band colours differ
in lightness (luma) by at least 40 of 255 from each other, and a difference in lightness is
what every kind of colour blindness and a grey printer keep.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from successkit._optional import import_optional
from successkit.errors import DataError

__all__ = [
    "BAND_COLOURS",
    "MISSING_COLOUR",
    "MISSING_HATCH",
    "SERIES_COLOURS",
    "axes",
    "band_colours",
    "luma",
    "series_colour",
]

#: Strong colours for common band names. Their lightness runs red < blue < orange < green <
#: yellow, at least 40 of 255 apart, so any two bands stay apart in grey.
BAND_COLOURS: dict[str, str] = {
    "red": "#7a0a12",
    "orange": "#cc7010",
    "yellow": "#f6e05e",
    "green": "#8fcf50",
    "blue": "#2262aa",
    "grey": "#8c8c8c",
    "gray": "#8c8c8c",
}
#: Accounts without a band or a value: white, hatched, so grey print cannot confuse it
#: with a pale band.
MISSING_COLOUR = "#ffffff"
MISSING_HATCH = "///"
#: Colours for bands whose names are not colours, by position (lowest band first).
_BY_POSITION = ("red", "yellow", "green", "blue", "orange", "grey")
#: Lines and markers of unordered series (metrics, touch points, quadrants): the
#: Okabe–Ito palette, made for colour-blind readers, ordered so neighbours differ in
#: lightness.
SERIES_COLOURS: tuple[str, ...] = (
    "#0072b2",  # blue
    "#e69f00",  # orange
    "#000000",  # black
    "#56b4e9",  # sky blue
    "#d55e00",  # vermillion
    "#009e73",  # bluish green
    "#cc79a7",  # reddish purple
    "#f0e442",  # yellow
)


def axes(ax: Any, purpose: str, *, figsize: tuple[float, float] = (6.4, 4.0)) -> Any:
    """``ax``, or the axes of a new figure (importing matplotlib only now)."""
    if ax is not None:
        if not (hasattr(ax, "figure") and hasattr(ax, "plot")):
            raise DataError(f"ax must be matplotlib Axes to draw on, got {type(ax).__name__}")
        return ax
    plt = import_optional("matplotlib.pyplot", purpose=purpose)
    # constrained layout makes room for legends and colour bars beside the axes
    _, new = plt.subplots(figsize=figsize, layout="constrained")
    return new


def band_colours(labels: Sequence[str], chosen: Any = None) -> list[str]:
    """One colour per band, lowest band first.

    ``chosen`` (a ``Bands.colours`` tuple of ``(label, colour)`` pairs) wins where it names
    a band; otherwise a band named like a colour gets that colour, and any other band the
    colour of its position in red, yellow, green, blue, ...

    Examples
    --------
    >>> band_colours(["red", "yellow", "green"])
    ['#7a0a12', '#f6e05e', '#8fcf50']
    >>> band_colours(["low", "high"]) == band_colours(["red", "yellow"])
    True
    >>> band_colours(["red", "green"], chosen=(("green", "teal"),))
    ['#7a0a12', 'teal']
    """
    given = dict(chosen or ())
    out = []
    for position, label in enumerate(labels):
        if label in given:
            out.append(given[label])
        elif label.lower() in BAND_COLOURS:
            out.append(BAND_COLOURS[label.lower()])
        else:
            out.append(BAND_COLOURS[_BY_POSITION[position % len(_BY_POSITION)]])
    return out


def series_colour(position: int) -> str:
    """The colour of the ``position``-th series (cycling)."""
    return SERIES_COLOURS[position % len(SERIES_COLOURS)]


def luma(colour: str) -> float:
    """Lightness of a ``#rrggbb`` colour as a grey printer renders it (ITU-R BT.601), 0–255.

    Examples
    --------
    >>> luma("#ffffff"), luma("#000000")
    (255.0, 0.0)
    """
    red, green, blue = (int(colour[k : k + 2], 16) for k in (1, 3, 5))
    return round(0.299 * red + 0.587 * green + 0.114 * blue, 1)

"""Plain-text tables for ``__str__`` of summaries: text columns left, numbers right."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["text_grid"]


def text_grid(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, numeric: int, trailing: int = 0
) -> str:
    """Rows of text in aligned columns: the ``numeric`` columns before the last ``trailing``
    ones are right-aligned, every other column left-aligned.

    Examples
    --------
    >>> print(text_grid(["name", "n"], [["a", "1"], ["bb", "10"]], numeric=1))
    name   n
    a      1
    bb    10
    >>> print(text_grid(["name", "n", "note"], [["a", "1", "new"], ["bb", "10", ""]],
    ...                 numeric=1, trailing=1))
    name   n  note
    a      1  new
    bb    10
    """
    cells = [headers, *rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    stop = len(headers) - trailing
    start = stop - numeric
    lines = []
    for r in cells:
        parts = [
            c.rjust(w) if start <= i < stop else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)
